package org.flinkreinforce.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** The Kafka connection options every command that talks to a broker shares. */
public final class KafkaOptions {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOST:PORT",
            description = "The Kafka brokers.")
    String bootstrapServers;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description =
                    "A Kafka client property, passed unchanged (e.g. security.protocol=SASL_SSL);"
                            + " repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    /** The client properties, with {@code bootstrap.servers}. */
    public Properties clientProperties() {
        Properties client = new Properties();
        client.putAll(properties);
        client.put("bootstrap.servers", bootstrapServers);
        return client;
    }
}
