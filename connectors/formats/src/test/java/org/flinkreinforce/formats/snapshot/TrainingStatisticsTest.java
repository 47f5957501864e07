package org.flinkreinforce.formats.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.flinkreinforce.model.BatchStatistics;
import org.junit.jupiter.api.Test;

class TrainingStatisticsTest {

    private static final BatchStatistics BATCH =
            new BatchStatistics(64, 0.5, -0.1, 2.3, 1.1, 7.5, 50.2, 3, 0.8);

    @Test
    void shouldCarryTheBatchStatisticsThenStalenessThenRejectionsInWireOrder() {
        TrainingStatistics statistics = TrainingStatistics.of(BATCH, 1.5, 2);
        assertThat(statistics.toArray())
                .containsExactly(64, 0.5, -0.1, 2.3, 1.1, 7.5, 50.2, 3, 0.8, 1.5, 2);
        assertThat(TrainingStatistics.fromArray(statistics.toArray())).isEqualTo(statistics);
    }

    @Test
    void shouldReplaceOnlyTheCountOfRejectedBatches() {
        double[] before = TrainingStatistics.of(BATCH, 1.5, 2).toArray();
        double[] after = TrainingStatistics.of(BATCH, 1.5, 2).withRejectedBatches(7).toArray();
        assertThat(after[TrainingStatistics.COUNT - 1]).isEqualTo(7);
        after[TrainingStatistics.COUNT - 1] = before[TrainingStatistics.COUNT - 1];
        assertThat(after).containsExactly(before);
    }

    @Test
    void shouldBeAllZeroBeforeAnyBatch() {
        assertThat(TrainingStatistics.NONE.toArray())
                .hasSize(TrainingStatistics.COUNT)
                .containsOnly(0);
    }
}
