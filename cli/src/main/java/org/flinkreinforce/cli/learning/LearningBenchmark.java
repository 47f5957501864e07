package org.flinkreinforce.cli.learning;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flinkreinforce.cli.bench.Benchmark;
import org.flinkreinforce.cli.flink.Directories;
import org.flinkreinforce.cli.flink.LocalCheckpoints;
import org.flinkreinforce.cli.learning.LearningBenchResult.Point;
import org.flinkreinforce.cli.learning.LearningBenchResult.VariantResult;
import org.flinkreinforce.cli.sim.RecommenderEnvironment;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.client.kafka.SnapshotReader;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.PolicySpec;

/**
 * The learning-quality benchmark behind {@code ./reinforce learning-bench}: one sequence of events
 * of a contextual bandit with a well-specified linear reward model ({@link RecommenderEnvironment}:
 * {@code x ~ N(0, I_d)}, {@code r = theta_a . x + N(0, noise^2)}, {@code theta ~ N(0, 1/d)}),
 * logged by a uniform policy (propensity {@code 1/n}), is written once to a topic; every {@link
 * Variant} learns from it with a learner job of its own from the earliest offset, publishing after
 * every update. The first snapshot to reach each point of a log-spaced grid (the checkpoints
 * included) is scored on a {@link HeldOutSet}.
 */
public final class LearningBenchmark {

    /** What to run. */
    public record Settings(
            long events,
            int features,
            int actions,
            double noise,
            long seed,
            List<Long> checkpoints,
            int heldOutContexts,
            List<Variant> variants,
            String kernel) {

        public Settings {
            if (events < 1) {
                throw new IllegalArgumentException("--events must be at least 1.");
            }
        }
    }

    static final String POLICY_ID = "bandit";

    /** The first point of the learning curve, in events; the curve has 8 points per decade. */
    static final long FIRST_CURVE_POINT = 1_000;

    static final int CURVE_POINTS_PER_DECADE = 8;

    /** How long a variant may go without a new snapshot before the benchmark gives up. */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);

    private static final Set<String> LEARNER_KEYS = learnerKeys();

    private final Settings settings;
    private final PrintStream out;

    public LearningBenchmark(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public LearningBenchResult run() throws Exception {
        PolicySpec spec = new PolicySpec(POLICY_ID, settings.features(), settings.actions());
        RecommenderEnvironment environment =
                new RecommenderEnvironment(
                        settings.features(), settings.actions(), settings.noise(), settings.seed());
        HeldOutSet heldOut =
                new HeldOutSet(
                        environment,
                        settings.actions(),
                        settings.heldOutContexts(),
                        settings.seed() + 4);
        LearningBenchResult result =
                new LearningBenchResult(
                        settings,
                        checkpoints(),
                        heldOut.size(),
                        heldOut.optimalReward(),
                        heldOut.uniformReward());
        out.printf(
                "Bandit: d=%d features, %d actions, noise sd %s, seed %d. Held-out set: %,d"
                        + " contexts, optimal mean expected reward R* = %.4f, uniform R_uniform ="
                        + " %.4f.%n",
                settings.features(),
                settings.actions(),
                settings.noise(),
                settings.seed(),
                heldOut.size(),
                heldOut.optimalReward(),
                heldOut.uniformReward());
        Map<String, String> rejections = rejections(spec);
        out.println("Starting Apache Kafka (KRaft, in-process) ...");
        Path checkpointDirectory = Files.createTempDirectory("reinforce-learning-bench-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            Properties client = broker.clientProperties();
            String run = "learning-" + Long.toString(System.currentTimeMillis(), 36);
            String events = run + "-events";
            broker.createTopic(events, 1, false);
            write(client, events, environment);
            List<Variant> variants = settings.variants();
            for (int k = 0; k < variants.size(); k++) {
                Variant variant = variants.get(k);
                String rejection = rejections.get(variant.name());
                result.variants()
                        .add(
                                rejection != null
                                        ? VariantResult.skipped(variant, rejection)
                                        : learn(
                                                client,
                                                events,
                                                run + "-" + k,
                                                spec,
                                                variant,
                                                heldOut,
                                                checkpointDirectory.resolve(Integer.toString(k))));
            }
        } finally {
            Directories.deleteQuietly(checkpointDirectory);
        }
        return result;
    }

    /** The checkpoints up to {@code --events}, ascending, with {@code --events} itself last. */
    List<Long> checkpoints() {
        TreeSet<Long> kept = new TreeSet<>();
        for (long checkpoint : settings.checkpoints()) {
            if (checkpoint < 1) {
                throw new IllegalArgumentException(
                        "Checkpoints are counts of events, at least 1; got " + checkpoint + ".");
            }
            if (checkpoint < settings.events()) {
                kept.add(checkpoint);
            }
        }
        kept.add(settings.events());
        return List.copyOf(kept);
    }

    /** The checkpoints and a log-spaced grid from {@link #FIRST_CURVE_POINT}, ascending. */
    long[] curveGrid() {
        TreeSet<Long> grid = new TreeSet<>(checkpoints());
        for (int k = 0; ; k++) {
            long point =
                    Math.round(
                            FIRST_CURVE_POINT * Math.pow(10, (double) k / CURVE_POINTS_PER_DECADE));
            if (point >= settings.events()) {
                break;
            }
            grid.add(point);
        }
        return grid.stream().mapToLong(Long::longValue).toArray();
    }

    /** Writes the events once, in the binary format, as the uniform logging policy chose them. */
    private void write(Properties client, String topic, RecommenderEnvironment environment) {
        out.printf(
                "Writing %,d events of the uniform logging policy to %s ...%n",
                settings.events(), topic);
        Random contexts = new Random(settings.seed() + 1);
        SplittableRandom actions = new SplittableRandom(settings.seed() + 2);
        Random noise = new Random(settings.seed() + 3);
        float propensity = 1.0f / settings.actions();
        long started = System.nanoTime();
        long step = Math.max(1, settings.events() / 5);
        try (EventLogger logger = new EventLogger(client, topic, EventFormat.BINARY)) {
            for (long k = 0; k < settings.events(); k++) {
                float[] x = environment.context(contexts);
                int[] action = {actions.nextInt(settings.actions())};
                logger.send(
                        new LoggedEvent(
                                POLICY_ID,
                                x,
                                action,
                                environment.reward(x, action, noise),
                                propensity,
                                LoggedEvent.UNKNOWN_VERSION,
                                null,
                                null,
                                System.currentTimeMillis()));
                if ((k + 1) % step == 0) {
                    out.printf("  %,d events written%n", k + 1);
                }
            }
            logger.flush();
        }
        out.printf("Written in %.1f s.%n", (System.nanoTime() - started) / 1e9);
    }

    /**
     * Why the learner of this build rejects a variant's options (an unknown key, or a value its
     * configuration refuses), by variant name; variants it accepts are absent. Printed, so that a
     * skipped variant shows before the events are written.
     */
    private Map<String, String> rejections(PolicySpec spec) {
        Map<String, String> rejections = new HashMap<>();
        for (Variant variant : settings.variants()) {
            try {
                learnerConfig(new Properties(), "events", "check", spec, variant);
            } catch (IllegalArgumentException e) {
                rejections.put(variant.name(), e.getMessage());
                out.printf(
                        "Skipping variant %s: this learner rejects its options: %s%n",
                        variant.name(), e.getMessage());
            }
        }
        return rejections;
    }

    /** One variant: its learner from the earliest offset until it has applied every event. */
    private VariantResult learn(
            Properties client,
            String events,
            String prefix,
            PolicySpec spec,
            Variant variant,
            HeldOutSet heldOut,
            Path checkpoints)
            throws Exception {
        LearnerConfig config = learnerConfig(client, events, prefix, spec, variant);
        String parameters = config.get(LearnerOptions.PARAMETERS_TOPIC);
        KafkaTopics.ensure(
                client,
                events,
                parameters,
                config.get(LearnerOptions.DEAD_LETTER_TOPIC),
                1,
                List.of(spec));
        out.printf("Variant %s, %s: learning ...%n", variant.name(), variant.describe());
        long[] grid = curveGrid();
        ParameterSnapshot[] atPoint;
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(
                        1, LocalCheckpoints.in(checkpoints));
        long started = System.nanoTime();
        JobClient job = LearnerJob.kafka(config).start(env);
        try {
            atPoint = follow(client, parameters, job, variant, grid);
        } finally {
            job.cancel().get();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        List<Point> curve = score(grid, atPoint, heldOut);
        Point last = curve.get(curve.size() - 1);
        out.printf(
                "Variant %s: %,d events applied in %.1f s; regret greedy %.1f%%, stochastic"
                        + " %.1f%%.%n",
                variant.name(),
                last.eventsApplied(),
                seconds,
                last.greedyRegretPercent(),
                last.stochasticRegretPercent());
        return VariantResult.ran(variant, seconds, curve);
    }

    /**
     * The learner of one variant: the benchmark's publishing (every update) and kernel, then the
     * variant's options, then topics, group and transactional ids of its own, from the earliest
     * offset of the shared events topic.
     *
     * @throws IllegalArgumentException where a key is no learner option or the learner rejects a
     *     value
     */
    private LearnerConfig learnerConfig(
            Properties client, String events, String prefix, PolicySpec spec, Variant variant) {
        for (String key : variant.options().keySet()) {
            if (!LEARNER_KEYS.contains(key) && !key.startsWith(LearnerOptions.POLICY_PREFIX)) {
                throw new IllegalArgumentException(
                        "'" + key + "' is not a learner option of this build.");
            }
        }
        LearnerConfig.Builder builder =
                LearnerConfig.builder()
                        .kafka(client)
                        .set(LearnerOptions.PUBLISH_EVERY_UPDATES, 1)
                        .set(LearnerOptions.KERNEL, settings.kernel())
                        .settings(variant.options());
        return Benchmark.ownRun(builder, prefix)
                .set(LearnerOptions.EVENTS_TOPIC, events)
                .policies(List.of(spec))
                .build();
    }

    /**
     * Follows the parameters topic ({@code read_committed}) until a snapshot has applied every
     * event; answers, per grid point, the first snapshot that reached it. Prints progress every 5
     * s; fails when the job ends or no new snapshot comes for {@link #STALL_TIMEOUT}.
     */
    private ParameterSnapshot[] follow(
            Properties client, String topic, JobClient job, Variant variant, long[] grid)
            throws Exception {
        ParameterSnapshot[] atPoint = new ParameterSnapshot[grid.length];
        int next = 0;
        long applied = 0;
        long lastSnapshot = System.nanoTime();
        long lastPrint = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        SnapshotReader.consumerProperties(client),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            KafkaTopics.assignFromBeginning(consumer, topic, Duration.ofMinutes(1));
            while (applied < settings.events()) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    ParameterSnapshot snapshot = decode(record);
                    if (snapshot == null) {
                        continue;
                    }
                    lastSnapshot = System.nanoTime();
                    applied = Math.max(applied, snapshot.eventsApplied());
                    while (next < grid.length && snapshot.eventsApplied() >= grid[next]) {
                        atPoint[next++] = snapshot;
                    }
                }
                long now = System.nanoTime();
                if (now - lastPrint > Duration.ofSeconds(5).toNanos()) {
                    out.printf(
                            "  %s: %,d of %,d events applied%n",
                            variant.name(), applied, settings.events());
                    lastPrint = now;
                }
                if (now - lastSnapshot > STALL_TIMEOUT.toNanos()) {
                    throw new IllegalStateException(
                            "Variant "
                                    + variant.name()
                                    + ": no new snapshot for "
                                    + STALL_TIMEOUT.toSeconds()
                                    + " s at "
                                    + applied
                                    + " of "
                                    + settings.events()
                                    + " events applied.");
                }
                JobStatus status = job.getJobStatus().get();
                if (status.isGloballyTerminalState()) {
                    throw new IllegalStateException(
                            "Variant "
                                    + variant.name()
                                    + ": the learner job ended ("
                                    + status
                                    + ") at "
                                    + applied
                                    + " events applied.");
                }
            }
        }
        return atPoint;
    }

    private static ParameterSnapshot decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            ParameterSnapshot snapshot = SnapshotCodec.decode(record.value());
            return snapshot.policyId().equals(POLICY_ID) ? snapshot : null;
        } catch (SnapshotFormatException e) {
            return null;
        }
    }

    /** Scores each grid point's snapshot on the held-out set (each version once). */
    private static List<Point> score(long[] grid, ParameterSnapshot[] atPoint, HeldOutSet heldOut) {
        Map<Long, HeldOutSet.Score> byVersion = new HashMap<>();
        List<Point> curve = new ArrayList<>();
        for (int k = 0; k < grid.length; k++) {
            ParameterSnapshot snapshot = atPoint[k];
            HeldOutSet.Score score =
                    byVersion.computeIfAbsent(
                            snapshot.version(), version -> heldOut.score(snapshot.toParameters()));
            curve.add(
                    new Point(
                            grid[k],
                            snapshot.eventsApplied(),
                            snapshot.version(),
                            score.greedyReward(),
                            score.stochasticReward(),
                            heldOut.regretPercent(score.greedyReward()),
                            heldOut.regretPercent(score.stochasticReward())));
        }
        return curve;
    }

    private static Set<String> learnerKeys() {
        Set<String> keys = new HashSet<>();
        LearnerOptions.all().forEach(option -> keys.add(option.key()));
        return Set.copyOf(keys);
    }
}
