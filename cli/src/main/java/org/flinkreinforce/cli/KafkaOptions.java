package org.flinkreinforce.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.CommonClientConfigs;
import org.flinkreinforce.cli.kafka.BrokerCheck;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The Kafka connection options every command that talks to a broker shares. A command whose options
 * mean something narrower rewords them with {@link #adapt}.
 */
public final class KafkaOptions {

    static final String BOOTSTRAP_SERVERS = "--bootstrap-servers";
    static final String KAFKA_PROPERTY = "--kafka-property";

    @Option(
            names = BOOTSTRAP_SERVERS,
            required = true,
            paramLabel = "HOST:PORT",
            description = "The Kafka brokers.")
    String bootstrapServers;

    @Option(
            names = KAFKA_PROPERTY,
            paramLabel = "KEY=VALUE",
            description =
                    "A Kafka client property, passed unchanged (e.g. security.protocol=SASL_SSL);"
                            + " repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            defaultValue = "15 s",
            description =
                    "How long to wait for the brokers to answer before giving up (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    /** The client properties, with {@code bootstrap.servers}. */
    public Properties clientProperties() {
        Properties client = new Properties();
        client.putAll(properties);
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return client;
    }

    /**
     * {@link #clientProperties()} once the brokers answered within {@code --connect-timeout}.
     *
     * @throws BrokerCheck.Unreachable naming the brokers and the cause in one line
     */
    public Properties connect() throws BrokerCheck.Unreachable {
        return connect(clientProperties());
    }

    /**
     * {@code client}, e.g. these options merged with a configuration file's Kafka properties, once
     * the brokers answered it within {@code --connect-timeout}.
     *
     * @throws BrokerCheck.Unreachable naming the brokers and the cause in one line
     */
    public Properties connect(Properties client) throws BrokerCheck.Unreachable {
        BrokerCheck.check(client, connectTimeout);
        return client;
    }

    /**
     * Replaces one of these options in {@code command} by {@code change} applied to it, e.g. a
     * description of its own or {@code required(false)}; the value still lands in this class.
     */
    static void adapt(CommandLine command, String name, UnaryOperator<OptionSpec.Builder> change) {
        CommandSpec spec = command.getCommandSpec();
        OptionSpec option = spec.findOption(name);
        spec.remove(option);
        spec.addOption(change.apply(option.toBuilder()).build());
    }
}
