package org.flinkreinforce.job.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import org.testcontainers.utility.DockerImageName;

/**
 * The container images of the tests, in one place. Each name is taken from, in order: the system
 * property {@code reinforce.image.<name>}, the environment variable {@code REINFORCE_IMAGE_<NAME>},
 * the file {@code target/docker/images.env} that {@code docker/build-images.sh} writes (the local,
 * offline builds), and else the official image of the version the build pins ({@code
 * apache/kafka:<kafka.broker.version>}, {@code flink:<flink.version>-java17}), so a user with a
 * registry runs the same tests against those.
 */
public final class ContainerImages {

    private ContainerImages() {}

    public static DockerImageName kafka() {
        return image("kafka", "apache/kafka:" + System.getProperty("reinforce.kafka.version"))
                .asCompatibleSubstituteFor("apache/kafka");
    }

    public static DockerImageName flink() {
        return image("flink", "flink:" + System.getProperty("reinforce.flink.version") + "-java17")
                .asCompatibleSubstituteFor("flink");
    }

    private static DockerImageName image(String name, String official) {
        String configured = System.getProperty("reinforce.image." + name);
        if (configured == null) {
            configured = System.getenv("REINFORCE_IMAGE_" + name.toUpperCase(Locale.ROOT));
        }
        if (configured == null) {
            configured = built().getProperty("REINFORCE_IMAGE_" + name.toUpperCase(Locale.ROOT));
        }
        return DockerImageName.parse(configured != null ? configured : official);
    }

    private static Properties built() {
        Properties images = new Properties();
        for (Path file :
                new Path[] {
                    Path.of("target", "docker", "images.env"),
                    Path.of("..", "target", "docker", "images.env")
                }) {
            if (Files.isRegularFile(file)) {
                try (var reader = Files.newBufferedReader(file)) {
                    images.load(reader);
                } catch (IOException e) {
                    throw new IllegalStateException("Cannot read " + file + ".", e);
                }
                break;
            }
        }
        return images;
    }
}
