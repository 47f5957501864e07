package org.flinkreinforce.job.testing;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniCluster the learner's integration tests run on. */
public final class LearnerMiniCluster {

    private LearnerMiniCluster() {}

    /**
     * A MiniCluster, shared by the tests of a class, of {@code taskManagers} TaskManagers with two
     * slots each: room for the learner at parallelism 2 on one TaskManager. Its REST API answers
     * checkpoint counts as they are (not cached for seconds), for tests that wait on them.
     */
    public static MiniClusterExtension withTaskManagers(int taskManagers) {
        Configuration configuration = new Configuration();
        configuration.set(RestOptions.CACHE_CHECKPOINT_STATISTICS_TIMEOUT, Duration.ofMillis(10));
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(configuration)
                        .setNumberTaskManagers(taskManagers)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }
}
