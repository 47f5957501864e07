package org.flinkreinforce.cli.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.flinkreinforce.cli.flink.Directories;
import org.flinkreinforce.cli.flink.LocalCheckpoints;
import org.flinkreinforce.cli.kafka.DeadLetterCount;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.job.RankerSettings;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;

/**
 * The end-to-end benchmark behind {@code ./reinforce bench}. Phases, on one broker:
 *
 * <ol>
 *   <li>pre-load N events of a known bandit (not timed);
 *   <li>read them once with one plain Kafka consumer: the I/O ceiling;
 *   <li>run the learner from the earliest offset until a visible snapshot includes all N: events
 *       per second between the first and the last snapshot (the learner's own clock), CPU seconds
 *       per million events, heap (live after a full GC at fixed fractions of the run, and peak) and
 *       RSS;
 *   <li>a steady load at a fixed rate: per event, the time from its send to the first snapshot that
 *       includes it becoming visible to a {@code read_committed} consumer (p50, p99, max);
 *   <li>with {@link PolicyKind#RANKER}: the same events, pre-loaded with phase 1 as ranker events
 *       ({@link RankerEvents}) and read with phase 2 by a plain consumer, learned by a ranker
 *       policy in learners that alternate with further softmax learners on the phase 1 events,
 *       {@link Settings#pairs} pairs (the first pair's softmax learner is phase 3's): each learner
 *       from the earliest offset of a run of its own until a visible snapshot includes all N, its
 *       rate measured as in phase 3;
 *   <li>with {@link RewardsMode#SPLIT}: the same events pre-loaded once more as decisions and their
 *       delayed rewards ({@link SplitHistory}, not timed), and a second learner, with {@code
 *       rewards.join}, from the earliest offset until a visible snapshot includes all N: its rate
 *       measured as in phase 3, next to the pre-joined one.
 * </ol>
 *
 * A snapshot "includes" the first k events sent when it has applied k events. That is exact with
 * one partition (events are learned in append order) and the natural watermark with more.
 */
public final class Benchmark {

    /** What to run. {@code bootstrapServers == null} starts a broker process. */
    public record Settings(
            long events,
            int features,
            int actions,
            EventFormat format,
            int parallelism,
            int partitions,
            String bootstrapServers,
            Map<String, String> kafkaProperties,
            Map<String, String> learnerProperties,
            double latencySeconds,
            Double latencyRate,
            KernelChoice kernel,
            long seed,
            long baselineKeys,
            RewardsMode rewards,
            PolicyKind policyKind,
            int pairs) {}

    /** The one policy the benchmark learns. */
    static final String POLICY_ID = "bench";

    /** The share of the events left out of the steady rate while the JIT warms up. */
    static final double WARM_UP_FRACTION = 0.2;

    /** Where the run's one full collection measures the live heap, before the steady window. */
    static final double LIVE_HEAP_FRACTION = 0.1;

    /**
     * The ranker learner's {@code publish.interval}, its only trigger to publish (it has no {@code
     * publish.every-updates}; its default is 1 s). Rates are read off the snapshots' creation
     * times, and the last snapshot waits for this interval: at 100 ms the error is under 1% of a
     * window of 10 s or more, while each publication's scan of the 2^bits weights costs the learner
     * under 1% (at 10 ms it cost a tenth of the learner's thread at 2^18 weights).
     */
    static final Duration RANKER_PUBLISH_INTERVAL = Duration.ofMillis(100);

    private final Settings settings;
    private final PrintStream out;

    public Benchmark(Settings settings, PrintStream out) {
        if (settings.events() < 1) {
            throw new IllegalArgumentException("--events must be at least 1.");
        }
        if (settings.pairs() < 1) {
            throw new IllegalArgumentException("--pairs must be at least 1.");
        }
        if (settings.policyKind() == PolicyKind.RANKER && settings.rewards() == RewardsMode.SPLIT) {
            throw new IllegalArgumentException(
                    "--policy-kind ranker takes --rewards inline: the bench's joined phase logs"
                            + " softmax decisions only.");
        }
        this.settings = settings;
        this.out = out;
    }

    public BenchmarkResult run() throws Exception {
        BrokerProcess broker = null;
        try {
            String bootstrap = settings.bootstrapServers();
            if (bootstrap == null) {
                out.println("Starting Apache Kafka (KRaft) in a process of its own ...");
                broker = BrokerProcess.start();
                bootstrap = broker.bootstrapServers();
            }
            return run(bootstrap, broker);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private BenchmarkResult run(String bootstrap, BrokerProcess broker) throws Exception {
        Path checkpoints = Files.createTempDirectory("reinforce-bench-checkpoints-");
        try {
            return run(bootstrap, broker, checkpoints);
        } finally {
            Directories.deleteQuietly(checkpoints);
        }
    }

    private BenchmarkResult run(String bootstrap, BrokerProcess broker, Path checkpoints)
            throws Exception {
        Properties client = new Properties();
        client.putAll(settings.kafkaProperties());
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        String run = "bench-" + Long.toString(System.currentTimeMillis(), 36);
        PolicySpec spec = spec();
        LearnerConfig config = learnerConfig(client, run, spec);
        LearnerConfig joinConfig =
                settings.rewards() == RewardsMode.SPLIT
                        ? joinConfig(client, run + "-joined", spec)
                        : null;
        String events = config.get(LearnerOptions.EVENTS_TOPIC);
        createTopics(client, config);
        boolean ranker = settings.policyKind() == PolicyKind.RANKER;
        String rankerEvents = run + "-ranker-events";

        BenchmarkResult result = newResult(bootstrap, broker);
        // The latency phase goes on with the events after the pre-loaded ones.
        BanditEvents bandit = bandit(spec, run);
        preload(result, client, events, bandit);
        if (ranker) {
            preloadRanker(
                    result, client, rankerConfig(client, run, 1, rankerEvents), bandit(spec, run));
        }
        measureRawConsumer(result, client, events, broker);
        if (ranker) {
            result.rankerRawConsumer = rawConsumer(client, rankerEvents, broker);
            out.printf(
                    "Raw consumer, ranker events: %,.0f records/s.%n",
                    result.rankerRawConsumer.recordsPerSecond());
        }
        learn(result, client, config, broker, checkpoints, bandit);
        result.deadLetters =
                DeadLetterCount.count(client, config.get(LearnerOptions.DEAD_LETTER_TOPIC));
        if (ranker) {
            comparePairs(result, client, run, events, rankerEvents, broker, checkpoints);
        }
        if (joinConfig != null) {
            createTopics(client, joinConfig);
            preloadSplit(result, client, joinConfig, bandit(spec, run));
            learnJoined(result, client, joinConfig, broker, checkpoints);
            result.joinedDeadLetters =
                    DeadLetterCount.count(client, joinConfig.get(LearnerOptions.DEAD_LETTER_TOPIC));
        }
        return result;
    }

    /**
     * The bandit's events from the first: each call gives the same sequence, so that the pre-joined
     * and the joined phase learn the same events (the same ids, too: each has topics of its own).
     */
    private BanditEvents bandit(PolicySpec spec, String run) {
        return new BanditEvents(spec, settings.seed(), run + "-", settings.baselineKeys());
    }

    /**
     * The topics of {@code config}'s run that are missing: events, parameters (for its softmax and
     * ranker policies' snapshots) and dead letters, and where it joins rewards the decisions and
     * rewards topics, as many partitions each, kept whatever the age of their records (a split
     * history starts long before now).
     */
    private void createTopics(Properties client, LearnerConfig config) throws InterruptedException {
        KafkaTopics.ensure(
                client,
                config.get(LearnerOptions.EVENTS_TOPIC),
                config.get(LearnerOptions.PARAMETERS_TOPIC),
                config.get(LearnerOptions.DEAD_LETTER_TOPIC),
                settings.partitions(),
                config.specs().values(),
                config.rankerSnapshotBytes());
        if (config.get(LearnerOptions.JOIN_REWARDS)) {
            List<NewTopic> topics = new ArrayList<>();
            for (var topic :
                    List.of(LearnerOptions.DECISIONS_TOPIC, LearnerOptions.REWARDS_TOPIC)) {
                topics.add(
                        new NewTopic(
                                        config.get(topic),
                                        Optional.of(settings.partitions()),
                                        Optional.empty())
                                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")));
            }
            KafkaTopics.createMissing(client, topics);
        }
    }

    /**
     * The learner of one run: topics, consumer group and transactional ids of its own, from the
     * earliest offset, topics created beforehand; {@code --learner-property} settings last.
     */
    /**
     * A learner of a run of its own: topics {@code run-events}, {@code run-parameters}, {@code
     * run-dead-letters} (which the run creates) and {@code run-control} (which the learner
     * creates), group and transactional ids {@code run}, reading from the earliest offset.
     */
    public static LearnerConfig.Builder ownRun(LearnerConfig.Builder builder, String run) {
        return builder.set(LearnerOptions.EVENTS_TOPIC, run + "-events")
                .set(LearnerOptions.PARAMETERS_TOPIC, run + "-parameters")
                .set(LearnerOptions.DEAD_LETTER_TOPIC, run + "-dead-letters")
                .set(LearnerOptions.CONTROL_TOPIC, run + "-control")
                .set(LearnerOptions.GROUP_ID, run)
                .set(LearnerOptions.TRANSACTIONAL_ID_PREFIX, run)
                .set(LearnerOptions.STARTING_OFFSETS, LearnerOptions.StartingOffsets.EARLIEST)
                .set(LearnerOptions.CREATE_TOPICS, false);
    }

    private LearnerConfig learnerConfig(Properties client, String run, PolicySpec spec) {
        return learnerSettings(client, run, spec).build();
    }

    private LearnerConfig.Builder learnerSettings(Properties client, String run, PolicySpec spec) {
        return ownRun(LearnerConfig.builder().kafka(client), run)
                .policies(List.of(spec))
                .set(LearnerOptions.KERNEL, settings.kernel().toString())
                .settings(settings.learnerProperties());
    }

    /**
     * The softmax learner of pair {@code pair} (from 2; the first is phase 3's): {@link
     * #learnerConfig} in a run of its own, on the phase 1 events of {@code events}.
     */
    private LearnerConfig fixedConfig(Properties client, String run, int pair, String events) {
        return learnerSettings(client, run + "-fixed-" + pair, spec())
                .set(LearnerOptions.EVENTS_TOPIC, events)
                .build();
    }

    /**
     * The ranker learner of pair {@code pair}, in a run of its own on the ranker events of {@code
     * events}: the one ranker policy {@link #POLICY_ID}, crossing {@link
     * RankerEvents#INTERACTIONS}, published every {@link #RANKER_PUBLISH_INTERVAL}; {@code
     * --learner-property} settings last.
     */
    private LearnerConfig rankerConfig(Properties client, String run, int pair, String events) {
        return ownRun(LearnerConfig.builder().kafka(client), run + "-ranker-" + pair)
                .set(LearnerOptions.EVENTS_TOPIC, events)
                .set(LearnerOptions.RANKERS, List.of(POLICY_ID))
                .set(LearnerOptions.RANKER_INTERACTIONS, RankerEvents.INTERACTIONS)
                .set(LearnerOptions.PUBLISH_INTERVAL, RANKER_PUBLISH_INTERVAL)
                .settings(settings.learnerProperties())
                .build();
    }

    private PolicySpec spec() {
        return new PolicySpec(POLICY_ID, settings.features(), settings.actions());
    }

    /**
     * The learner of the joined phase: {@link #learnerConfig} (the same {@code --learner-property}
     * settings, {@code reward.*} included) in a run of its own that joins {@code run-decisions}
     * with {@code run-rewards}, in event time.
     */
    private LearnerConfig joinConfig(Properties client, String run, PolicySpec spec) {
        LearnerConfig config =
                learnerSettings(client, run, spec)
                        .set(LearnerOptions.JOIN_REWARDS, true)
                        .set(LearnerOptions.DECISIONS_TOPIC, run + "-decisions")
                        .set(LearnerOptions.REWARDS_TOPIC, run + "-rewards")
                        .build();
        if (config.rewardJoin().processingTime()) {
            throw new IllegalArgumentException(
                    "--rewards split replays a history in event time; reward.time=processing"
                            + " would hold every decision for reward.wait of wall-clock time.");
        }
        return config;
    }

    private BenchmarkResult newResult(String bootstrap, BrokerProcess broker) {
        BenchmarkResult result = new BenchmarkResult();
        result.events = settings.events();
        result.shape = settings.features() + ":" + settings.actions();
        result.format = settings.format().toString();
        result.parallelism = settings.parallelism();
        result.partitions = settings.partitions();
        result.baselineKeys = settings.baselineKeys();
        result.rewards = settings.rewards();
        result.policyKind = settings.policyKind();
        result.broker = broker == null ? bootstrap : "local process";
        result.availableProcessors = Runtime.getRuntime().availableProcessors();
        result.cpu = CpuModel.name();
        return result;
    }

    /** Phase 1: the events of the bandit, not timed beyond the pre-load's own duration. */
    private void preload(
            BenchmarkResult result, Properties client, String events, BanditEvents bandit) {
        out.printf(
                "Pre-loading %,d %s events (d=%d, %d actions) into %s ...%n",
                settings.events(),
                settings.format(),
                settings.features(),
                settings.actions(),
                events);
        long preloadStart = System.nanoTime();
        result.eventBytes = preload(client, events, bandit, settings.format()::encode);
        result.preloadSeconds = (System.nanoTime() - preloadStart) / 1e9;
        result.meanEventBytes = (double) result.eventBytes / settings.events();
        out.printf(
                "Pre-loaded in %.1f s (%.0f bytes per event).%n",
                result.preloadSeconds, result.meanEventBytes);
    }

    /**
     * With {@link PolicyKind#RANKER}, after phase 1: the same events as ranker events of {@code
     * config}'s ranker policy into its events topic, not timed.
     */
    private void preloadRanker(
            BenchmarkResult result, Properties client, LearnerConfig config, BanditEvents bandit)
            throws InterruptedException {
        createTopics(client, config);
        RankerSettings ranker = config.rankers().get(POLICY_ID);
        result.rankerBits = ranker.spec().bits();
        result.rankerInteractions = RankerEvents.INTERACTIONS;
        result.rankerPublishIntervalMillis = ranker.publishIntervalMillis();
        String events = config.get(LearnerOptions.EVENTS_TOPIC);
        out.printf(
                "Pre-loading the same events as %s ranker events (%d candidates, %d shared"
                        + " features) into %s ...%n",
                settings.format(), settings.actions(), settings.features(), events);
        RankerEvents rankings = new RankerEvents(settings.actions(), ranker.spec());
        long bytes =
                preload(client, events, bandit, event -> rankings.encode(event, settings.format()));
        result.meanRankerEventBytes = (double) bytes / settings.events();
        out.printf("Pre-loaded (%.0f bytes per event).%n", result.meanRankerEventBytes);
    }

    /** Sends the first {@code --events} events of {@code bandit}; answers their bytes. */
    private long preload(
            Properties client,
            String topic,
            BanditEvents bandit,
            Function<LoggedEvent, byte[]> encoder) {
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(client)) {
            for (long k = 0; k < settings.events(); k++) {
                byte[] value = encoder.apply(bandit.next(System.currentTimeMillis()));
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, value));
            }
            producer.flush();
        }
        return bytes;
    }

    /**
     * Phase 6, not timed beyond its own duration: the events of {@code bandit} as decisions and
     * their rewards, logged apart ({@link SplitHistory}).
     */
    private void preloadSplit(
            BenchmarkResult result, Properties client, LearnerConfig config, BanditEvents bandit) {
        long wait = config.rewardJoin().waitOf(POLICY_ID);
        SplitHistory history =
                new SplitHistory(
                        config.get(LearnerOptions.DECISIONS_TOPIC),
                        config.get(LearnerOptions.REWARDS_TOPIC),
                        settings.partitions(),
                        settings.format(),
                        settings.events(),
                        wait,
                        config.get(LearnerOptions.REWARD_OUT_OF_ORDERNESS).toMillis(),
                        System.currentTimeMillis(),
                        settings.seed());
        out.printf(
                "Pre-loading the same events as %,d decisions and their rewards over %,d min of"
                        + " event time into %s and %s ...%n",
                settings.events(),
                history.historyMillis() / 60_000,
                config.get(LearnerOptions.DECISIONS_TOPIC),
                config.get(LearnerOptions.REWARDS_TOPIC));
        long preloadStart = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(client)) {
            history.write(bandit, producer::send);
            producer.flush();
        }
        result.splitPreloadSeconds = (System.nanoTime() - preloadStart) / 1e9;
        long records = settings.events() + settings.partitions();
        result.meanDecisionBytes = (double) history.decisionBytes() / records;
        result.meanRewardBytes = (double) history.rewardBytes() / records;
        result.historyMillis = history.historyMillis();
        result.maxRewardDelayMillis = history.maxRewardDelayMillis();
        result.rewardWaitMillis = wait;
        result.joinedCheckpointIntervalMillis = config.checkpointInterval().toMillis();
        out.printf(
                "Pre-loaded in %.1f s (%.0f bytes per decision, %.0f per reward).%n",
                result.splitPreloadSeconds, result.meanDecisionBytes, result.meanRewardBytes);
    }

    /** Phase 2: one plain consumer reads the events twice; the second read is measured. */
    private void measureRawConsumer(
            BenchmarkResult result, Properties client, String events, BrokerProcess broker) {
        out.println(
                "Reading them with one plain Kafka consumer (twice: warm-up, then measured) ...");
        BenchmarkResult.RawRead read = rawConsumer(client, events, broker);
        result.rawConsumerRecordsPerSecond = read.recordsPerSecond();
        result.rawConsumerCpuSecondsPerMillionEvents = read.cpuSecondsPerMillionRecords();
        result.rawConsumerBrokerCpuSecondsPerMillionEvents =
                read.brokerCpuSecondsPerMillionRecords();
        out.printf("Raw consumer: %,.0f records/s.%n", result.rawConsumerRecordsPerSecond);
    }

    /** One plain consumer reads {@code topic}'s events twice; the second read is measured. */
    private BenchmarkResult.RawRead rawConsumer(
            Properties client, String topic, BrokerProcess broker) {
        rawConsumerRate(client, topic, settings.events());
        double brokerCpuBefore = broker == null ? Double.NaN : broker.cpuSeconds();
        double ownCpuBefore = ProcessStats.ownCpuSeconds();
        double rate = rawConsumerRate(client, topic, settings.events());
        return new BenchmarkResult.RawRead(
                rate,
                (ProcessStats.ownCpuSeconds() - ownCpuBefore) / settings.events() * 1e6,
                (broker == null ? Double.NaN : broker.cpuSeconds() - brokerCpuBefore)
                        / settings.events()
                        * 1e6);
    }

    /**
     * Phases 3 and 4: the learner from the earliest offset until a visible snapshot includes every
     * event, then the steady load of the latency phase.
     */
    private void learn(
            BenchmarkResult result,
            Properties client,
            LearnerConfig config,
            BrokerProcess broker,
            Path checkpoints,
            BanditEvents bandit)
            throws Exception {
        var policy = config.policies().get(POLICY_ID);
        result.kernel = GradientKernels.resolve(settings.kernel()).kernel();
        result.batchSize = policy.batchSize();
        result.batchTimeoutMillis = policy.batchTimeoutMillis();
        result.publishIntervalMillis = policy.publishIntervalMillis();
        result.checkpointIntervalMillis = config.checkpointInterval().toMillis();

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (LearnerRun learner = new LearnerRun(client, config, broker)) {
            out.printf(
                    "Running the learner (parallelism %d, kernel %s) from the earliest offset"
                            + " ...%n",
                    settings.parallelism(), result.kernel);
            result.liveHeapBytes.add(liveHeap(memory));
            result.liveHeapAtEvents.add(0L);
            HeapAfterGc heapAfterGc = new HeapAfterGc(learner.watcher::eventsApplied);
            learner.start(checkpoints);
            boolean[] liveHeapEarly = {false};
            WarmedUp warmedUp =
                    learner.awaitEveryEvent(
                            applied -> {
                                if (!liveHeapEarly[0]
                                        && applied >= LIVE_HEAP_FRACTION * settings.events()) {
                                    // One full collection before the steady window: the live
                                    // heap early in the run, to compare with the one at the end.
                                    liveHeapEarly[0] = true;
                                    result.liveHeapBytes.add(liveHeap(memory));
                                    result.liveHeapAtEvents.add(applied);
                                }
                            });
            ThreadCpu threadsAfter = ThreadCpu.snapshot();
            learner.sampler.stop();
            heapAfterGc.close();
            result.heapAfterGcByDecile = heapAfterGc.deciles(settings.events());
            result.garbageCollections = heapAfterGc.collections();
            result.liveHeapBytes.add(liveHeap(memory));
            result.liveHeapAtEvents.add(learner.watcher.eventsApplied());
            learner.measure(result.learner, warmedUp, threadsAfter);
            out.printf(
                    "Learner: %,.0f events/s (%.2f of the raw consumer).%n",
                    result.learner.eventsPerSecond,
                    result.learner.eventsPerSecond / result.rawConsumerRecordsPerSecond);

            if (settings.latencySeconds() > 0) {
                double rate =
                        settings.latencyRate() != null
                                ? settings.latencyRate()
                                : Math.max(
                                        100, Math.min(50_000, result.learner.eventsPerSecond / 4));
                latency(
                        result,
                        client,
                        config.get(LearnerOptions.EVENTS_TOPIC),
                        learner.watcher,
                        bandit,
                        rate);
            }
        }
        result.maxHeapBytes = memory.getHeapMemoryUsage().getMax();
        result.peakRssBytes = ProcessStats.peakResidentBytes(ProcessHandle.current().pid());
    }

    /**
     * Phase 6: the learner that joins decisions with their rewards, from the earliest offset until
     * a visible snapshot includes every event; rates and CPU as in phase 3.
     */
    private void learnJoined(
            BenchmarkResult result,
            Properties client,
            LearnerConfig config,
            BrokerProcess broker,
            Path checkpoints)
            throws Exception {
        result.joined = drain(client, config, broker, checkpoints, "with rewards.join");
        out.printf(
                "Learner, rewards joined: %,.0f events/s (%.2f of the pre-joined rate).%n",
                result.joined.eventsPerSecond, result.joinedToPreJoined());
    }

    /**
     * Phase 5 with {@link PolicyKind#RANKER}: {@link Settings#pairs} pairs of a softmax learner on
     * {@code events} and a ranker learner on {@code rankerEvents}, each in a run of its own, in
     * alternating order (softmax first in odd pairs), so that drift of the machine falls on both
     * alike; the first pair's softmax learner is phase 3's.
     */
    private void comparePairs(
            BenchmarkResult result,
            Properties client,
            String run,
            String events,
            String rankerEvents,
            BrokerProcess broker,
            Path checkpoints)
            throws Exception {
        for (int pair = 1; pair <= settings.pairs(); pair++) {
            boolean rankerFirst = pair % 2 == 0;
            Drain ranker = null;
            if (rankerFirst) {
                ranker = drainRanker(result, client, run, pair, rankerEvents, broker, checkpoints);
            }
            Drain fixed = result.learner;
            if (pair > 1) {
                LearnerConfig config = fixedConfig(client, run, pair, events);
                createTopics(client, config);
                fixed = drain(client, config, broker, checkpoints, "(pair " + pair + ")");
                result.deadLetters +=
                        DeadLetterCount.count(client, config.get(LearnerOptions.DEAD_LETTER_TOPIC));
            }
            if (!rankerFirst) {
                ranker = drainRanker(result, client, run, pair, rankerEvents, broker, checkpoints);
            }
            result.pairs.add(new BenchmarkResult.Pair(rankerFirst, fixed, ranker));
            out.printf(
                    "Pair %d: softmax %,.0f events/s, ranker %,.0f events/s (%.2f).%n",
                    pair,
                    fixed.eventsPerSecond,
                    ranker.eventsPerSecond,
                    ranker.eventsPerSecond / fixed.eventsPerSecond);
        }
    }

    private Drain drainRanker(
            BenchmarkResult result,
            Properties client,
            String run,
            int pair,
            String events,
            BrokerProcess broker,
            Path checkpoints)
            throws Exception {
        LearnerConfig config = rankerConfig(client, run, pair, events);
        createTopics(client, config);
        Drain drain =
                drain(client, config, broker, checkpoints, "of the ranker (pair " + pair + ")");
        result.rankerDeadLetters +=
                DeadLetterCount.count(client, config.get(LearnerOptions.DEAD_LETTER_TOPIC));
        return drain;
    }

    /**
     * A learner of {@code config}, {@code what} it is for the log, from the earliest offset until a
     * visible snapshot includes every event: its rates and CPU as in phase 3.
     */
    private Drain drain(
            Properties client,
            LearnerConfig config,
            BrokerProcess broker,
            Path checkpoints,
            String what)
            throws Exception {
        Drain drain = new Drain();
        try (LearnerRun learner = new LearnerRun(client, config, broker)) {
            out.printf(
                    "Running the learner %s (parallelism %d) from the earliest offset ...%n",
                    what, settings.parallelism());
            learner.start(checkpoints);
            WarmedUp warmedUp = learner.awaitEveryEvent(applied -> {});
            ThreadCpu threadsAfter = ThreadCpu.snapshot();
            learner.sampler.stop();
            learner.measure(drain, warmedUp, threadsAfter);
        }
        return drain;
    }

    /**
     * Per-thread CPU when the warm-up ended (null if no snapshot showed it), and the events then.
     */
    private record WarmedUp(ThreadCpu threads, long eventsApplied) {}

    /**
     * One learner job on a local cluster, with the watcher of its snapshots and the sampler of CPU
     * and heap; closing it cancels the job.
     */
    private final class LearnerRun implements AutoCloseable {
        final LearnerConfig config;
        final SnapshotWatcher watcher;
        final Sampler sampler;
        private JobClient job;

        LearnerRun(Properties client, LearnerConfig config, BrokerProcess broker) {
            this.config = config;
            this.sampler = new Sampler(broker);
            this.watcher =
                    new SnapshotWatcher(
                            client,
                            config.get(LearnerOptions.PARAMETERS_TOPIC),
                            POLICY_ID,
                            (long) Math.ceil(WARM_UP_FRACTION * settings.events()),
                            settings.events());
        }

        void start(Path checkpoints) throws Exception {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(
                            settings.parallelism(), LocalCheckpoints.in(checkpoints));
            sampler.start();
            job = LearnerJob.kafka(config).start(env);
        }

        /**
         * Waits until a visible snapshot includes every event, telling {@code progress} the events
         * applied at each look; takes per-thread CPU at the end of the warm-up; fails after 90 s
         * without progress.
         */
        WarmedUp awaitEveryEvent(LongConsumer progress) throws Exception {
            ThreadCpu threadsBefore = null;
            long eventsBefore = 0;
            long lastProgress = System.nanoTime();
            long lastApplied = -1;
            while (watcher.eventsApplied() < settings.events()) {
                long applied = watcher.eventsApplied();
                progress.accept(applied);
                if (threadsBefore == null && applied >= WARM_UP_FRACTION * settings.events()) {
                    // Per-thread CPU past the warm-up, as the steady rate.
                    threadsBefore = ThreadCpu.snapshot();
                    eventsBefore = applied;
                }
                if (applied != lastApplied) {
                    lastApplied = applied;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > Duration.ofSeconds(90).toNanos()) {
                    throw new IllegalStateException(
                            "The learner made no progress for 90 s at "
                                    + applied
                                    + " of "
                                    + settings.events()
                                    + " events; job status "
                                    + job.getJobStatus().get()
                                    + ".");
                }
                Thread.sleep(20);
            }
            return new WarmedUp(threadsBefore, eventsBefore);
        }

        /** Rates, CPU and peak heap of the drain, once the sampler has stopped. */
        void measure(Drain drain, WarmedUp warmedUp, ThreadCpu threadsAfter) {
            if (warmedUp.threads() != null) {
                drain.threadCpuSeconds.putAll(threadsAfter.minus(warmedUp.threads()));
                drain.threadCpuEvents = settings.events() - warmedUp.eventsApplied();
            }
            throughput(drain, watcher.observations(), sampler);
            drain.peakHeapBytes = sampler.peakHeapBytes;
        }

        @Override
        public void close() throws Exception {
            try {
                sampler.stop();
                if (job != null) {
                    job.cancel().get();
                }
            } finally {
                watcher.close();
            }
        }
    }

    /**
     * The steady rate: events per second from the first snapshot past the warm-up (the first {@link
     * #WARM_UP_FRACTION} of the events, while the JIT compiles Flink, Kafka and the learner) to the
     * one that completed the run, on the learner's clock (snapshot creation times); CPU over the
     * same window. Also the rate over the whole run from the first snapshot.
     */
    private void throughput(Drain drain, List<SnapshotWatcher.Observation> seen, Sampler sampler) {
        SnapshotWatcher.Observation first = seen.get(0);
        SnapshotWatcher.Observation warm = null;
        SnapshotWatcher.Observation last = first;
        for (SnapshotWatcher.Observation observation : seen) {
            if (warm == null
                    && observation.eventsApplied() >= WARM_UP_FRACTION * settings.events()) {
                warm = observation;
            }
            if (observation.eventsApplied() >= settings.events()) {
                last = observation;
                break;
            }
        }
        long startMillis = warm.createdMillis();
        long startEvents = warm.eventsApplied();
        if (warm == last) {
            // Too few snapshots to leave the warm-up out: count from the first, or the job's start.
            startMillis = first != last ? first.createdMillis() : sampler.startedMillis;
            startEvents = first != last ? first.eventsApplied() : 0;
        }
        double seconds = Math.max(1e-3, (last.createdMillis() - startMillis) / 1e3);
        long counted = last.eventsApplied() - startEvents;
        drain.eventsPerSecond = counted / seconds;
        drain.measuredEvents = counted;
        drain.eventsApplied = last.eventsApplied();
        drain.measuredSeconds = seconds;
        drain.eventsPerSecondWholeRun =
                first == last
                        ? drain.eventsPerSecond
                        : (last.eventsApplied() - first.eventsApplied())
                                / Math.max(
                                        1e-3, (last.createdMillis() - first.createdMillis()) / 1e3);
        double jobCpu = sampler.ownCpuBetween(startMillis, last.createdMillis());
        double brokerCpu = sampler.brokerCpuBetween(startMillis, last.createdMillis());
        drain.cpuSecondsPerMillionEvents = jobCpu / counted * 1e6;
        drain.brokerCpuSecondsPerMillionEvents = brokerCpu / counted * 1e6;
        drain.cpuCoresUsed = jobCpu / seconds;
        drain.versionsPublished = last.version() - first.version() + 1;
    }

    private void latency(
            BenchmarkResult result,
            Properties client,
            String topic,
            SnapshotWatcher watcher,
            BanditEvents bandit,
            double rate)
            throws Exception {
        watcher.keepAll();
        long base = watcher.eventsApplied();
        int count = (int) Math.max(1, Math.round(rate * settings.latencySeconds()));
        out.printf(
                "Latency: %,d events at %,.0f/s, from send to a visible version ...%n",
                count, rate);
        long[] sent = new long[count];
        // The serving side's own logger: keyed by policy id, acks=all, idempotent, linger 5 ms.
        try (EventLogger logger = new EventLogger(client, topic, settings.format())) {
            long start = System.nanoTime();
            for (int k = 0; k < count; k++) {
                long due = start + (long) (k * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                sent[k] = System.currentTimeMillis();
                logger.send(bandit.next(sent[k]));
            }
            logger.flush();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (watcher.eventsApplied() < base + count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "The learner did not apply the latency phase's events within 120 s.");
            }
            Thread.sleep(20);
        }
        List<SnapshotWatcher.Observation> seen = watcher.observations();
        long[] latencies = new long[count];
        long[] created = new long[count];
        int next = 0;
        for (SnapshotWatcher.Observation observation : seen) {
            while (next < count && observation.eventsApplied() >= base + next + 1) {
                if (observation.eventsApplied() > base) {
                    latencies[next] = observation.visibleMillis() - sent[next];
                    created[next] = observation.createdMillis() - sent[next];
                }
                next++;
            }
        }
        java.util.Arrays.sort(latencies);
        java.util.Arrays.sort(created);
        result.latencyToCreatedP50Millis = created[(int) Math.floor(0.50 * (count - 1))];
        result.latencyToCreatedP99Millis = created[(int) Math.floor(0.99 * (count - 1))];
        result.latencyEvents = count;
        result.latencyRate = rate;
        result.latencyP50Millis = latencies[(int) Math.floor(0.50 * (count - 1))];
        result.latencyP99Millis = latencies[(int) Math.floor(0.99 * (count - 1))];
        result.latencyMaxMillis = latencies[count - 1];
    }

    private static long liveHeap(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double rawConsumerRate(Properties client, String topic, long events) {
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            KafkaTopics.assignFromBeginning(consumer, topic, Duration.ofMinutes(1));
            long read = 0;
            long checksum = 0;
            long start = System.nanoTime();
            long deadline = start + Duration.ofMinutes(10).toNanos();
            while (read < events && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                read += records.count();
                for (var record : records) {
                    checksum += record.value().length;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (read < events || checksum == 0) {
                throw new IllegalStateException(
                        "The raw consumer read " + read + " of " + events + " events.");
            }
            return read / seconds;
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(Properties client) {
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put(ProducerConfig.ACKS_CONFIG, "1");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 << 10));
        properties.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(256L << 20));
        return new KafkaProducer<>(
                properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Samples CPU and heap every 50 ms while the learner runs. */
    private static final class Sampler {
        private final BrokerProcess broker;
        private final List<long[]> times = new ArrayList<>();
        private final List<double[]> cpu = new ArrayList<>();
        private final AtomicLong running = new AtomicLong();
        private Thread thread;
        volatile long peakHeapBytes;
        long startedMillis;

        Sampler(BrokerProcess broker) {
            this.broker = broker;
        }

        void start() {
            startedMillis = System.currentTimeMillis();
            running.set(1);
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            thread =
                    new Thread(
                            () -> {
                                while (running.get() == 1) {
                                    sample(memory);
                                    try {
                                        Thread.sleep(50);
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                            },
                            "bench-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void sample(MemoryMXBean memory) {
            long now = System.currentTimeMillis();
            double own = ProcessStats.ownCpuSeconds();
            double brokerCpu = broker == null ? Double.NaN : broker.cpuSeconds();
            synchronized (times) {
                times.add(new long[] {now});
                cpu.add(new double[] {own, brokerCpu});
            }
            peakHeapBytes = Math.max(peakHeapBytes, memory.getHeapMemoryUsage().getUsed());
        }

        void stop() throws InterruptedException {
            if (running.getAndSet(0) == 1) {
                thread.join(5_000);
                sample(ManagementFactory.getMemoryMXBean());
            }
        }

        double ownCpuBetween(long fromMillis, long toMillis) {
            return at(toMillis, 0) - at(fromMillis, 0);
        }

        double brokerCpuBetween(long fromMillis, long toMillis) {
            return at(toMillis, 1) - at(fromMillis, 1);
        }

        /** The sampled value nearest to {@code millis}. */
        private double at(long millis, int which) {
            synchronized (times) {
                int best = 0;
                for (int k = 1; k < times.size(); k++) {
                    if (Math.abs(times.get(k)[0] - millis)
                            < Math.abs(times.get(best)[0] - millis)) {
                        best = k;
                    }
                }
                return cpu.get(best)[which];
            }
        }
    }
}
