package org.flinkreinforce.job.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
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
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.testing.ContainerImages;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.containers.FixedHostPortGenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A Kafka broker in a container whose client listener requires SASL/SCRAM-SHA-256: the learner and
 * the serving client connect with credentials passed as plain Kafka properties, and a wrong
 * password fails fast naming the cause.
 */
@RequiresDocker
class ScramKafkaContainerITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @Test
    void shouldLearnFromAScramBrokerInAContainerAndRejectAWrongPassword() throws Exception {
        DockerImageName image = ContainerImages.kafka();
        Assumptions.assumeTrue(
                image.getRepository().startsWith("reinforce/"),
                "SCRAM users are created by the local Kafka image's REINFORCE_SCRAM_USERS; the"
                        + " official image has no variable for them.");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (FixedHostPortGenericContainer<?> kafka =
                new FixedHostPortGenericContainer<>(image.asCanonicalNameString())) {
            kafka.withFixedExposedPort(port, 9092)
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
                    .withEnv("REINFORCE_SCRAM_USERS", "carol:carol-secret")
                    .waitingFor(
                            Wait.forLogMessage(".*Transitioning from RECOVERY to RUNNING.*", 1)
                                    .withStartupTimeout(Duration.ofMinutes(2)));
            kafka.start();
            String bootstrap = "localhost:" + port;

            Map<String, String> settings = new HashMap<>();
            settings.put("bootstrap.servers", bootstrap);
            settings.put("policies", "nas:0:3,2");
            settings.put("batch.size", "20");
            settings.put("checkpoint.interval", "300 ms");
            settings.put("publish.interval", "300 ms");
            settings.put("transaction.timeout", "1 min");
            EmbeddedKafkaBroker.scramClientProperties("carol", "carol-secret")
                    .forEach((key, value) -> settings.put((String) key, (String) value));
            JobClient job =
                    LearnerJob.kafka(LearnerConfig.fromMap(settings))
                            .start(StreamExecutionEnvironment.getExecutionEnvironment());
            Properties client = EmbeddedKafkaBroker.scramClientProperties("carol", "carol-secret");
            client.put("bootstrap.servers", bootstrap);
            try (PolicyClient policies = new PolicyClient(client, "reinforce-parameters");
                    EventLogger logger = new EventLogger(client, "reinforce-events")) {
                policies.register(PolicySpec.parse("nas:0:3,2"));
                Random random = new Random(8);
                for (int k = 0; k < 200; k++) {
                    logger.log(policies.decide("nas", new float[0], random), random.nextDouble());
                }
                logger.flush();
                policies.awaitEventsApplied("nas", 200, Duration.ofSeconds(90));
                assertThat(policies.snapshot("nas").orElseThrow().eventsApplied()).isEqualTo(200);
            } finally {
                job.cancel().get();
            }

            Properties wrong = EmbeddedKafkaBroker.scramClientProperties("carol", "wrong");
            wrong.put("bootstrap.servers", bootstrap);
            long start = System.nanoTime();
            try (PolicyClient policies = new PolicyClient(wrong, "reinforce-parameters")) {
                assertThatThrownBy(() -> policies.awaitCaughtUp(Duration.ofSeconds(60)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("Authentication failed");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Duration.ofSeconds(30));
        }
    }
}
