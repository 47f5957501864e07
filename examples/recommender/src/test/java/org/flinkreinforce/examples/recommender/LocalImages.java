package org.flinkreinforce.examples.recommender;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.ImageNameSubstitutor;

/**
 * Runs the official {@code apache/kafka} image as this repository's offline build of it, named in
 * {@code target/docker/images.env} by {@code docker/build-images.sh}; any other image, and every
 * image where that file names none, as asked. Registered in {@code testcontainers.properties}: the
 * test itself is written as for a machine with a registry.
 */
public final class LocalImages extends ImageNameSubstitutor {

    private static final Path IMAGES = Path.of("..", "..", "target", "docker", "images.env");

    @Override
    public DockerImageName apply(DockerImageName original) {
        String kafka = built().getProperty("REINFORCE_IMAGE_KAFKA");
        if (kafka != null && original.getRepository().equals("apache/kafka")) {
            return DockerImageName.parse(kafka).asCompatibleSubstituteFor(original);
        }
        return original;
    }

    @Override
    protected String getDescription() {
        return "the images docker/build-images.sh built (" + IMAGES + ")";
    }

    private static Properties built() {
        Properties images = new Properties();
        if (Files.isRegularFile(IMAGES)) {
            try (var reader = Files.newBufferedReader(IMAGES)) {
                images.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return images;
    }
}
