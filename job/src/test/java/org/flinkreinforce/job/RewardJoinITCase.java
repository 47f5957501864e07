package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.flinkreinforce.job.testing.LearnerMiniCluster;
import org.flinkreinforce.job.testing.SharedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A logged history of decisions and their delayed rewards, timed over five simulated hours,
 * replayed through the learner at full speed: every decision is learned from exactly once with the
 * reward an offline oracle computes (the sum of the rewards timed within its window, else the
 * default), and exactly the rewards the oracle calls late or orphaned, and the duplicate decision,
 * are dead-lettered with those reasons.
 */
@ExtendWith(SharedKafka.class)
class RewardJoinITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = LearnerMiniCluster.withTaskManagers(1);

    @Test
    void shouldLeaveEmptyPartitionsOutOfTheWatermarks() throws Exception {
        JoinHistory history =
                new JoinHistory("it-join-idle", 3, new Random(6))
                        .onlyPartitions(2)
                        .decide("d", 0, 100)
                        .ticks();
        history.send();
        Map<String, String> settings = history.settings();
        // Partition 2 of each topic never has a record: without idleness the watermarks would
        // never pass a window.
        settings.put("reward.idle-timeout", "3 s");
        JobClient job = LearnerJob.kafka(LearnerConfig.fromMap(settings)).start(environment());
        try {
            history.awaitJoined();
        } finally {
            job.cancel().get();
        }
        history.assertJoinedAsTheOracle();
    }

    @Test
    void shouldJoinAReplayedHistoryAsAnOfflineOracleDoes() throws Exception {
        JoinHistory history =
                new JoinHistory("it-join", 2, new Random(5))
                        .decide("d", 0, 300)
                        .duplicate("d-3")
                        .orphans(7)
                        .ticks();
        // The history is logged before the learner starts.
        history.send();
        long began = System.nanoTime();

        JobClient job =
                LearnerJob.kafka(LearnerConfig.fromMap(history.settings())).start(environment());
        try {
            history.awaitJoined();
        } finally {
            job.cancel().get();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
        // Five simulated hours, replayed in well under a minute.
        assertThat(seconds).isLessThan(120);
        history.assertJoinedAsTheOracle();
    }

    /** Parallelism 2, no restarts. */
    private static StreamExecutionEnvironment environment() {
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        env.setParallelism(2);
        return env;
    }
}
