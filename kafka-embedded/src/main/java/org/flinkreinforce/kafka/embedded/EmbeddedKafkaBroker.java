package org.flinkreinforce.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Apache Kafka's own KRaft broker (one node, broker and controller in one), running in this JVM on
 * 127.0.0.1 with free ports and a temporary log directory that {@link #close()} deletes.
 *
 * <p>The storage is formatted with {@code transaction.version=1}: with transactions V2 (KIP-890)
 * the Flink Kafka connector cannot recover a checkpointed transaction after a producer-epoch
 * rollover (FLINK-40689, open for connector 5.0.0-2.2). Production brokers should be formatted the
 * same way; docs/guarantees.md says how.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** The transaction protocol version the storage is formatted with (see the class comment). */
    public static final short TRANSACTION_VERSION = 1;

    private final Path logDirectory;
    private final int brokerPort;
    private final KafkaRaftServer server;
    private final Properties credentials;

    private EmbeddedKafkaBroker(
            Path logDirectory, int brokerPort, KafkaRaftServer server, Properties credentials) {
        this.logDirectory = logDirectory;
        this.brokerPort = brokerPort;
        this.server = server;
        this.credentials = credentials;
    }

    /** The SASL client properties of a user, for a broker started with SCRAM. */
    public static Properties scramClientProperties(String user, String password) {
        Properties properties = new Properties();
        properties.put("security.protocol", "SASL_PLAINTEXT");
        properties.put("sasl.mechanism", "SCRAM-SHA-256");
        properties.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user
                        + "\" password=\""
                        + password
                        + "\";");
        return properties;
    }

    /** Formats fresh storage and starts the broker; returns once it is ready for clients. */
    public static EmbeddedKafkaBroker start() {
        return start(0);
    }

    /**
     * Starts a broker on {@code port} (0 for any free port).
     *
     * @throws IllegalStateException if it does not come up within a minute
     */
    public static EmbeddedKafkaBroker start(int port) {
        return start(port, null, null);
    }

    /**
     * Starts a broker whose client listener ({@link #bootstrapServers()}) requires
     * SASL/SCRAM-SHA-256 with the one user given; brokers talk among themselves on a separate
     * plaintext listener.
     */
    public static EmbeddedKafkaBroker startWithScram(String user, String password) {
        return start(0, user, password);
    }

    private static EmbeddedKafkaBroker start(int port, String scramUser, String scramPassword) {
        try {
            Path logDirectory = Files.createTempDirectory("reinforce-kafka-");
            // Four free ports held open at once (a port closed again may be handed out next);
            // the listeners take distinct ones, never the broker port given.
            int[] free = freePorts(4);
            int brokerPort = port == 0 ? free[0] : port;
            int[] others = java.util.Arrays.stream(free).filter(p -> p != brokerPort).toArray();
            int controllerPort = others[0];
            int internalPort = others[1];
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            p.put("controller.listener.names", "CONTROLLER");
            p.putAll(listeners(brokerPort, controllerPort, internalPort, scramUser != null));
            p.put("log.dirs", logDirectory.toString());
            p.putAll(singleNodeSettings());
            KafkaConfig config = KafkaConfig.fromProps(p, false);
            format(logDirectory, scramUser, scramPassword);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            Properties credentials =
                    scramUser == null
                            ? new Properties()
                            : scramClientProperties(scramUser, scramPassword);
            EmbeddedKafkaBroker broker =
                    new EmbeddedKafkaBroker(logDirectory, brokerPort, server, credentials);
            broker.awaitReady(Duration.ofMinutes(1));
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded Kafka broker.", e);
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded Kafka broker.", e);
        }
    }

    /**
     * The listeners: plaintext for clients and brokers, or SASL/SCRAM-SHA-256 for clients with a
     * separate plaintext listener between brokers; the controller's listener in both cases.
     */
    private static Properties listeners(
            int brokerPort, int controllerPort, int internalPort, boolean scram) {
        Properties p = new Properties();
        String controller = "CONTROLLER://127.0.0.1:" + controllerPort;
        if (!scram) {
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + controller);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            return p;
        }
        String clientsAndInternal =
                "CLIENTS://127.0.0.1:" + brokerPort + ",INTERNAL://127.0.0.1:" + internalPort;
        p.put("listeners", clientsAndInternal + "," + controller);
        p.put("advertised.listeners", clientsAndInternal);
        p.put(
                "listener.security.protocol.map",
                "CLIENTS:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "INTERNAL");
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-256");
        p.put(
                "listener.name.clients.scram-sha-256.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        return p;
    }

    /** One node holds every internal topic; no topic is created by a client's request. */
    private static Properties singleNodeSettings() {
        Properties p = new Properties();
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", Integer.toString(16 << 20));
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 << 20));
        return p;
    }

    /** Formats the log directory as {@code kafka-storage format} does, with the SCRAM user. */
    private static void format(Path logDirectory, String scramUser, String scramPassword)
            throws Exception {
        Formatter formatter = new Formatter();
        if (scramUser != null) {
            formatter.setScramArguments(
                    java.util.List.of(
                            "SCRAM-SHA-256=[name="
                                    + scramUser
                                    + ",password="
                                    + scramPassword
                                    + "]"));
        }
        formatter
                .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setClusterId(Uuid.randomUuid().toString())
                .setNodeId(1)
                .addDirectory(logDirectory.toString())
                .setMetadataLogDirectory(logDirectory.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setFeatureLevel("transaction.version", TRANSACTION_VERSION)
                .run();
    }

    /** {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Client properties: {@code bootstrap.servers}, and the credentials of a SCRAM broker. */
    public Properties clientProperties() {
        Properties properties = new Properties();
        properties.putAll(credentials);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
    }

    /** Creates a topic unless it exists; {@code compacted} for a parameters topic. */
    public void createTopic(String name, int partitions, boolean compacted) {
        NewTopic topic = new NewTopic(name, partitions, (short) 1);
        if (compacted) {
            topic.configs(Map.of("cleanup.policy", "compact"));
        }
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create topic " + name + ".", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name + ".", e);
        }
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(clientProperties())) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The broker did not become ready.");
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        try (Stream<Path> files = Files.walk(logDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory is harmless.
        }
    }

    /**
     * Runs a broker as a process of its own: prints {@code bootstrap.servers=HOST:PORT} on standard
     * output once it is ready, and shuts down (deleting its data) when standard input closes, so a
     * parent process that dies takes it along. {@code ./reinforce bench} uses it to keep the
     * broker's CPU and memory out of the learner's figures.
     */
    public static void main(String[] args) throws IOException {
        try (EmbeddedKafkaBroker broker = start(args.length > 0 ? Integer.parseInt(args[0]) : 0)) {
            System.out.println("bootstrap.servers=" + broker.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Wait for the parent to close our standard input.
            }
        }
    }

    /**
     * {@code count} distinct free ports: all held open at once while chosen, since a port closed
     * again may be the next one the system hands out.
     */
    private static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int k = 0; k < count; k++) {
                sockets[k] = new ServerSocket(0);
                sockets[k].setReuseAddress(true);
                ports[k] = sockets[k].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }
}
