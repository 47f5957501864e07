package org.flinkreinforce.job.compat;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.job.PolicySettings;
import org.flinkreinforce.job.testing.LearnerSettings;
import org.flinkreinforce.job.testing.SharedKafka;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.PolicySpec;

/**
 * Writes the savepoint of a release that {@link SavepointCompatibilityITCase} restores, into {@code
 * job/src/test/resources/savepoints/release-RELEASE/}, and next to it {@value #STATE_FILE}: what
 * the learner held when the savepoint was taken.
 *
 * <p>It runs {@link LearnerJob} (parallelism 1, its own MiniCluster and in-process Kafka broker) on
 * a fixed set of events for two policies, {@code nas:0:4,3} and {@code recs:3:5}, with Adam, mean
 * baselines under several baseline keys, and batches of 16: 53 and 41 events, so each policy has
 * published 3 and 2 updates and holds 5 and 9 events in its pending micro-batch. Once every
 * snapshot is committed and the source has committed every offset (so the state holds every event
 * and no transaction is pending), it stops the job with a savepoint in the canonical format. A
 * plain-Java replay of the same events ({@link ReferenceLearner}) must then agree with the last
 * published snapshots bit for bit; its state (parameters, Adam moments, baselines, the pending
 * events with their advantages) is what the file records.
 *
 * <p>A savepoint stands for the release that wrote it: the fixture refuses to overwrite one. When
 * cutting release X.Y, run it from the repository root with that release's code, then add X.Y to
 * the releases {@link SavepointCompatibilityITCase} restores:
 *
 * <pre>
 * mvn -q -B -o -pl job -am test-compile \
 *     org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
 *     -Dmdep.outputFile=target/test.classpath
 * java --add-modules=jdk.incubator.vector \
 *     -cp job/target/test-classes:job/target/classes:$(cat job/target/test.classpath) \
 *     org.flinkreinforce.job.compat.SavepointFixture X.Y
 * </pre>
 */
public final class SavepointFixture {

    /** The file, beside the savepoint's own files, that records the learner's state. */
    static final String STATE_FILE = "learner-state.properties";

    /** Events per policy in the savepoint: full batches of 16 plus a pending remainder. */
    private static final Map<String, Integer> EVENTS = Map.of("nas", 53, "recs", 41);

    private SavepointFixture() {}

    /** The learner's settings; the restore reuses them, with the broker's address added. */
    static Map<String, String> settings(String release) {
        String prefix = "savepoint-" + release;
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("policies", "nas:0:4,3;recs:3:5");
        LearnerSettings.putTopics(settings, prefix);
        settings.put("optimizer", "adam");
        settings.put("learning-rate", "0.05");
        settings.put("baseline", "mean");
        // Count-only flushing while the job runs: a pending batch stays pending until the
        // savepoint, and is overdue (its timer fires) when the savepoint is restored later.
        settings.put("batch.size", "16");
        settings.put("batch.timeout", "15 s");
        settings.put("publish.every-updates", "1");
        settings.put("publish.interval", "1 h");
        settings.put("checkpoint.interval", "300 ms");
        settings.put("transaction.timeout", "1 min");
        return settings;
    }

    /**
     * {@code count} valid events of {@code spec}, the same for the same arguments: random actions,
     * a reward that favours some of them, a logged propensity and policy version where the policy
     * has features, and baseline keys that alternate (the policy id, the default key, among them).
     */
    static List<PolicyEvent> events(PolicySpec spec, String idPrefix, int count, long seed) {
        Random random = new Random(seed);
        List<PolicyEvent> events = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            float[] features = new float[spec.features()];
            for (int j = 0; j < features.length; j++) {
                features[j] = (float) random.nextGaussian();
            }
            int[] actions = new int[spec.headCount()];
            for (int h = 0; h < actions.length; h++) {
                actions[h] = random.nextInt(spec.actions(h));
            }
            double reward =
                    (actions[0] == 1 ? 1.0 : 0.0)
                            + (features.length > 0 ? 0.5 * features[0] * actions[0] : 0.0)
                            + 0.3 * random.nextGaussian();
            boolean logged = spec.features() > 0;
            events.add(
                    new PolicyEvent(
                            spec.id(),
                            features,
                            actions,
                            reward,
                            logged ? 0.2f + 0.8f * random.nextFloat() : PolicyEvent.ON_POLICY,
                            logged ? k / 16 : PolicyEvent.UNKNOWN_VERSION,
                            k % 3 == 0 ? spec.id() : spec.id() + "-segment-" + k % 3,
                            idPrefix + "-" + spec.id() + "-" + k,
                            1_700_000_000_000L + 1000L * k));
        }
        return events;
    }

    /** The folder of the savepoint of {@code release} on the test classpath. */
    static Path folder(String release) throws URISyntaxException {
        String resource = "/savepoints/release-" + release + "/" + STATE_FILE;
        URL state = SavepointFixture.class.getResource(resource);
        if (state == null) {
            throw new IllegalStateException("No " + resource + " on the test classpath.");
        }
        return Path.of(state.toURI()).getParent();
    }

    /** The recorded state file of {@code release}, from the test classpath. */
    static Properties recorded(String release) throws IOException, URISyntaxException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(folder(release).resolve(STATE_FILE))) {
            properties.load(in);
        }
        return properties;
    }

    /** The settings recorded in {@code recorded}. */
    static Map<String, String> recordedSettings(Properties recorded) {
        Map<String, String> settings = new HashMap<>();
        for (String key : recorded.stringPropertyNames()) {
            if (key.startsWith("setting.")) {
                settings.put(key.substring("setting.".length()), recorded.getProperty(key));
            }
        }
        return settings;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("Usage: SavepointFixture RELEASE (e.g. 0.2)");
        }
        String release = args[0];
        Path resources = Path.of("job/src/test/resources");
        if (!Files.isDirectory(resources)) {
            throw new IllegalStateException("Run the fixture from the repository root.");
        }
        Path target = resources.resolve("savepoints/release-" + release);
        if (Files.exists(target)) {
            throw new IllegalStateException(
                    target
                            + " exists: the savepoint of a release is never rewritten (delete the"
                            + " folder first only if that release is not out).");
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            generate(broker, release, target);
        }
        System.out.println("Wrote " + target + ":");
        try (Stream<Path> files = Files.walk(target)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                System.out.printf("%8d  %s%n", Files.size(file), target.relativize(file));
            }
        }
    }

    private static void generate(EmbeddedKafkaBroker broker, String release, Path target)
            throws Exception {
        Map<String, String> settings = settings(release);
        settings.put("bootstrap.servers", broker.bootstrapServers());
        LearnerConfig config = LearnerConfig.fromMap(settings);
        String eventsTopic = config.get(LearnerOptions.EVENTS_TOPIC);
        String parametersTopic = config.get(LearnerOptions.PARAMETERS_TOPIC);
        broker.createTopic(eventsTopic, 1, false);
        broker.createTopic(parametersTopic, 1, true);
        broker.createTopic(config.get(LearnerOptions.DEAD_LETTER_TOPIC), 1, false);

        // The two policies' events, interleaved: each policy's own order is what counts.
        Map<String, ReferenceLearner> reference = new LinkedHashMap<>();
        List<List<PolicyEvent>> perPolicy = new ArrayList<>();
        for (PolicySettings policy : new TreeMap<>(config.policies()).values()) {
            reference.put(policy.spec().id(), new ReferenceLearner(policy, config.kernel()));
            perPolicy.add(
                    events(
                            policy.spec(),
                            "release-" + release,
                            EVENTS.get(policy.spec().id()),
                            policy.spec().id().hashCode()));
        }
        List<PolicyEvent> events = new ArrayList<>();
        for (int k = 0; events.size() < EVENTS.values().stream().mapToInt(n -> n).sum(); k++) {
            for (List<PolicyEvent> policyEvents : perPolicy) {
                if (k < policyEvents.size()) {
                    events.add(policyEvents.get(k));
                }
            }
        }

        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, configuration);
        JobClient client = LearnerJob.kafka(config).start(env);
        Properties clientProperties = broker.clientProperties();
        try (EventLogger logger = new EventLogger(clientProperties, eventsTopic)) {
            for (PolicyEvent event : events) {
                logger.send(event.toLogged());
                reference.get(event.policyId).accept(event);
            }
            logger.flush();
        }
        for (Map.Entry<String, ReferenceLearner> entry : reference.entrySet()) {
            long version = entry.getValue().version;
            SharedKafka.await(
                    "policy " + entry.getKey() + " to publish version " + version,
                    Duration.ofSeconds(60),
                    () ->
                            SharedKafka.snapshots(clientProperties, parametersTopic).stream()
                                    .anyMatch(
                                            snapshot ->
                                                    snapshot.policyId().equals(entry.getKey())
                                                            && snapshot.version() >= version));
        }
        // Offsets are committed when a checkpoint completes: that checkpoint holds every event,
        // the pending ones included, and committed every snapshot published before it.
        SharedKafka.awaitCommitted(
                clientProperties, config.get(LearnerOptions.GROUP_ID), events.size());
        Path savepoints = Files.createTempDirectory("savepoint-fixture");
        long takenAt = System.currentTimeMillis();
        String savepoint =
                client.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);

        // The job learned exactly what the reference did, and no pending batch was flushed
        // before the savepoint.
        Map<String, ParameterSnapshot> published = new HashMap<>();
        for (ParameterSnapshot snapshot :
                SharedKafka.snapshots(clientProperties, parametersTopic)) {
            published.put(snapshot.policyId(), snapshot);
        }
        for (Map.Entry<String, ReferenceLearner> entry : reference.entrySet()) {
            ReferenceLearner learner = entry.getValue();
            ParameterSnapshot snapshot = published.get(entry.getKey());
            if (snapshot == null
                    || snapshot.version() != learner.version
                    || snapshot.updates() != learner.updates
                    || snapshot.eventsApplied() != learner.eventsApplied
                    || snapshot.eventDigest() != learner.eventDigest
                    || !Arrays.equals(snapshot.parameters(), learner.parameters)) {
                throw new IllegalStateException(
                        "Policy "
                                + entry.getKey()
                                + ": the job's last snapshot "
                                + snapshot
                                + " is not the reference's state (version "
                                + learner.version
                                + ", "
                                + learner.eventsApplied
                                + " events applied); regenerate on a less loaded machine if a"
                                + " pending batch timed out.");
            }
        }

        Properties recorded = new Properties();
        recorded.setProperty("release", release);
        recorded.setProperty("flink.version", EnvironmentInformation.getVersion());
        recorded.setProperty("savepoint.taken-at-millis", Long.toString(takenAt));
        recorded.setProperty("savepoint.format", SavepointFormatType.CANONICAL.name());
        settings.remove("bootstrap.servers");
        settings.forEach((key, value) -> recorded.setProperty("setting." + key, value));
        recorded.setProperty(
                "events.end-offset.0", Long.toString(endOffset(clientProperties, eventsTopic)));
        recorded.setProperty("policies", String.join(",", reference.keySet()));
        reference.values().forEach(learner -> learner.write(recorded));

        copy(Path.of(URI.create(savepoint)), target);
        List<String> files = new ArrayList<>();
        try (Stream<Path> all = Files.walk(target)) {
            for (Path file : all.filter(Files::isRegularFile).sorted().toList()) {
                files.add(target.relativize(file) + " (" + Files.size(file) + " bytes)");
            }
        }
        recorded.setProperty("savepoint.files", String.join(", ", files));
        write(recorded, target.resolve(STATE_FILE));
    }

    private static long endOffset(Properties clientProperties, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        clientProperties,
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(partition)).get(partition);
        }
    }

    /** Copies the files and folders under {@code from} into {@code to}. */
    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path copy = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        }
    }

    /** The properties sorted by key, without the date {@link Properties#store} adds. */
    private static void write(Properties properties, Path file) {
        StringWriter text = new StringWriter();
        try {
            properties.store(text, null);
            List<String> lines = new ArrayList<>();
            lines.add("# What the learner held when the savepoint beside this file was taken,");
            lines.add("# written by " + SavepointFixture.class.getName() + ".");
            text.toString()
                    .lines()
                    .filter(line -> !line.startsWith("#"))
                    .sorted()
                    .forEach(lines::add);
            Files.write(file, lines, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
