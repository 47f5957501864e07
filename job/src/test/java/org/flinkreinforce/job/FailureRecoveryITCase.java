package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.connectors.event.DecodedRecord;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.PolicyEventSerializer;
import org.flinkreinforce.connectors.kafka.EventDeserializationSchema;
import org.flinkreinforce.connectors.kafka.JoinInputDeserializationSchema;
import org.flinkreinforce.connectors.kafka.KafkaConnectors;
import org.flinkreinforce.connectors.kafka.TopicRecordSchema;
import org.flinkreinforce.formats.event.DecisionDecoder;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.formats.event.RewardDecoder;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.testing.Checkpoints;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.job.testing.SharedKafka;
import org.flinkreinforce.model.baseline.BaselineState;
import org.flinkreinforce.model.baseline.RunningBaseline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under failures, each scenario checked by the oracle every snapshot carries: after
 * the stream is drained, events applied equals the events sent, the applied-event digest equals the
 * digest of their ids, and versions (read {@code read_committed}) strictly increase with finite
 * parameters. A task failure, a lost TaskManager and a stop with savepoint check a ranker policy
 * learned beside the softmax one the same way ({@link RankerTraffic}).
 */
@ExtendWith(SharedKafka.class)
class FailureRecoveryITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = LearnerMiniCluster.withTaskManagers(2);

    /** The indexes of the cluster's running TaskManagers, oldest first. */
    private static final List<Integer> LIVE_TASK_MANAGERS = new ArrayList<>(List.of(0, 1));

    private static int startedTaskManagers = 2;

    /** Armed by the test; the next record read then fails its task, once. */
    static final AtomicBoolean ARMED = new AtomicBoolean();

    @TempDir Path savepoints;

    @Test
    void shouldNotCountAnEventTwiceAfterATaskFailsRightAfterACheckpoint(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String prefix = "eo-task";
        LearnerConfig config =
                LearnerConfig.fromMap(RankerTraffic.withRanker(settingsOnNewTopics(prefix, 2)));
        List<String> sent = new ArrayList<>();
        List<String> ranked = new ArrayList<>();
        JobClient client = failOnceJob(config, prefix).start(environment(null));
        try {
            LearnerJobITCase.send(prefix, "a", 600, sent);
            RankerTraffic.send(prefix, "ra", 300, ranked);
            LearnerJobITCase.awaitApplied(prefix, 1);
            long versionBefore = LearnerJobITCase.last(prefix).version();
            // Fail the moment the next checkpoint completes, with the next events in flight.
            Checkpoints checkpoints = Checkpoints.of(cluster, client);
            long completed = checkpoints.completed();
            SharedKafka.await(
                    "a checkpoint to complete",
                    Duration.ofSeconds(30),
                    () -> checkpoints.completed() > completed);
            ARMED.set(true);
            LearnerJobITCase.send(prefix, "b", 600, sent);
            RankerTraffic.send(prefix, "rb", 300, ranked);
            LearnerJobITCase.awaitApplied(prefix, sent.size());
            RankerTraffic.awaitApplied(prefix, ranked.size());
            assertThat(ARMED.get()).as("the injected failure happened").isFalse();
            assertThat(LearnerJobITCase.last(prefix).version()).isGreaterThan(versionBefore);
        } finally {
            client.cancel().get();
        }
        assertExactlyOnce(prefix, sent);
        RankerTraffic.assertAppliedExactly(prefix, ranked);
    }

    @Test
    void shouldNotLoseOrRepeatAnEventWhenATaskManagerIsLost(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        String prefix = "eo-tm";
        Map<String, String> settings = RankerTraffic.withRanker(settingsOnNewTopics(prefix, 2));
        List<String> sent = new ArrayList<>();
        List<String> ranked = new ArrayList<>();
        JobClient client = start(settings, environment(null));
        try {
            LearnerJobITCase.send(prefix, "a", 600, sent);
            RankerTraffic.send(prefix, "ra", 300, ranked);
            LearnerJobITCase.awaitApplied(prefix, 300);
            loseATaskManager(cluster, client);
            LearnerJobITCase.send(prefix, "b", 600, sent);
            RankerTraffic.send(prefix, "rb", 300, ranked);
            LearnerJobITCase.awaitApplied(prefix, sent.size());
            RankerTraffic.awaitApplied(prefix, ranked.size());
        } finally {
            client.cancel().get();
        }
        assertExactlyOnce(prefix, sent);
        RankerTraffic.assertAppliedExactly(prefix, ranked);
    }

    @Test
    void shouldContinueExactlyFromASavepointAfterTheJobIsStopped() throws Exception {
        String prefix = "eo-savepoint";
        Map<String, String> settings = RankerTraffic.withRanker(settingsOnNewTopics(prefix, 2));
        List<String> sent = new ArrayList<>();
        List<String> ranked = new ArrayList<>();
        JobClient first = start(settings, environment(null));
        LearnerJobITCase.send(prefix, "a", 600, sent);
        RankerTraffic.send(prefix, "ra", 300, ranked);
        LearnerJobITCase.awaitApplied(prefix, 300);
        RankerTraffic.awaitApplied(prefix, 100);
        String savepoint = stopWithSavepoint(first);
        long versionAtStop = LearnerJobITCase.last(prefix).version();
        // Events produced while no job runs are read by the restored job.
        LearnerJobITCase.send(prefix, "b", 300, sent);
        RankerTraffic.send(prefix, "rb", 150, ranked);
        JobClient second = start(settings, environment(savepoint));
        try {
            LearnerJobITCase.send(prefix, "c", 300, sent);
            RankerTraffic.send(prefix, "rc", 150, ranked);
            LearnerJobITCase.awaitApplied(prefix, sent.size());
            RankerTraffic.awaitApplied(prefix, ranked.size());
            assertThat(LearnerJobITCase.last(prefix).version()).isGreaterThan(versionAtStop);
        } finally {
            second.cancel().get();
        }
        assertExactlyOnce(prefix, sent);
        RankerTraffic.assertAppliedExactly(prefix, ranked);
    }

    @Test
    void shouldKeepExactlyOnceWhenRescaledFromTwoToOneAndBackToTwo() throws Exception {
        String prefix = "eo-rescale";
        // Policies (keys) on both subtasks at parallelism 2, so that rescaling moves their state.
        List<String> policies = List.of("nas", "nas2", "nas3", "nas4");
        assertThat(
                        policies.stream()
                                .map(
                                        id ->
                                                KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                                        id, 128, 2))
                                .distinct()
                                .count())
                .as("subtasks the policies are keyed to")
                .isEqualTo(2);
        LearnerJobITCase.createTopics(prefix, 2);
        Map<String, String> settings =
                LearnerJobITCase.settings(
                        prefix,
                        String.join(";", policies.stream().map(id -> id + ":0:4,3").toList()));
        Map<String, List<String>> sent = new java.util.LinkedHashMap<>();
        String savepoint = null;
        int[] parallelisms = {2, 1, 2};
        for (int phase = 0; phase < parallelisms.length; phase++) {
            StreamExecutionEnvironment env = environment(savepoint);
            env.setParallelism(parallelisms[phase]);
            JobClient client = start(settings, env);
            for (String policy : policies) {
                LearnerJobITCase.send(
                        prefix,
                        policy,
                        policy + "-phase" + phase,
                        100,
                        sent.computeIfAbsent(policy, id -> new ArrayList<>()));
            }
            for (String policy : policies) {
                LearnerJobITCase.awaitApplied(prefix, policy, sent.get(policy).size());
            }
            if (phase < parallelisms.length - 1) {
                savepoint = stopWithSavepoint(client);
            } else {
                client.cancel().get();
            }
        }
        LearnerJobITCase.assertVersionsStrictlyIncrease(
                LearnerJobITCase.snapshots(prefix + "-parameters"));
        sent.forEach(
                (policy, ids) -> {
                    ParameterSnapshot last = LearnerJobITCase.last(prefix, policy);
                    assertThat(last.eventsApplied()).as(policy).isEqualTo(ids.size());
                    assertThat(last.eventDigest())
                            .as(policy)
                            .isEqualTo(org.flinkreinforce.formats.snapshot.EventDigest.of(ids));
                });
        assertThat(SharedKafka.readAll(prefix + "-dead-letters")).isEmpty();
    }

    @Test
    void shouldEndWithTheParametersOfThePlainJavaReferenceLearnerAfterAFailure() throws Exception {
        String prefix = "eo-reference";
        Map<String, String> settings = settingsOnNewTopics(prefix, 1);
        // Count-only flushing: batch boundaries depend on the events alone.
        settings.put("batch.size", "20");
        settings.put("batch.timeout", "1 h");
        settings.put("publish.every-updates", "1");
        LearnerConfig config = LearnerConfig.fromMap(settings);
        List<PolicyEvent> events = new ArrayList<>();
        Random random = new Random(29);
        for (int k = 0; k < 600; k++) {
            int[] actions = {random.nextInt(4), random.nextInt(3)};
            double reward = (actions[0] == 1 ? 1 : 0) + 0.3 * random.nextGaussian();
            events.add(
                    new PolicyEvent(
                            "nas",
                            new float[0],
                            actions,
                            reward,
                            PolicyEvent.ON_POLICY,
                            -1,
                            "nas",
                            "reference-" + k,
                            0));
        }
        StreamExecutionEnvironment env = environment(null);
        env.setParallelism(1);
        JobClient client = failOnceJob(config, prefix).start(env);
        try (EventLogger logger =
                new EventLogger(SharedKafka.broker().clientProperties(), prefix + "-events")) {
            for (PolicyEvent event : events.subList(0, 300)) {
                logger.send(event.toLogged());
            }
            logger.flush();
            LearnerJobITCase.awaitApplied(prefix, 200);
            ARMED.set(true);
            for (PolicyEvent event : events.subList(300, 600)) {
                logger.send(event.toLogged());
            }
            logger.flush();
            LearnerJobITCase.awaitApplied(prefix, 600);
            assertThat(ARMED.get()).as("the injected failure happened").isFalse();
        } finally {
            client.cancel().get();
        }
        assertExactlyOnce(prefix, events.stream().map(e -> e.eventId).toList());

        // The same events, in the same order and batches, through the model alone: the running
        // baseline, then the estimator, reward model, optimizer and average of the learner.
        PolicySettings policy = config.policies().get("nas");
        RunningBaseline baseline = new RunningBaseline(policy.baseline());
        BaselineState baselineState = new BaselineState();
        List<PolicyEvent> stamped = new ArrayList<>();
        for (PolicyEvent event : events) {
            PolicyEvent copy = PolicyEventSerializer.INSTANCE.copy(event);
            copy.advantage = baseline.advantageThenUpdate(baselineState, event.reward);
            stamped.add(copy);
        }
        float[] expected = LearnPolicyFunctionTest.reference(policy, stamped, 20);
        ParameterSnapshot last = LearnerJobITCase.last(prefix);
        assertThat(last.version()).isEqualTo(30);
        assertThat(last.parameters()).containsExactly(expected);
    }

    @Test
    void shouldJoinEveryDecisionOnceWhenATaskFailsWithDecisionsPending(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String prefix = "eo-join-task";
        JoinHistory history = new JoinHistory(prefix, 2, new Random(11));
        LearnerConfig config = LearnerConfig.fromMap(history.settings());
        JobClient client =
                LearnerJob.kafka(config)
                        .withJoinInputs(
                                KafkaConnectors.source(
                                        config.bootstrapServers(),
                                        List.of(prefix + "-decisions", prefix + "-rewards"),
                                        config.get(LearnerOptions.GROUP_ID),
                                        config.kafkaProperties(),
                                        OffsetsInitializer.earliest(),
                                        new FailOnce<>(
                                                new JoinInputDeserializationSchema(
                                                        prefix + "-decisions",
                                                        DecisionDecoder.withoutSpecs(
                                                                config.specs(), 1 << 20),
                                                        new RewardDecoder(1 << 20)))))
                        .start(environment(null));
        try {
            awaitPendingCheckpoint(cluster, client, history.decide("a", 0, 150).orphans(3));
            // The next decision or reward read fails its task, with the last hour's decisions
            // pending.
            ARMED.set(true);
            history.decide("b", 150, 300).duplicate("b-160").ticks().send();
            history.awaitJoined();
            assertThat(ARMED.get()).as("the injected failure happened").isFalse();
        } finally {
            client.cancel().get();
        }
        history.assertJoinedAsTheOracle();
    }

    @Test
    void shouldJoinEveryDecisionOnceWhenATaskManagerIsLostWithDecisionsPending(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String prefix = "eo-join-tm";
        JoinHistory history = new JoinHistory(prefix, 2, new Random(12));
        JobClient client = start(history.settings(), environment(null));
        try {
            awaitPendingCheckpoint(cluster, client, history.decide("a", 0, 150));
            loseATaskManager(cluster, client);
            history.decide("b", 150, 300).orphans(3).ticks().send();
            history.awaitJoined();
        } finally {
            client.cancel().get();
        }
        history.assertJoinedAsTheOracle();
    }

    @Test
    void shouldJoinEveryDecisionOnceAcrossAStopWithSavepointWithDecisionsPending(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String prefix = "eo-join-savepoint";
        JoinHistory history = new JoinHistory(prefix, 2, new Random(13));
        JobClient first = start(history.settings(), environment(null));
        awaitPendingCheckpoint(cluster, first, history.decide("a", 0, 150));
        String savepoint = stopWithSavepoint(first);
        // Logged while no job runs: read by the restored job.
        history.decide("b", 150, 220).send();
        JobClient second = start(history.settings(), environment(savepoint));
        try {
            history.decide("c", 220, 300).duplicate("a-140").ticks().send();
            history.awaitJoined();
        } finally {
            second.cancel().get();
        }
        history.assertJoinedAsTheOracle();
    }

    /**
     * Logs what {@code history} made so far, waits until the learner applied the decisions whose
     * windows closed (a third of them at least; the newest hour's stay pending: no later record
     * moves the watermark past them) and then until a checkpoint completes with them pending.
     */
    private static void awaitPendingCheckpoint(
            MiniCluster cluster, JobClient client, JoinHistory history) throws Exception {
        history.send();
        int logged = history.rewards.size();
        SharedKafka.await(
                "the decisions of closed windows learned from",
                Duration.ofSeconds(120),
                () -> {
                    ParameterSnapshot last = history.newest();
                    return last != null && last.eventsApplied() >= logged / 3;
                });
        assertThat(history.newest().eventsApplied()).as("decisions pending").isLessThan(logged);
        Checkpoints checkpoints = Checkpoints.of(cluster, client);
        long completed = checkpoints.completed();
        SharedKafka.await(
                "a checkpoint to complete",
                Duration.ofSeconds(30),
                () -> checkpoints.completed() > completed);
    }

    /**
     * Creates the topics of {@code prefix}, the events topic with {@code eventPartitions}
     * partitions, and answers the settings of a learner of policy {@code nas:0:4,3} on them.
     */
    private static Map<String, String> settingsOnNewTopics(String prefix, int eventPartitions) {
        LearnerJobITCase.createTopics(prefix, eventPartitions);
        return LearnerJobITCase.settings(prefix, "nas:0:4,3");
    }

    /**
     * Loses TaskManagers until one that ran part of the job is gone (the scheduler may have put
     * every task on one of them) and the job restored a checkpoint.
     */
    private static void loseATaskManager(MiniCluster cluster, JobClient client) throws Exception {
        Checkpoints checkpoints = Checkpoints.of(cluster, client);
        for (int lost = 0; lost < 2 && checkpoints.restored() <= 0; lost++) {
            // The cluster numbers its TaskManagers in the order they started, the lost ones too.
            cluster.terminateTaskManager(LIVE_TASK_MANAGERS.remove(0)).get();
            cluster.startTaskManager();
            LIVE_TASK_MANAGERS.add(startedTaskManagers++);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (checkpoints.restored() <= 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        assertThat(checkpoints.restored() > 0).as("the job restored a checkpoint").isTrue();
    }

    private static JobClient start(Map<String, String> settings, StreamExecutionEnvironment env)
            throws Exception {
        return LearnerJob.kafka(LearnerConfig.fromMap(settings)).start(env);
    }

    private String stopWithSavepoint(JobClient client) throws Exception {
        return client.stopWithSavepoint(
                        false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
    }

    /** The production job, but reading events through {@link FailOnce}. */
    private static LearnerJob failOnceJob(LearnerConfig config, String prefix)
            throws InterruptedException {
        return LearnerJob.withConfiguredPolicies(
                config,
                org.apache.flink.connector.kafka.source.KafkaSource.<DecodedRecord>builder()
                        .setBootstrapServers(config.bootstrapServers())
                        .setTopics(prefix + "-events")
                        .setGroupId(prefix + "-learner")
                        .setProperty("isolation.level", "read_committed")
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(
                                new FailOnce<>(
                                        new EventDeserializationSchema(
                                                new EventDecoder(config.specs(), 1 << 20),
                                                config.rankerSpecs())))
                        .build(),
                KafkaConnectors.exactlyOnceSink(
                        config.bootstrapServers(),
                        TopicRecordSchema.snapshots(prefix + "-parameters"),
                        config.kafkaProperties(),
                        prefix + "-parameters",
                        Duration.ofMinutes(1)),
                KafkaConnectors.exactlyOnceSink(
                        config.bootstrapServers(),
                        TopicRecordSchema.deadLetters(prefix + "-dead-letters"),
                        config.kafkaProperties(),
                        prefix + "-dead-letters",
                        Duration.ofMinutes(1)));
    }

    /** Parallelism 2, restarts after failures, and the state of {@code savepoint} unless null. */
    private static StreamExecutionEnvironment environment(String savepoint) {
        Configuration configuration = new Configuration();
        if (savepoint != null) {
            configuration.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        return env;
    }

    private static void assertExactlyOnce(String prefix, List<String> sent) throws Exception {
        // Drained: nothing more arrives after every event was applied.
        LearnerJobITCase.assertAppliedExactly(prefix, sent);
        assertThat(SharedKafka.readAll(prefix + "-dead-letters")).isEmpty();
    }

    /** A deserializer failing its task once when the test armed it. */
    static final class FailOnce<T> implements KafkaRecordDeserializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private final KafkaRecordDeserializationSchema<T> delegate;

        FailOnce(KafkaRecordDeserializationSchema<T> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out)
                throws IOException {
            if (ARMED.compareAndSet(true, false)) {
                throw new IOException("Injected failure after a completed checkpoint.");
            }
            delegate.deserialize(record, out);
        }

        @Override
        public TypeInformation<T> getProducedType() {
            return delegate.getProducedType();
        }
    }
}
