package org.flinkreinforce.job.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.client.kafka.SnapshotReader;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.testing.ContainerImages;
import org.flinkreinforce.job.testing.TlsMaterial;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.FixedHostPortGenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A Kafka broker in a container whose client listener is SASL_SSL with SCRAM-SHA-256, its
 * certificate signed by a CA made at test time ({@link TlsMaterial}): the learner and the serving
 * client connect with plain Kafka properties (security protocol, SASL mechanism and JAAS config,
 * truststore); a client that does not trust the broker, or has a wrong password, fails fast naming
 * the cause. One broker serves all tests.
 */
@RequiresDocker
class SaslSslKafkaContainerITCase {

    private static final String SECRETS = "/etc/kafka/secrets";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir static Path directory;

    private static TlsMaterial tls;
    private static FixedHostPortGenericContainer<?> kafka;
    private static String bootstrap;

    @BeforeAll
    static void startBroker() throws Exception {
        DockerImageName image = ContainerImages.kafka();
        Assumptions.assumeTrue(
                image.getRepository().startsWith("reinforce/"),
                "SCRAM users are created by the local Kafka image's REINFORCE_SCRAM_USERS; the"
                        + " official image has no variable for them.");
        tls = TlsMaterial.generate(directory);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        kafka = new FixedHostPortGenericContainer<>(image.asCanonicalNameString());
        kafka.withFixedExposedPort(port, 9092)
                .withCopyFileToContainer(
                        MountableFile.forHostPath(tls.keystore(), 0644), SECRETS + "/broker.p12")
                .withEnv("CLUSTER_ID", "5L6g3nShT-eMCtK--X86sw")
                .withEnv("KAFKA_NODE_ID", "1")
                .withEnv("KAFKA_PROCESS_ROLES", "broker,controller")
                .withEnv("KAFKA_LISTENERS", "SASL://:9092,BROKER://:9093,CONTROLLER://:9094")
                .withEnv(
                        "KAFKA_ADVERTISED_LISTENERS",
                        "SASL://localhost:" + port + ",BROKER://localhost:9093")
                .withEnv(
                        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                        "SASL:SASL_SSL,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT")
                .withEnv("KAFKA_INTER_BROKER_LISTENER_NAME", "BROKER")
                .withEnv("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
                .withEnv("KAFKA_SASL_ENABLED_MECHANISMS", "SCRAM-SHA-256")
                .withEnv(
                        "KAFKA_LISTENER_NAME_SASL_SCRAM___SHA___256_SASL_JAAS_CONFIG",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .withEnv("KAFKA_LISTENER_NAME_SASL_SSL_KEYSTORE_LOCATION", SECRETS + "/broker.p12")
                .withEnv("KAFKA_LISTENER_NAME_SASL_SSL_KEYSTORE_TYPE", "PKCS12")
                .withEnv("KAFKA_LISTENER_NAME_SASL_SSL_KEYSTORE_PASSWORD", tls.password())
                .withEnv("KAFKA_LISTENER_NAME_SASL_SSL_KEY_PASSWORD", tls.password())
                .withEnv("REINFORCE_SCRAM_USERS", "dave:dave-secret")
                .waitingFor(
                        Wait.forLogMessage(".*Transitioning from RECOVERY to RUNNING.*", 1)
                                .withStartupTimeout(Duration.ofMinutes(2)));
        kafka.start();
        bootstrap = "localhost:" + port;
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.stop();
        }
    }

    @Test
    void shouldLearnOverSaslSslWithCredentialsAndTruststorePassedAsKafkaProperties()
            throws Exception {
        JobClient job =
                LearnerJob.kafka(LearnerConfig.fromMap(settings("dave-secret", tls.truststore())))
                        .start(StreamExecutionEnvironment.getExecutionEnvironment());
        Properties client = client("dave-secret", tls.truststore());
        try (PolicyClient policies = new PolicyClient(client, "reinforce-parameters");
                EventLogger logger = new EventLogger(client, "reinforce-events")) {
            policies.register(PolicySpec.parse("nas:0:3,2"));
            Random random = new Random(9);
            for (int k = 0; k < 200; k++) {
                logger.log(policies.decide("nas", new float[0], random), random.nextDouble());
            }
            logger.flush();
            assertThat(policies.awaitEventsApplied("nas", 200, Duration.ofSeconds(90))).isTrue();
            assertThat(policies.snapshot("nas").orElseThrow().eventsApplied()).isEqualTo(200);
        } finally {
            job.cancel().get();
        }
        // A fresh read_committed reader over TLS sees the published parameters.
        Map<String, ParameterSnapshot> published =
                SnapshotReader.readLatest(client, "reinforce-parameters", Duration.ofSeconds(30));
        assertThat(published.get("nas").eventsApplied()).isEqualTo(200);
        assertThat(published.get("nas").version()).isPositive();
    }

    @Test
    void shouldFailFastNamingTheCauseWhenTheClientDoesNotTrustTheBroker() throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(
                        () ->
                                LearnerJob.kafka(
                                        LearnerConfig.fromMap(
                                                settings(
                                                        "dave-secret", tls.untrustedTruststore()))))
                .hasStackTraceContaining("SSL handshake failed");
        try (PolicyClient policies =
                new PolicyClient(
                        client("dave-secret", tls.untrustedTruststore()), "reinforce-parameters")) {
            assertThatThrownBy(() -> policies.awaitCaughtUp(Duration.ofSeconds(60)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("SSL handshake failed")
                    // the JDK's reason: the broker's certificate chains to no trusted CA
                    .hasStackTraceContaining("unable to find valid certification path");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void shouldFailFastNamingTheCauseWhenThePasswordIsWrongOverTls() throws Exception {
        long start = System.nanoTime();
        try (PolicyClient policies =
                new PolicyClient(client("wrong", tls.truststore()), "reinforce-parameters")) {
            assertThatThrownBy(() -> policies.awaitCaughtUp(Duration.ofSeconds(60)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Authentication failed");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    /** Only plain Kafka client properties: SASL_SSL, SCRAM, the JAAS config and a truststore. */
    private static Properties client(String password, Path truststore) {
        Properties properties = tls.clientProperties(truststore);
        properties.put("bootstrap.servers", bootstrap);
        properties.put("security.protocol", "SASL_SSL");
        properties.put("sasl.mechanism", "SCRAM-SHA-256");
        properties.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"dave\" password=\""
                        + password
                        + "\";");
        return properties;
    }

    private static Map<String, String> settings(String password, Path truststore) {
        Map<String, String> settings = new HashMap<>();
        settings.put("policies", "nas:0:3,2");
        settings.put("batch.size", "20");
        settings.put("checkpoint.interval", "300 ms");
        settings.put("publish.interval", "300 ms");
        settings.put("transaction.timeout", "1 min");
        client(password, truststore)
                .forEach((key, value) -> settings.put((String) key, (String) value));
        return settings;
    }
}
