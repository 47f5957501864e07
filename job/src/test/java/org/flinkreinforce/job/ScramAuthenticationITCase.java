package org.flinkreinforce.job;

import java.time.Duration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkreinforce.job.testing.AuthenticatedLearning;
import org.flinkreinforce.job.testing.ClientProperties;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
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
    static final MiniClusterExtension MINI_CLUSTER = LearnerMiniCluster.withTaskManagers(1);

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
        AuthenticatedLearning.assertLearns(
                ClientProperties.scram(broker.bootstrapServers(), "alice", "alice-secret"),
                5,
                Duration.ofSeconds(60));
    }

    @Test
    void shouldFailFastNamingTheCauseWhenThePasswordIsWrong() throws Exception {
        var wrong = ClientProperties.scram(broker.bootstrapServers(), "alice", "wrong");
        AuthenticatedLearning.assertLearnerRefused(wrong, "Authentication failed");
        AuthenticatedLearning.assertClientRefused(wrong, "Authentication failed");
    }
}
