package org.flinkreinforce.job.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.containers.FixedHostPortGenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A single-node Kafka (KRaft) container whose client listener requires SASL/SCRAM-SHA-256, in plain
 * text or, {@link #withTls}, over TLS; the broker's own listeners stay plain. SCRAM users are made
 * by the local Kafka image's {@code REINFORCE_SCRAM_USERS} ({@link #withUser}); the official image
 * has no variable for them ({@link #localImage()} skips a test elsewhere). The client listener is
 * advertised as {@code localhost} on a free host port fixed before start, since the advertised
 * address must be known to the broker's configuration. Ready once the broker runs.
 */
public final class ScramKafkaContainer extends FixedHostPortGenericContainer<ScramKafkaContainer> {

    private static final String SECRETS = "/etc/kafka/secrets";

    private final int port;

    /**
     * The Kafka image of the tests ({@link ContainerImages#kafka()}) where it is the local one; the
     * calling test is skipped otherwise.
     */
    public static DockerImageName localImage() {
        DockerImageName image = ContainerImages.kafka();
        Assumptions.assumeTrue(
                image.getRepository().startsWith("reinforce/"),
                "SCRAM users are created by the local Kafka image's REINFORCE_SCRAM_USERS; the"
                        + " official image has no variable for them.");
        return image;
    }

    public ScramKafkaContainer(DockerImageName image) {
        super(image.asCanonicalNameString());
        this.port = freePort();
        withFixedExposedPort(port, 9092)
                .withEnv("CLUSTER_ID", "5L6g3nShT-eMCtK--X86sw")
                .withEnv("KAFKA_NODE_ID", "1")
                .withEnv("KAFKA_PROCESS_ROLES", "broker,controller")
                .withEnv("KAFKA_LISTENERS", "SASL://:9092,BROKER://:9093,CONTROLLER://:9094")
                .withEnv(
                        "KAFKA_ADVERTISED_LISTENERS",
                        "SASL://localhost:" + port + ",BROKER://localhost:9093")
                .withEnv(
                        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                        "SASL:SASL_PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT")
                .withEnv("KAFKA_INTER_BROKER_LISTENER_NAME", "BROKER")
                .withEnv("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
                .withEnv("KAFKA_SASL_ENABLED_MECHANISMS", "SCRAM-SHA-256")
                .withEnv(
                        "KAFKA_LISTENER_NAME_SASL_SCRAM___SHA___256_SASL_JAAS_CONFIG",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .waitingFor(
                        Wait.forLogMessage(".*Transitioning from RECOVERY to RUNNING.*", 1)
                                .withStartupTimeout(Duration.ofMinutes(2)));
    }

    /** A SCRAM-SHA-256 user the broker accepts. */
    public ScramKafkaContainer withUser(String user, String password) {
        return withEnv("REINFORCE_SCRAM_USERS", user + ":" + password);
    }

    /** SASL over TLS on the client listener, with {@code tls}'s broker keystore. */
    public ScramKafkaContainer withTls(TlsMaterial tls) {
        return withCopyFileToContainer(
                        MountableFile.forHostPath(tls.keystore(), 0644), SECRETS + "/broker.p12")
                .withEnv(
                        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                        "SASL:SASL_SSL,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT")
                .withEnv("KAFKA_LISTENER_NAME_SASL_SSL_KEYSTORE_LOCATION", SECRETS + "/broker.p12")
                .withEnv("KAFKA_LISTENER_NAME_SASL_SSL_KEYSTORE_TYPE", "PKCS12")
                .withEnv("KAFKA_LISTENER_NAME_SASL_SSL_KEYSTORE_PASSWORD", tls.password())
                .withEnv("KAFKA_LISTENER_NAME_SASL_SSL_KEY_PASSWORD", tls.password());
    }

    /** {@code localhost:PORT} of the client listener. */
    public String getBootstrapServers() {
        return "localhost:" + port;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free port.", e);
        }
    }
}
