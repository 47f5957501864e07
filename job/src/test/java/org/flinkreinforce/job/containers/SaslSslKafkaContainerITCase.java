package org.flinkreinforce.job.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkreinforce.client.kafka.SnapshotReader;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.testing.AuthenticatedLearning;
import org.flinkreinforce.job.testing.ClientProperties;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.job.testing.ScramKafkaContainer;
import org.flinkreinforce.job.testing.TlsMaterial;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka broker in a container whose client listener is SASL_SSL with SCRAM-SHA-256, its
 * certificate signed by a CA made at test time ({@link TlsMaterial}): the learner and the serving
 * client connect with plain Kafka properties (security protocol, SASL mechanism and JAAS config,
 * truststore); a client that does not trust the broker, or has a wrong password, fails fast naming
 * the cause. One broker serves all tests.
 */
@RequiresDocker
class SaslSslKafkaContainerITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = LearnerMiniCluster.withTaskManagers(1);

    @TempDir static Path directory;

    private static TlsMaterial tls;
    private static ScramKafkaContainer kafka;

    @BeforeAll
    static void startBroker() {
        kafka = new ScramKafkaContainer(ScramKafkaContainer.localImage());
        tls = TlsMaterial.generate(directory);
        kafka.withUser("dave", "dave-secret").withTls(tls).start();
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
        Properties client = client("dave-secret", tls.truststore());
        AuthenticatedLearning.assertLearns(client, 9, Duration.ofSeconds(90));
        // A fresh read_committed reader over TLS sees the published parameters.
        Map<String, ParameterSnapshot> published =
                SnapshotReader.readLatest(client, "reinforce-parameters", Duration.ofSeconds(30));
        assertThat(published.get("nas").eventsApplied()).isEqualTo(200);
        assertThat(published.get("nas").version()).isPositive();
    }

    @Test
    void shouldFailFastNamingTheCauseWhenTheClientDoesNotTrustTheBroker() throws Exception {
        Properties untrusting = client("dave-secret", tls.untrustedTruststore());
        AuthenticatedLearning.assertLearnerRefused(untrusting, "SSL handshake failed");
        AuthenticatedLearning.assertClientRefused(untrusting, "SSL handshake failed")
                // the JDK's reason: the broker's certificate chains to no trusted CA
                .hasStackTraceContaining("unable to find valid certification path");
    }

    @Test
    void shouldFailFastNamingTheCauseWhenThePasswordIsWrongOverTls() throws Exception {
        AuthenticatedLearning.assertClientRefused(
                client("wrong", tls.truststore()), "Authentication failed");
    }

    private static Properties client(String password, Path truststore) {
        return ClientProperties.scramOverTls(
                kafka.getBootstrapServers(), "dave", password, tls, truststore);
    }
}
