package org.flinkreinforce.job.testing;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniCluster the learner's integration tests run on. */
public final class LearnerMiniCluster {

    private LearnerMiniCluster() {}

    /**
     * A MiniCluster, shared by the tests of a class, of {@code taskManagers} TaskManagers with two
     * slots each: room for the learner at parallelism 2 on one TaskManager.
     */
    public static MiniClusterExtension withTaskManagers(int taskManagers) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(taskManagers)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }
}
