package org.flinkreinforce.job;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkreinforce.job.testing.AuthenticatedLearning;
import org.flinkreinforce.job.testing.ClientProperties;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * The password in a file, read through Kafka's file config provider: the properties the
     * learner, its job graph and the serving client carry name the file, never the secret.
     */
    @Test
    void shouldLearnWithThePasswordReadThroughAConfigProvider(@TempDir Path secrets)
            throws Exception {
        Path file = secrets.resolve("kafka-secrets.properties");
        Properties secret = new Properties();
        secret.put(
                "jaas",
                ClientProperties.scram(broker.bootstrapServers(), "alice", "alice-secret")
                        .getProperty("sasl.jaas.config"));
        try (Writer out = Files.newBufferedWriter(file)) {
            secret.store(out, null);
        }
        Properties properties =
                ClientProperties.scram(broker.bootstrapServers(), "alice", "unused");
        properties.put("config.providers", "file");
        properties.put(
                "config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider");
        properties.put("sasl.jaas.config", "${file:" + file + ":jaas}");

        AuthenticatedLearning.assertLearns(properties, 5, Duration.ofSeconds(60));
    }

    @Test
    void shouldFailFastNamingTheCauseWhenThePasswordIsWrong() throws Exception {
        var wrong = ClientProperties.scram(broker.bootstrapServers(), "alice", "wrong");
        AuthenticatedLearning.assertLearnerRefused(wrong, "Authentication failed");
        AuthenticatedLearning.assertClientRefused(wrong, "Authentication failed");
    }
}
