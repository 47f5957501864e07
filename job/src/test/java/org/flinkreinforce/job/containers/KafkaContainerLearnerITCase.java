package org.flinkreinforce.job.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.testing.Checkpoints;
import org.flinkreinforce.job.testing.ClientProperties;
import org.flinkreinforce.job.testing.ContainerImages;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.job.testing.LearnerSettings;
import org.flinkreinforce.job.testing.ServedDecisions;
import org.flinkreinforce.job.testing.SharedKafka;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.kafka.KafkaContainer;

/** The learner on a MiniCluster against Kafka in a Testcontainers {@link KafkaContainer}. */
@RequiresDocker
class KafkaContainerLearnerITCase {

    /** How long a checkpoint may take here, so that one fails within a pause of the broker. */
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(3);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = LearnerMiniCluster.withTaskManagers(1);

    @Test
    void shouldLearnFromEventsInAKafkaContainerAndPublishWhatTheServingClientDecodes()
            throws Exception {
        try (KafkaContainer kafka = new KafkaContainer(ContainerImages.kafka())) {
            kafka.start();
            Properties client = ClientProperties.plaintext(kafka.getBootstrapServers());
            LearnerSettings.createTopics(client, "tc", 2);
            PolicySpec spec = PolicySpec.parse("nas:0:4,3");
            Map<String, String> settings =
                    LearnerSettings.withTopics(client, "tc", spec.toString());
            settings.put("batch.size", "32");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            JobClient job = LearnerJob.kafka(LearnerConfig.fromMap(settings)).start(env);
            int total = 1500;
            List<String> sent = new ArrayList<>();
            try (PolicyClient policies = new PolicyClient(client, "tc-parameters");
                    EventLogger logger = new EventLogger(client, "tc-events")) {
                policies.register(spec);
                Random random = new Random(11);
                // Option 2 of the first decision and option 0 of the second pay.
                ServedDecisions.log(
                        policies,
                        logger,
                        random,
                        total,
                        actions ->
                                (actions[0] == 2 ? 1 : 0)
                                        + (actions[1] == 0 ? 0.5 : 0)
                                        + 0.1 * random.nextGaussian(),
                        sent);
                policies.awaitEventsApplied("nas", total, Duration.ofSeconds(90));
                ParameterSnapshot last = policies.snapshot("nas").orElseThrow();
                assertThat(last.eventsApplied()).isEqualTo(total);
                assertThat(last.eventDigest()).isEqualTo(EventDigest.of(sent));
                assertThat(last.version()).isPositive();
                assertThat(policies.version("nas")).isEqualTo(last.version());
                // The learned policy prefers the paying options.
                int[] greedy =
                        new org.flinkreinforce.model.SoftmaxPolicy(last.toParameters())
                                .greedy(new float[0]);
                assertThat(greedy).containsExactly(2, 0);
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void shouldApplyEveryEventExactlyOnceAcrossABrokerPauseLongerThanACheckpointInterval(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        try (KafkaContainer kafka = new KafkaContainer(ContainerImages.kafka())) {
            kafka.start();
            Properties client = ClientProperties.plaintext(kafka.getBootstrapServers());
            Map<String, String> settings = LearnerSettings.fast(client, "nas:0:4,3");
            settings.put("batch.size", "32");
            settings.put("batch.timeout", "200 ms");
            settings.put("transaction.timeout", "2 min");
            settings.put("group.id", "pause-learner");
            settings.put("transactional-id.prefix", "pause");
            org.apache.flink.configuration.Configuration restarts =
                    new org.apache.flink.configuration.Configuration();
            restarts.set(
                    org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY,
                    "fixed-delay");
            restarts.set(
                    org.apache.flink.configuration.RestartStrategyOptions
                            .RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                    50);
            restarts.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, CHECKPOINT_TIMEOUT);
            restarts.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 1000);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(restarts);
            env.setParallelism(2);
            // The learner creates its topics (topics.create defaults to true).
            JobClient job = LearnerJob.kafka(LearnerConfig.fromMap(settings)).start(env);
            List<String> sent = new ArrayList<>();
            try (PolicyClient policies = new PolicyClient(client, "reinforce-parameters");
                    EventLogger logger = new EventLogger(client, "reinforce-events")) {
                policies.register(PolicySpec.parse("nas:0:4,3"));
                Random random = new Random(23);
                ServedDecisions.log(
                        policies, logger, random, 500, actions -> actions[0] == 2 ? 1 : 0, sent);
                awaitApplied(policies, 500);
                // Paused until a checkpoint failed for it (the sinks cannot flush or commit), then
                // resumed: checkpoints complete again, and no event is lost or applied twice.
                Checkpoints checkpoints = Checkpoints.of(cluster, job);
                long failed = checkpoints.failed();
                ServedDecisions.log(
                        policies, logger, random, 100, actions -> actions[0] == 2 ? 1 : 0, sent);
                kafka.getDockerClient().pauseContainerCmd(kafka.getContainerId()).exec();
                try {
                    SharedKafka.await(
                            "a checkpoint to fail while the broker is paused",
                            Duration.ofSeconds(60),
                            () -> checkpoints.failed() > failed);
                } finally {
                    kafka.getDockerClient().unpauseContainerCmd(kafka.getContainerId()).exec();
                }
                long completed = checkpoints.completed();
                ServedDecisions.log(
                        policies, logger, random, 500, actions -> actions[0] == 2 ? 1 : 0, sent);
                awaitApplied(policies, sent.size());
                SharedKafka.await(
                        "a checkpoint to complete after the pause",
                        Duration.ofSeconds(30),
                        () -> checkpoints.completed() > completed);
                ParameterSnapshot last = policies.snapshot("nas").orElseThrow();
                assertThat(last.eventsApplied()).isEqualTo(sent.size());
                assertThat(last.eventDigest()).isEqualTo(EventDigest.of(sent));
            } finally {
                job.cancel().get();
            }
        }
    }

    private static void awaitApplied(PolicyClient policies, long count)
            throws InterruptedException {
        policies.awaitEventsApplied("nas", count, Duration.ofSeconds(120));
        assertThat(policies.eventsApplied("nas")).as("events applied").isEqualTo(count);
    }
}
