package org.flinkreinforce.testcontainers;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The flink-reinforce learner in a container, for an application's own tests: it runs {@code
 * reinforce learn} (the learner on a Flink cluster inside the container) against the test's Kafka,
 * on a Docker network both containers share. {@link #start()} returns once the learner's job runs
 * with every task, so that what the application logs from then on is learned.
 *
 * <pre>{@code
 * Network network = Network.newNetwork();
 * KafkaContainer kafka = new KafkaContainer("apache/kafka:4.2.0")
 *         .withNetwork(network)
 *         .withListener("kafka:19092");
 * ReinforceLearnerContainer learner = new ReinforceLearnerContainer()
 *         .withKafka(kafka, "kafka:19092")
 *         .withPolicy("articles:4:5")
 *         .withOption("batch.size", "32")
 *         .withOption("publish.interval", "1 s");
 * }</pre>
 *
 * <p>The application reaches the same broker from the test JVM ({@code
 * kafka.getBootstrapServers()}) with the serving client, as in production. Options and Kafka client
 * properties go to the learner in a properties file (its {@code --config}), not on its command
 * line, so that a password in {@code sasl.jaas.config} is not shown by {@code docker inspect}.
 *
 * <p>The image is taken from, in order: the constructor's argument; the system property {@value
 * #IMAGE_PROPERTY}; the environment variable {@value #IMAGE_ENVIRONMENT}; else {@link
 * #DEFAULT_IMAGE}, the job image of this version as {@code docker/build-images.sh} builds and tags
 * it locally.
 */
public class ReinforceLearnerContainer extends GenericContainer<ReinforceLearnerContainer> {

    /** The system property naming the learner image. */
    public static final String IMAGE_PROPERTY = "reinforce.image.job";

    /** The environment variable naming the learner image. */
    public static final String IMAGE_ENVIRONMENT = "REINFORCE_IMAGE_JOB";

    /** The learner image of this version, built locally by {@code docker/build-images.sh}. */
    public static final DockerImageName DEFAULT_IMAGE = DockerImageName.parse(imageOfThisVersion());

    private static final DockerImageName REPOSITORY = DockerImageName.parse("reinforce/job");

    /** The Flink web UI's port inside the container. */
    public static final int WEB_UI_PORT = 8081;

    /** How long {@link #start()} waits for the learner to run, unless told otherwise. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

    static final String CONFIG_PATH = "/opt/reinforce/learner.properties";
    private static final String REINFORCE = "/opt/reinforce/bin/reinforce";

    private final List<String> policies = new ArrayList<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private String bootstrapServers;

    /** A learner of the image named by the property, the variable or {@link #DEFAULT_IMAGE}. */
    public ReinforceLearnerContainer() {
        this(configuredImage());
    }

    /** A learner of {@code image}. */
    public ReinforceLearnerContainer(String image) {
        this(DockerImageName.parse(image));
    }

    /**
     * A learner of {@code image}: {@code reinforce/job}, or another image declared a compatible
     * substitute for it ({@link DockerImageName#asCompatibleSubstituteFor}).
     */
    public ReinforceLearnerContainer(DockerImageName image) {
        super(image);
        image.assertCompatibleWith(REPOSITORY);
        withExposedPorts(WEB_UI_PORT);
        waitingFor(new LearnerRunning().withStartupTimeout(STARTUP_TIMEOUT));
    }

    /**
     * Learns from {@code kafka}'s broker, reached at {@code bootstrapServers} on its network, which
     * this container joins; it starts after {@code kafka}.
     *
     * @param kafka a Kafka container on a {@link Network}, with a listener for containers on it
     * @param bootstrapServers that listener, e.g. {@code kafka:19092} for {@code
     *     withListener("kafka:19092")}
     */
    public ReinforceLearnerContainer withKafka(GenericContainer<?> kafka, String bootstrapServers) {
        if (kafka.getNetwork() == null) {
            throw new IllegalArgumentException(
                    "The Kafka container is on no network the learner can join: give it one"
                            + " (withNetwork(Network.newNetwork())) and a listener for other"
                            + " containers (KafkaContainer.withListener(\"kafka:19092\")).");
        }
        withNetwork(kafka.getNetwork());
        dependsOn(kafka);
        return withKafka(bootstrapServers);
    }

    /** Learns from the broker at {@code bootstrapServers}, an address this container reaches. */
    public ReinforceLearnerContainer withKafka(String bootstrapServers) {
        this.bootstrapServers = requireText(bootstrapServers, "bootstrapServers");
        return self();
    }

    /**
     * Learns the policy of {@code spec}, as {@code --policy} of {@code reinforce learn} takes it
     * ({@code id:features:actions}, e.g. {@code articles:4:5} or {@code nas:0:4,3}); call once per
     * policy.
     */
    public ReinforceLearnerContainer withPolicy(String spec) {
        policies.add(requireText(spec, "spec"));
        return self();
    }

    /**
     * Sets a learner option ({@code batch.size}, {@code publish.interval}, {@code rewards.join},
     * the topics, ... as in the configuration table), a per-policy override ({@code
     * policy.<id>.<option>}) or a Kafka client property of the learner ({@code security.protocol},
     * {@code sasl.jaas.config}, ...).
     */
    public ReinforceLearnerContainer withOption(String key, String value) {
        settings.put(requireText(key, "key"), Objects.requireNonNull(value, "value"));
        return self();
    }

    /** Sets every entry of {@code options} as {@link #withOption} does. */
    public ReinforceLearnerContainer withOptions(Map<String, String> options) {
        options.forEach(this::withOption);
        return self();
    }

    /** The policies given, as their specs. */
    public List<String> getPolicies() {
        return List.copyOf(policies);
    }

    /** The learner's Flink web UI (and REST API) as reached from the test, once started. */
    public String getWebUiUrl() {
        return "http://" + getHost() + ":" + getMappedPort(WEB_UI_PORT);
    }

    @Override
    protected void configure() {
        if (bootstrapServers == null) {
            throw new IllegalStateException(
                    "The learner needs a broker: call withKafka(kafkaContainer, \"kafka:19092\").");
        }
        if (policies.isEmpty()) {
            throw new IllegalStateException(
                    "The learner needs a policy to learn: call withPolicy(\"id:features:actions\").");
        }
        withCopyToContainer(
                Transferable.of(learnerProperties().getBytes(StandardCharsets.ISO_8859_1)),
                CONFIG_PATH);
        List<String> command = new ArrayList<>();
        command.add(REINFORCE);
        command.add("learn");
        command.add("--bootstrap-servers=" + bootstrapServers);
        for (String policy : policies) {
            command.add("--policy=" + policy);
        }
        command.add("--config=" + CONFIG_PATH);
        command.add("--web-ui-address=0.0.0.0");
        command.add("--web-ui-port=" + WEB_UI_PORT);
        setCommand(command.toArray(new String[0]));
    }

    /** The learner's properties file, as {@link Properties#store} writes it (ISO 8859-1). */
    String learnerProperties() {
        Properties properties = new Properties();
        properties.putAll(settings);
        StringWriter text = new StringWriter();
        try {
            properties.store(text, "flink-reinforce learner options of ReinforceLearnerContainer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    static DockerImageName configuredImage() {
        String image = System.getProperty(IMAGE_PROPERTY);
        if (image == null || image.isBlank()) {
            image = System.getenv(IMAGE_ENVIRONMENT);
        }
        return image == null || image.isBlank()
                ? DEFAULT_IMAGE
                : DockerImageName.parse(image).asCompatibleSubstituteFor(REPOSITORY);
    }

    private static String imageOfThisVersion() {
        Properties image = new Properties();
        try (InputStream in =
                ReinforceLearnerContainer.class.getResourceAsStream("image.properties")) {
            if (in == null) {
                throw new IllegalStateException("image.properties is missing from the module.");
            }
            image.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return image.getProperty("image");
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty.");
        }
        return value;
    }
}
