package org.flinkreinforce.job.containers;

import java.time.Duration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkreinforce.job.testing.AuthenticatedLearning;
import org.flinkreinforce.job.testing.ClientProperties;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.job.testing.ScramKafkaContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Kafka broker in a container whose client listener requires SASL/SCRAM-SHA-256: the learner and
 * the serving client connect with credentials passed as plain Kafka properties, and a wrong
 * password fails fast naming the cause.
 */
@RequiresDocker
class ScramKafkaContainerITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = LearnerMiniCluster.withTaskManagers(1);

    @Test
    void shouldLearnFromAScramBrokerInAContainerAndRejectAWrongPassword() throws Exception {
        try (ScramKafkaContainer kafka =
                new ScramKafkaContainer(ScramKafkaContainer.localImage())
                        .withUser("carol", "carol-secret")) {
            kafka.start();
            String bootstrap = kafka.getBootstrapServers();
            AuthenticatedLearning.assertLearns(
                    ClientProperties.scram(bootstrap, "carol", "carol-secret"),
                    8,
                    Duration.ofSeconds(90));
            AuthenticatedLearning.assertClientRefused(
                    ClientProperties.scram(bootstrap, "carol", "wrong"), "Authentication failed");
        }
    }
}
