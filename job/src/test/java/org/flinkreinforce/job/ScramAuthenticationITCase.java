package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A broker that requires SASL/SCRAM-SHA-256: the job and the serving client connect with
 * credentials passed as plain Kafka properties, and a wrong password fails fast, naming the cause.
 */
class ScramAuthenticationITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.startWithScram("alice", "alice-secret");
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void shouldLearnWithCredentialsPassedAsKafkaProperties() throws Exception {
        Map<String, String> settings = settings("alice-secret");
        JobClient job =
                LearnerJob.kafka(LearnerConfig.fromMap(settings))
                        .start(StreamExecutionEnvironment.getExecutionEnvironment());
        Properties client = broker.clientProperties();
        try (PolicyClient policies = new PolicyClient(client, "reinforce-parameters");
                EventLogger logger = new EventLogger(client, "reinforce-events")) {
            policies.register(PolicySpec.parse("nas:0:3,2"));
            Random random = new Random(5);
            for (int k = 0; k < 200; k++) {
                logger.log(policies.decide("nas", new float[0], random), random.nextDouble());
            }
            logger.flush();
            policies.awaitEventsApplied("nas", 200, Duration.ofSeconds(60));
            assertThat(policies.snapshot("nas").orElseThrow().eventsApplied()).isEqualTo(200);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void shouldFailFastNamingTheCauseWhenThePasswordIsWrong() throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(() -> LearnerJob.kafka(LearnerConfig.fromMap(settings("wrong"))))
                .hasStackTraceContaining("Authentication failed");
        Properties wrong = new Properties();
        wrong.putAll(EmbeddedKafkaBroker.scramClientProperties("alice", "wrong"));
        wrong.put("bootstrap.servers", broker.bootstrapServers());
        try (PolicyClient policies = new PolicyClient(wrong, "reinforce-parameters")) {
            assertThatThrownBy(() -> policies.awaitCaughtUp(Duration.ofSeconds(60)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Authentication failed");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    private static Map<String, String> settings(String password) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", broker.bootstrapServers());
        settings.put("policies", "nas:0:3,2");
        settings.put("batch.size", "20");
        settings.put("checkpoint.interval", "300 ms");
        settings.put("publish.interval", "300 ms");
        settings.put("transaction.timeout", "1 min");
        EmbeddedKafkaBroker.scramClientProperties("alice", password)
                .forEach((key, value) -> settings.put((String) key, (String) value));
        return settings;
    }
}
