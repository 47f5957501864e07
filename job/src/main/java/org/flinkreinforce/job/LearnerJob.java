package org.flinkreinforce.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.client.kafka.PolicyControlTopic;
import org.flinkreinforce.client.kafka.SnapshotReader;
import org.flinkreinforce.connectors.event.DecodedRecord;
import org.flinkreinforce.connectors.event.JoinInput;
import org.flinkreinforce.connectors.event.PolicyChange;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.connectors.kafka.JoinInputDeserializationSchema;
import org.flinkreinforce.connectors.kafka.KafkaConnectors;
import org.flinkreinforce.connectors.kafka.TopicRecordSchema;
import org.flinkreinforce.connectors.source.AlignedSource;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.event.DecisionDecoder;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.formats.event.RewardDecoder;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.PublishedSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner: events from Kafka, keyed running baselines, micro-batched REINFORCE updates, and
 * versioned parameter snapshots back to Kafka.
 *
 * <pre>
 * events --source--> route dead letters --(bad)--------------------------> dead-letter sink
 *                          |
 * decisions, rewards --source--> route --(bad)-------------------------->  (rewards.join)
 *                          | keyBy(eventId)
 *                    join rewards --(late, orphan, duplicate)------------>
 *                          | union with the events above
 *                          | keyBy(policyId)
 *                    update baseline  &lt;--(not its spec, advantage overflow)-->
 *                          |      \  keyBy(policyId)
 *                          |       policy changes &lt;--source-- control topic
 *                          | (chained: events and change markers, same key, no shuffle)
 *                    learn policy     --(rejected batch, removed)--------->
 *                          |
 *                    parameters sink (exactly-once, key = policy id)
 * </pre>
 *
 * The policies follow the control topic ({@link PolicyDirectory}): the job reads it whole at start,
 * after writing the configured policies to it where they are new or changed ({@link #seed}), then
 * applies each change as it arrives, without a restart. The source decodes events without their
 * specs; the baseline operator checks each event against its policy as defined then. Ranker
 * policies take a branch of their own ({@link LearnRankerFunction}), which follows the rankers'
 * definitions on the same topic. With {@link LearnerOptions#JOIN_REWARDS} decisions and their
 * delayed rewards, logged apart, are joined by event id ({@link JoinRewardsFunction}) into events
 * that join those of the events topic.
 *
 * <p>The job takes its sources and sinks as arguments, so tests can swap them; {@link #kafka} wires
 * the production ones. The same {@link #main} runs locally (a MiniCluster) and on a cluster ({@code
 * flink run}).
 */
public final class LearnerJob {

    private static final Logger LOG = LoggerFactory.getLogger(LearnerJob.class);

    /** The name of the operator that joins decisions with their rewards, as the web UI shows it. */
    public static final String JOIN_OPERATOR = "Join rewards";

    private final LearnerConfig config;
    private final Source<DecodedRecord, ?, ?> source;
    private final Source<PolicyChange, ?, ?> changes;
    private final PolicyDirectory directory;

    /** The ranker policies at start, following the same control topic as {@link #directory}. */
    private final PolicyDirectory rankerDirectory;

    private final Sink<PublishedSnapshot> parameterSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final Map<String, byte[]> warmStart;

    /** The newest published snapshot of each ranker policy at start, encoded. */
    private final Map<String, byte[]> rankerWarmStart;

    /** The source of the decisions and rewards topics where the job joins them; null where not. */
    private final Source<JoinInput, ?, ?> joinInputs;

    /**
     * @param changes the control topic's records above those {@code directory} starts from
     * @param directory the policies at start
     * @param joinInputs the source of the decisions and rewards topics where the job joins
     *     decisions with rewards, else null
     */
    LearnerJob(
            LearnerConfig config,
            Source<DecodedRecord, ?, ?> source,
            Source<PolicyChange, ?, ?> changes,
            PolicyDirectory directory,
            Sink<PublishedSnapshot> parameterSink,
            Sink<DeadLetter> deadLetterSink,
            Map<String, ParameterSnapshot> warmStart,
            Source<JoinInput, ?, ?> joinInputs) {
        this.joinInputs = joinInputs;
        this.config = config;
        this.source = source;
        this.changes = changes;
        this.directory = directory;
        Map<String, PolicyDirectory.Policy> rankers = new HashMap<>();
        config.rankers()
                .forEach(
                        (id, settings) ->
                                rankers.put(id, new PolicyDirectory.Policy(settings, null)));
        this.rankerDirectory =
                directory.resolver() == null
                        ? PolicyDirectory.fixedRankers(config.rankers())
                        : PolicyDirectory.followingRankers(
                                rankers, directory.startOffset(), directory.resolver());
        this.parameterSink = parameterSink;
        this.deadLetterSink = deadLetterSink;
        this.warmStart = new HashMap<>();
        warmStart.forEach((id, snapshot) -> this.warmStart.put(id, SnapshotCodec.encode(snapshot)));
        this.rankerWarmStart = Map.of();
    }

    /** {@code job} reading its decisions and rewards from {@code joinInputs}. */
    private LearnerJob(
            LearnerJob job,
            Source<JoinInput, ?, ?> joinInputs,
            PolicyDirectory rankerDirectory,
            Map<String, byte[]> rankerWarmStart) {
        this.config = job.config;
        this.source = job.source;
        this.changes = job.changes;
        this.directory = job.directory;
        this.rankerDirectory = rankerDirectory;
        this.parameterSink = job.parameterSink;
        this.deadLetterSink = job.deadLetterSink;
        this.warmStart = job.warmStart;
        this.joinInputs = joinInputs;
        this.rankerWarmStart = rankerWarmStart;
    }

    /**
     * This job, reading its decisions and rewards from {@code joinInputs}: for tests that inject
     * failures.
     */
    LearnerJob withJoinInputs(Source<JoinInput, ?, ?> joinInputs) {
        return new LearnerJob(this, joinInputs, rankerDirectory, rankerWarmStart);
    }

    /**
     * This job, its ranker policies starting (without a checkpoint) from {@code snapshots}, and
     * never publishing a version at or below theirs; a ranker added while the job runs too.
     */
    LearnerJob withRankerWarmStart(Map<String, RankerSnapshot> snapshots) {
        Map<String, byte[]> encoded = new HashMap<>();
        snapshots.forEach((id, snapshot) -> encoded.put(id, RankerSnapshotCodec.encode(snapshot)));
        return new LearnerJob(this, joinInputs, rankerDirectory, Map.copyOf(encoded));
    }

    /** This job, its ranker policies those of {@code rankers}. */
    private LearnerJob withRankers(PolicyDirectory rankers) {
        return new LearnerJob(this, joinInputs, rankers, rankerWarmStart);
    }

    /**
     * A job whose policies start as configured and then follow the control topic (which it creates
     * where it is missing) from its beginning: for tests that bring their own event source and
     * sinks.
     */
    static LearnerJob withConfiguredPolicies(
            LearnerConfig config,
            Source<DecodedRecord, ?, ?> source,
            Sink<PublishedSnapshot> parameterSink,
            Sink<DeadLetter> deadLetterSink)
            throws InterruptedException {
        PolicyControlTopic.ensure(
                config.clientProperties(), config.get(LearnerOptions.CONTROL_TOPIC));
        Map<String, PolicyDirectory.Policy> start = new HashMap<>();
        config.policies()
                .forEach(
                        (id, settings) ->
                                start.put(id, new PolicyDirectory.Policy(settings, null)));
        return new LearnerJob(
                config,
                source,
                controlSource(config, 0),
                PolicyDirectory.following(start, 0, config.resolver()),
                parameterSink,
                deadLetterSink,
                Map.of(),
                null);
    }

    private static Source<PolicyChange, ?, ?> controlSource(
            LearnerConfig config, long startOffset) {
        return PolicyChanges.source(
                config.bootstrapServers(),
                config.get(LearnerOptions.CONTROL_TOPIC),
                config.get(LearnerOptions.GROUP_ID) + "-control",
                config.kafkaProperties(),
                startOffset);
    }

    /**
     * The production wiring: the Kafka source and exactly-once sinks of {@code config}, and a warm
     * start from the newest snapshots already on the parameters topic.
     */
    public static LearnerJob kafka(LearnerConfig config) {
        String bootstrap = config.bootstrapServers();
        Duration transactionTimeout = config.get(LearnerOptions.TRANSACTION_TIMEOUT);
        String prefix = config.get(LearnerOptions.TRANSACTIONAL_ID_PREFIX);
        PolicyControlTopic.Contents control = prepareTopics(config);
        Map<String, PolicySpec> specs = softmaxSpecs(control);
        Map<String, RankerSettings> rankers = rankers(config, control, config.resolver());
        Map<String, RankerSpec> rankerSpecs = new LinkedHashMap<>();
        Map<String, Integer> seeds = new HashMap<>();
        rankers.forEach(
                (id, ranker) -> {
                    rankerSpecs.put(id, ranker.spec());
                    seeds.put(id, ranker.spec().seed());
                });
        // The producer's largest request must take the largest snapshot too; a policy added while
        // the job runs must fit it.
        long requestBytes =
                requestSize(
                        Math.max(
                                KafkaTopics.snapshotRecordBytes(specs.values()),
                                LearnerConfig.rankerSnapshotBytes(rankers.values())));
        // The sources read the rankers' JSON records with the seeds they start with.
        PolicyResolver resolver =
                config.resolver()
                        .withMaxSnapshotBytes(requestBytes - (1 << 20))
                        .withSourceSeeds(seeds);
        Map<String, PolicyDirectory.Policy> start = resolveAll(config, control, resolver);
        Map<String, PolicyDirectory.Policy> rankerStart = new HashMap<>();
        control.defined()
                .forEach(
                        (id, definition) -> {
                            if (rankers.containsKey(id)) {
                                rankerStart.put(
                                        id,
                                        new PolicyDirectory.Policy(
                                                rankers.get(id), definition.rollback()));
                            }
                        });
        // One read of the parameters topic gives both kinds of policy their warm start.
        SnapshotReader.Latest published =
                SnapshotReader.readLatestOfEach(
                        config.clientProperties(),
                        config.get(LearnerOptions.PARAMETERS_TOPIC),
                        Duration.ofSeconds(60));
        Map<String, ParameterSnapshot> warmStart = new LinkedHashMap<>();
        published
                .policies()
                .forEach(
                        (id, snapshot) -> {
                            if (start.containsKey(id)) {
                                warmStart.put(id, snapshot);
                            }
                        });
        return new LearnerJob(
                        config,
                        KafkaConnectors.eventSource(
                                bootstrap,
                                config.get(LearnerOptions.EVENTS_TOPIC),
                                config.get(LearnerOptions.GROUP_ID),
                                config.kafkaProperties(),
                                startingOffsets(config.get(LearnerOptions.STARTING_OFFSETS)),
                                EventDecoder.withoutSpecs(
                                        specs, config.get(LearnerOptions.MAX_EVENT_BYTES)),
                                rankerSpecs),
                        controlSource(config, control.endOffset()),
                        PolicyDirectory.following(start, control.endOffset(), resolver),
                        KafkaConnectors.exactlyOnceSink(
                                bootstrap,
                                TopicRecordSchema.snapshots(
                                        config.get(LearnerOptions.PARAMETERS_TOPIC)),
                                withRequestSize(config.kafkaProperties(), requestBytes),
                                prefix + "-parameters",
                                transactionTimeout),
                        KafkaConnectors.exactlyOnceSink(
                                bootstrap,
                                TopicRecordSchema.deadLetters(
                                        config.get(LearnerOptions.DEAD_LETTER_TOPIC)),
                                config.kafkaProperties(),
                                prefix + "-dead-letters",
                                transactionTimeout),
                        warmStart,
                        joinSource(config, specs, rankerSpecs))
                .withRankers(
                        PolicyDirectory.followingRankers(
                                rankerStart, control.endOffset(), resolver))
                .withRankerWarmStart(published.rankers());
    }

    /** The softmax policies {@code control} defines, by id. */
    private static Map<String, PolicySpec> softmaxSpecs(PolicyControlTopic.Contents control) {
        Map<String, PolicySpec> specs = new LinkedHashMap<>();
        control.defined()
                .forEach(
                        (id, definition) -> {
                            if (definition.kind() == PolicyDefinition.Kind.SOFTMAX) {
                                specs.put(id, PolicySpec.parse(definition.spec()));
                            }
                        });
        return specs;
    }

    /**
     * The settings of each ranker {@code control} defines; fails the start naming a ranker whose
     * definition does not fit this job's options.
     */
    private static Map<String, RankerSettings> rankers(
            LearnerConfig config, PolicyControlTopic.Contents control, PolicyResolver resolver) {
        Map<String, RankerSettings> rankers = new LinkedHashMap<>();
        control.defined()
                .forEach(
                        (id, definition) -> {
                            if (definition.kind() == PolicyDefinition.Kind.RANKER) {
                                try {
                                    rankers.put(id, resolver.resolveRanker(definition));
                                } catch (IllegalArgumentException e) {
                                    throw doesNotFit(config, id, e);
                                }
                            }
                        });
        return rankers;
    }

    private static IllegalArgumentException doesNotFit(
            LearnerConfig config, String id, IllegalArgumentException e) {
        return new IllegalArgumentException(
                "Policy "
                        + id
                        + " as the control topic "
                        + config.get(LearnerOptions.CONTROL_TOPIC)
                        + " defines it does not fit this job's options: "
                        + e.getMessage()
                        + " Change it with reinforce policy update, or the options.",
                e);
    }

    /**
     * The one source of the decisions and rewards topics where the job joins them, else null: one
     * reader reads both topics' partitions, so that it can read them in step ({@link
     * #alignedReading}).
     */
    static Source<JoinInput, ?, ?> joinSource(
            LearnerConfig config,
            Map<String, PolicySpec> specs,
            Map<String, RankerSpec> rankerSpecs) {
        if (!config.get(LearnerOptions.JOIN_REWARDS)) {
            return null;
        }
        int maxBytes = config.get(LearnerOptions.MAX_EVENT_BYTES);
        String decisionsTopic = config.get(LearnerOptions.DECISIONS_TOPIC);
        return KafkaConnectors.source(
                config.bootstrapServers(),
                List.of(decisionsTopic, config.get(LearnerOptions.REWARDS_TOPIC)),
                config.get(LearnerOptions.GROUP_ID),
                config.kafkaProperties(),
                startingOffsets(config.get(LearnerOptions.STARTING_OFFSETS)),
                new JoinInputDeserializationSchema(
                        decisionsTopic,
                        DecisionDecoder.withoutSpecs(specs, maxBytes),
                        new RewardDecoder(maxBytes),
                        rankerSpecs));
    }

    /**
     * Creates the topics that are missing (the control topic whatever {@code topics.create} says),
     * {@link #seed}s the control topic, and makes the parameters topic take the largest snapshot of
     * the policies it then defines; answers the control topic as read.
     */
    private static PolicyControlTopic.Contents prepareTopics(LearnerConfig config) {
        try {
            if (config.get(LearnerOptions.CREATE_TOPICS)) {
                KafkaTopics.ensure(
                        config.clientProperties(),
                        config.get(LearnerOptions.EVENTS_TOPIC),
                        config.get(LearnerOptions.PARAMETERS_TOPIC),
                        config.get(LearnerOptions.DEAD_LETTER_TOPIC),
                        config.get(LearnerOptions.EVENT_PARTITIONS),
                        config.specs().values(),
                        config.rankerSnapshotBytes());
                if (config.get(LearnerOptions.JOIN_REWARDS)) {
                    int partitions = config.get(LearnerOptions.EVENT_PARTITIONS);
                    KafkaTopics.createMissing(
                            config.clientProperties(),
                            List.of(
                                    new NewTopic(
                                            config.get(LearnerOptions.DECISIONS_TOPIC),
                                            Optional.of(partitions),
                                            Optional.empty()),
                                    new NewTopic(
                                            config.get(LearnerOptions.REWARDS_TOPIC),
                                            Optional.of(partitions),
                                            Optional.empty())));
                }
            }
            PolicyControlTopic.ensure(
                    config.clientProperties(), config.get(LearnerOptions.CONTROL_TOPIC));
            PolicyControlTopic.Contents control = seed(config);
            // An existing topic may be too small for a policy added or grown since it was made.
            KafkaTopics.fitParametersTopic(
                    config.clientProperties(),
                    config.get(LearnerOptions.PARAMETERS_TOPIC),
                    softmaxSpecs(control).values(),
                    LearnerConfig.rankerSnapshotBytes(
                            rankers(config, control, config.resolver()).values()));
            return control;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing the topics.", e);
        }
    }

    /**
     * The settings of each softmax policy {@code control} defines; fails the start naming a policy
     * whose definition does not fit this job's options.
     */
    private static Map<String, PolicyDirectory.Policy> resolveAll(
            LearnerConfig config, PolicyControlTopic.Contents control, PolicyResolver resolver) {
        Map<String, PolicyDirectory.Policy> start = new HashMap<>();
        control.defined()
                .forEach(
                        (id, definition) -> {
                            if (definition.kind() != PolicyDefinition.Kind.SOFTMAX) {
                                return;
                            }
                            try {
                                start.put(
                                        id,
                                        new PolicyDirectory.Policy(
                                                resolver.resolve(definition),
                                                definition.rollback()));
                            } catch (IllegalArgumentException e) {
                                throw doesNotFit(config, id, e);
                            }
                        });
        return start;
    }

    /**
     * The policies at start: the control topic after writing to it each configured policy that is
     * new or changed since it was last configured, and a tombstone for each policy configured
     * before but no longer. A definition an operator wrote ({@code reinforce policy}) stays: the
     * configuration does not override it (a warning says so).
     */
    static PolicyControlTopic.Contents seed(LearnerConfig config) throws InterruptedException {
        Properties client = config.clientProperties();
        String topic = config.get(LearnerOptions.CONTROL_TOPIC);
        Duration timeout = Duration.ofSeconds(60);
        PolicyControlTopic.Contents contents = PolicyControlTopic.read(client, topic, timeout);
        PolicyResolver resolver = config.resolver();
        Map<String, PolicyDefinition> configured = new LinkedHashMap<>();
        config.policies()
                .values()
                .forEach(
                        settings ->
                                configured.put(
                                        settings.spec().id(),
                                        resolver.configured(settings.spec())));
        for (String text : RankerSettings.ids(config.options())) {
            RankerSettings ranker = RankerSettings.of(text, config.options());
            configured.put(ranker.spec().id(), resolver.configuredRanker(text, ranker));
        }
        boolean wrote = false;
        for (PolicyDefinition definition : configured.values()) {
            Optional<PolicyDefinition> current = contents.definition(definition.policyId());
            if (current.isPresent() && current.get().sameDefinition(definition)) {
                continue;
            }
            if (current.isPresent() && current.get().origin() == PolicyDefinition.Origin.OPERATOR) {
                LOG.warn(
                        "Policy {} keeps the definition an operator gave it on {} ({} {}); the"
                                + " configured {} {} is not applied.",
                        definition.policyId(),
                        topic,
                        current.get().spec(),
                        current.get().options(),
                        definition.spec(),
                        definition.options());
                continue;
            }
            PolicyControlTopic.write(client, topic, definition.policyId(), definition);
            wrote = true;
        }
        for (PolicyControlTopic.Entry entry : contents.entries().values()) {
            if (!entry.isRemoved()
                    && entry.definition().origin() == PolicyDefinition.Origin.CONFIGURATION
                    && !configured.containsKey(entry.policyId())) {
                LOG.warn("Policy {} is no longer configured: removed.", entry.policyId());
                PolicyControlTopic.write(client, topic, entry.policyId(), null);
                wrote = true;
            }
        }
        return wrote ? PolicyControlTopic.read(client, topic, timeout) : contents;
    }

    /**
     * The parameters sink's {@code max.request.size} for snapshots of up to {@code recordBytes}:
     * that plus room for a batch header, at least the connectors' default of 16 MiB.
     */
    static long requestSize(long recordBytes) {
        long request = Math.max(16L << 20, recordBytes + (1 << 20));
        if (request > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "The largest snapshot takes "
                            + recordBytes
                            + " bytes, more than a Kafka record can hold.");
        }
        return request;
    }

    /**
     * {@code properties} with {@code max.request.size} {@code request}, unless the user set one.
     */
    private static Properties withRequestSize(Properties properties, long request) {
        Properties sized = new Properties();
        sized.putAll(properties);
        sized.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(request));
        return sized;
    }

    /** Adds the learner's operators to {@code env} and configures its checkpointing. */
    public void build(StreamExecutionEnvironment env) {
        // Fail at start-up, not in a task, where native or vector was asked for and cannot load.
        GradientKernels.resolve(config.kernel());
        env.enableCheckpointing(
                config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // Set, not left to Flink's default, which changes with the parallelism and would then no
        // longer match the state's key groups.
        env.setMaxParallelism(config.get(LearnerOptions.MAX_PARALLELISM));
        Configuration pipeline = new Configuration();
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        // No operator keeps or changes a record it has emitted, so chained operators may share
        // records instead of copying each one through its serializer.
        pipeline.set(PipelineOptions.OBJECT_REUSE, true);
        env.configure(pipeline);

        DataStream<DecodedRecord> records =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "Read events")
                        .uid("read-events");
        DataStream<PolicyChange> changeRecords =
                env.fromSource(changes, WatermarkStrategy.noWatermarks(), "Read policy changes")
                        .uid("read-policy-changes")
                        .setParallelism(1);
        KeyedStream<PolicyChange, String> policyChanges =
                changeRecords.keyBy(UpdateBaselineFunction.CHANGE_KEY, Types.STRING);
        SingleOutputStreamOperator<PolicyEvent> valid =
                records.process(new RouteDeadLettersFunction())
                        .uid("route-dead-letters")
                        .name("Route dead letters");
        DataStream<PolicyEvent> events = valid;
        DataStream<RankerRecord> rankerRecords =
                valid.getSideOutput(RouteDeadLettersFunction.RANKER_RECORDS);
        List<DataStream<DeadLetter>> deadLetterStreams = new ArrayList<>();
        if (joinInputs != null) {
            SingleOutputStreamOperator<PolicyEvent> joined =
                    joinRewards(env, changeRecords, deadLetterStreams);
            events = valid.union(joined);
            rankerRecords =
                    rankerRecords.union(joined.getSideOutput(JoinRewardsFunction.JOINED_RANKINGS));
        }
        // Both keyed by policy id: the baseline's output is already partitioned as the learner
        // needs, so the two chain with no shuffle (and no serialisation) between them; policy
        // changes reach the learner through the baseline, as markers among the events.
        SingleOutputStreamOperator<PolicyEvent> withAdvantages =
                events.keyBy(UpdateBaselineFunction.KEY, Types.STRING)
                        .connect(policyChanges)
                        .process(
                                new UpdateBaselineFunction(
                                        directory,
                                        config.get(LearnerOptions.BASELINE_KEY_TTL).toMillis()))
                        .uid("update-baseline")
                        .name("Update baseline");
        SingleOutputStreamOperator<PublishedSnapshot> snapshots =
                DataStreamUtils.reinterpretAsKeyedStream(
                                withAdvantages, LearnPolicyFunction.KEY, Types.STRING)
                        .process(new LearnPolicyFunction(directory, config.kernel(), warmStart))
                        .uid("learn-policy")
                        .name("Learn policy");
        // Ranker policies' events and joined decisions, decoded and learned by their own operator
        // (every ranker event goes there: one of a policy the job does not learn is dead-lettered
        // there), which follows the rankers' definitions on the control topic.
        SingleOutputStreamOperator<PublishedSnapshot> rankerSnapshots =
                rankerRecords
                        .keyBy(LearnRankerFunction.KEY, Types.STRING)
                        .connect(policyChanges)
                        .process(
                                new LearnRankerFunction(
                                        rankerDirectory, config.kernel(), rankerWarmStart))
                        .uid("learn-ranker")
                        .name("Learn ranker");
        snapshots
                .union(rankerSnapshots)
                .sinkTo(parameterSink)
                .uid("publish-parameters")
                .name("Publish parameters");
        deadLetterStreams.add(rankerSnapshots.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS));
        deadLetterStreams.add(withAdvantages.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS));
        deadLetterStreams.add(snapshots.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS));
        valid.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS)
                .union(deadLetterStreams.toArray(DataStream[]::new))
                .sinkTo(deadLetterSink)
                .uid("write-dead-letters")
                .name("Write dead letters");
    }

    /**
     * The decisions joined with their rewards ({@link JoinRewardsFunction}, keyed by event id);
     * adds the dead-letter streams of the join's operators to {@code deadLetters}. In event time
     * the watermarks trail the records by {@link LearnerOptions#REWARD_OUT_OF_ORDERNESS} and leave
     * idle partitions out, and each reader reads its partitions of the two topics in step ({@link
     * LearnerOptions#REWARD_READ_AHEAD}), so that a replay holds little more than one wait of
     * decisions.
     */
    private SingleOutputStreamOperator<PolicyEvent> joinRewards(
            StreamExecutionEnvironment env,
            DataStream<PolicyChange> changeRecords,
            List<DataStream<DeadLetter>> deadLetters) {
        Map<String, Long> waits = new HashMap<>();
        directory
                .start()
                .forEach((id, policy) -> waits.put(id, policy.settings().rewardWaitMillis()));
        rankerDirectory
                .start()
                .forEach((id, ranker) -> waits.put(id, ranker.ranker().rewardWaitMillis()));
        RewardJoinSettings settings = config.rewardJoin().withWaits(waits);
        Duration drift = config.get(LearnerOptions.REWARD_ALIGNMENT_DRIFT);
        WatermarkStrategy<JoinInput> watermarks =
                settings.processingTime()
                        ? WatermarkStrategy.noWatermarks()
                        : WatermarkStrategy.<JoinInput>forBoundedOutOfOrderness(
                                        config.get(LearnerOptions.REWARD_OUT_OF_ORDERNESS))
                                .withTimestampAssigner((input, recordTime) -> input.timestamp())
                                .withIdleness(config.get(LearnerOptions.REWARD_IDLE_TIMEOUT));
        if (!settings.processingTime() && !drift.isZero()) {
            watermarks = watermarks.withWatermarkAlignment("reinforce-rewards-join", drift);
        }
        Duration readAhead = config.get(LearnerOptions.REWARD_READ_AHEAD);
        SingleOutputStreamOperator<JoinInput> inputs =
                env.fromSource(
                                settings.processingTime() || readAhead.isZero()
                                        ? joinInputs
                                        : alignedReading(joinInputs, readAhead),
                                watermarks,
                                "Read decisions and rewards")
                        .uid("read-decisions-and-rewards")
                        .process(new RouteJoinInputFunction())
                        .uid("route-join-dead-letters")
                        .name("Route decisions and rewards");
        SingleOutputStreamOperator<PolicyEvent> joined =
                inputs.keyBy(JoinInput::eventId, Types.STRING)
                        // The policies' waits follow the control topic on every subtask; the
                        // join's windows close on the decisions' and rewards' watermarks alone.
                        .connect(
                                changeRecords
                                        .assignTimestampsAndWatermarks(NO_EVENT_TIME)
                                        .name("Policy changes out of event time")
                                        .uid("policy-changes-out-of-event-time")
                                        .setParallelism(1)
                                        .broadcast())
                        .transform(
                                JOIN_OPERATOR,
                                TypeInformation.of(PolicyEvent.class),
                                new JoinRewardsOperator(
                                        new JoinRewardsFunction(
                                                settings,
                                                directory.startOffset(),
                                                directory.resolver())))
                        .uid("join-rewards");
        deadLetters.add(inputs.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS));
        deadLetters.add(joined.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS));
        return joined;
    }

    /**
     * {@code source} read in step by the records' time: a partition read more than {@code
     * readAhead} ahead of the slowest one its reader reads waits for it ({@link AlignedSource}).
     */
    private static <S extends SourceSplit, E> Source<JoinInput, S, E> alignedReading(
            Source<JoinInput, S, E> source, Duration readAhead) {
        return new AlignedSource<>(
                source,
                TypeInformation.of(JoinInput.class),
                (input, sourceTimestamp) -> input.timestamp(),
                readAhead);
    }

    /**
     * No watermarks, the stream marked idle: its records are no events in time, and an idle input
     * leaves the watermark of a two-input operator to the other input alone (a watermark at the end
     * of time would not: while the other input is idle it would become the operator's).
     */
    private static final WatermarkStrategy<PolicyChange> NO_EVENT_TIME =
            WatermarkStrategy.forGenerator(
                    context ->
                            new WatermarkGenerator<>() {
                                @Override
                                public void onEvent(
                                        PolicyChange change, long time, WatermarkOutput output) {}

                                @Override
                                public void onPeriodicEmit(WatermarkOutput output) {
                                    output.markIdle();
                                }
                            });

    /** Builds the job on {@code env} and submits it without waiting for it to end. */
    public JobClient start(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync("flink-reinforce learner " + directory.start().keySet());
    }

    static OffsetsInitializer startingOffsets(LearnerOptions.StartingOffsets startingOffsets) {
        switch (startingOffsets) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case COMMITTED_OR_EARLIEST:
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }

    /**
     * Runs the learner: {@code --key value} pairs and {@code --config FILE} (a properties file)
     * give the {@link LearnerOptions}; every other key passes to the Kafka clients unchanged.
     */
    public static void main(String[] args) throws Exception {
        LearnerConfig config = LearnerConfig.fromMap(Arguments.parse(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LearnerJob job = kafka(config);
        job.build(env);
        env.execute("flink-reinforce learner " + job.directory.start().keySet());
    }
}
