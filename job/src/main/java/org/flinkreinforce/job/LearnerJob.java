package org.flinkreinforce.job;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.client.kafka.SnapshotReader;
import org.flinkreinforce.connectors.event.DecodedRecord;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.kafka.KafkaConnectors;
import org.flinkreinforce.connectors.kafka.TopicRecordSchema;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.PublishedSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.model.kernel.GradientKernels;

/**
 * The learner: events from Kafka, keyed running baselines, micro-batched REINFORCE updates, and
 * versioned parameter snapshots back to Kafka.
 *
 * <pre>
 * events --source--> route dead letters --(bad)--------------------------> dead-letter sink
 *                          | keyBy(policyId)
 *                    update baseline  --(advantage overflow)------------->
 *                          | (chained: same key, no shuffle)
 *                    learn policy     --(rejected batch)----------------->
 *                          |
 *                    parameters sink (exactly-once, key = policy id)
 * </pre>
 *
 * The job takes its source and sinks as arguments, so tests can swap them; {@link #kafka} wires the
 * production ones. The same {@link #main} runs locally (a MiniCluster) and on a cluster ({@code
 * flink run}).
 */
public final class LearnerJob {

    private final LearnerConfig config;
    private final Source<DecodedRecord, ?, ?> source;
    private final Sink<PublishedSnapshot> parameterSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final Map<String, byte[]> warmStart;

    public LearnerJob(
            LearnerConfig config,
            Source<DecodedRecord, ?, ?> source,
            Sink<PublishedSnapshot> parameterSink,
            Sink<DeadLetter> deadLetterSink,
            Map<String, ParameterSnapshot> warmStart) {
        this.config = config;
        this.source = source;
        this.parameterSink = parameterSink;
        this.deadLetterSink = deadLetterSink;
        this.warmStart = new HashMap<>();
        warmStart.forEach((id, snapshot) -> this.warmStart.put(id, SnapshotCodec.encode(snapshot)));
    }

    /**
     * The production wiring: the Kafka source and exactly-once sinks of {@code config}, and a warm
     * start from the newest snapshots already on the parameters topic.
     */
    public static LearnerJob kafka(LearnerConfig config) {
        EventDecoder decoder =
                new EventDecoder(config.specs(), config.get(LearnerOptions.MAX_EVENT_BYTES));
        String bootstrap = config.bootstrapServers();
        Duration transactionTimeout = config.get(LearnerOptions.TRANSACTION_TIMEOUT);
        String prefix = config.get(LearnerOptions.TRANSACTIONAL_ID_PREFIX);
        try {
            if (config.get(LearnerOptions.CREATE_TOPICS)) {
                KafkaTopics.ensure(
                        config.clientProperties(),
                        config.get(LearnerOptions.EVENTS_TOPIC),
                        config.get(LearnerOptions.PARAMETERS_TOPIC),
                        config.get(LearnerOptions.DEAD_LETTER_TOPIC),
                        config.get(LearnerOptions.EVENT_PARTITIONS),
                        config.specs().values());
            }
            // An existing topic may be too small for a policy added or grown since it was made.
            KafkaTopics.fitParametersTopic(
                    config.clientProperties(),
                    config.get(LearnerOptions.PARAMETERS_TOPIC),
                    config.specs().values());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing the topics.", e);
        }
        // The producer's largest request must take the largest snapshot too.
        long snapshotBytes = KafkaTopics.snapshotRecordBytes(config.specs().values());
        Map<String, ParameterSnapshot> latest =
                SnapshotReader.readLatest(
                        config.clientProperties(),
                        config.get(LearnerOptions.PARAMETERS_TOPIC),
                        Duration.ofSeconds(60));
        Map<String, ParameterSnapshot> warmStart = new LinkedHashMap<>();
        latest.forEach(
                (id, snapshot) -> {
                    if (config.policies().containsKey(id)) {
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
                        decoder),
                KafkaConnectors.exactlyOnceSink(
                        bootstrap,
                        TopicRecordSchema.snapshots(config.get(LearnerOptions.PARAMETERS_TOPIC)),
                        withRequestSize(config.kafkaProperties(), snapshotBytes),
                        prefix + "-parameters",
                        transactionTimeout),
                KafkaConnectors.exactlyOnceSink(
                        bootstrap,
                        TopicRecordSchema.deadLetters(config.get(LearnerOptions.DEAD_LETTER_TOPIC)),
                        config.kafkaProperties(),
                        prefix + "-dead-letters",
                        transactionTimeout),
                warmStart);
    }

    /**
     * {@code properties} with a {@code max.request.size} of at least {@code recordBytes} plus room
     * for a batch header, unless the user set one (the connectors' default is 16 MiB).
     */
    private static Properties withRequestSize(Properties properties, long recordBytes) {
        Properties sized = new Properties();
        sized.putAll(properties);
        long request = Math.max(16L << 20, recordBytes + (1 << 20));
        if (request > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "The largest snapshot takes "
                            + recordBytes
                            + " bytes, more than a Kafka record can hold.");
        }
        sized.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(request));
        return sized;
    }

    /** Adds the learner's operators to {@code env} and configures its checkpointing. */
    public void build(StreamExecutionEnvironment env) {
        // Fail at start-up, not in a task, where native or vector was asked for and cannot load.
        GradientKernels.resolve(config.kernel());
        env.enableCheckpointing(
                config.get(LearnerOptions.CHECKPOINT_INTERVAL).toMillis(),
                CheckpointingMode.EXACTLY_ONCE);
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
        SingleOutputStreamOperator<PolicyEvent> valid =
                records.process(new RouteDeadLettersFunction())
                        .uid("route-dead-letters")
                        .name("Route dead letters");
        // Both keyed by policy id: the baseline's output is already partitioned as the learner
        // needs, so the two chain with no shuffle (and no serialisation) between them.
        SingleOutputStreamOperator<PolicyEvent> withAdvantages =
                valid.keyBy(UpdateBaselineFunction.KEY, Types.STRING)
                        .process(
                                new UpdateBaselineFunction(
                                        config.policies(),
                                        config.get(LearnerOptions.BASELINE_KEY_TTL).toMillis()))
                        .uid("update-baseline")
                        .name("Update baseline");
        SingleOutputStreamOperator<PublishedSnapshot> snapshots =
                DataStreamUtils.reinterpretAsKeyedStream(
                                withAdvantages, LearnPolicyFunction.KEY, Types.STRING)
                        .process(
                                new LearnPolicyFunction(
                                        config.policies(), config.kernel(), warmStart))
                        .uid("learn-policy")
                        .name("Learn policy");
        snapshots.sinkTo(parameterSink).uid("publish-parameters").name("Publish parameters");
        valid.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS)
                .union(
                        withAdvantages.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS),
                        snapshots.getSideOutput(RouteDeadLettersFunction.DEAD_LETTERS))
                .sinkTo(deadLetterSink)
                .uid("write-dead-letters")
                .name("Write dead letters");
    }

    /** Builds the job on {@code env} and submits it without waiting for it to end. */
    public JobClient start(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync("flink-reinforce learner " + config.policies().keySet());
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
        env.execute("flink-reinforce learner " + config.policies().keySet());
    }
}
