package org.flinkreinforce.job.testing;

import java.nio.file.Path;
import java.util.Properties;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;

/**
 * The Kafka client properties of a connection, only plain Kafka properties (as a user passes them
 * to the learner, the CLI and the serving client): unauthenticated, or SCRAM-SHA-256 over SASL in
 * plain text or over TLS.
 */
public final class ClientProperties {

    private ClientProperties() {}

    /** Plain-text access, no authentication, to {@code bootstrapServers}. */
    public static Properties plaintext(String bootstrapServers) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }

    /** {@code user} with {@code password} over SASL_PLAINTEXT to {@code bootstrapServers}. */
    public static Properties scram(String bootstrapServers, String user, String password) {
        Properties properties = EmbeddedKafkaBroker.scramClientProperties(user, password);
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }

    /**
     * {@code user} with {@code password} over SASL_SSL to {@code bootstrapServers}, trusting what
     * {@code truststore} (one of {@code tls}'s truststores) trusts.
     */
    public static Properties scramOverTls(
            String bootstrapServers,
            String user,
            String password,
            TlsMaterial tls,
            Path truststore) {
        Properties properties = scram(bootstrapServers, user, password);
        properties.put("security.protocol", "SASL_SSL");
        properties.putAll(tls.clientProperties(truststore));
        return properties;
    }
}
