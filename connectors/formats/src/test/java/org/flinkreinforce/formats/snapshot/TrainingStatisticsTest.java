package org.flinkreinforce.formats.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.flinkreinforce.model.BatchStatistics;
import org.junit.jupiter.api.Test;

class TrainingStatisticsTest {

    private static final BatchStatistics BATCH =
            new BatchStatistics(64, 0.5, -0.1, 2.3, 1.1, 7.5, 50.2, 3, 0.8);

    @Test
    void shouldCarryTheBatchStatisticsThenStalenessThenRejectionsInWireOrder() {
        TrainingStatistics statistics =
                TrainingStatistics.of(BATCH, 1.5, 2, ValidationStatistics.NONE);
        assertThat(statistics.toArray())
                .containsExactly(64, 0.5, -0.1, 2.3, 1.1, 7.5, 50.2, 3, 0.8, 1.5, 2);
        assertThat(TrainingStatistics.fromArray(statistics.toArray())).isEqualTo(statistics);
    }

    @Test
    void shouldReplaceOnlyTheCountOfRejectedBatches() {
        double[] before = TrainingStatistics.of(BATCH, 1.5, 2, ValidationStatistics.NONE).toArray();
        double[] after =
                TrainingStatistics.of(BATCH, 1.5, 2, ValidationStatistics.NONE)
                        .withRejectedBatches(7)
                        .toArray();
        assertThat(after[TrainingStatistics.COUNT - 1]).isEqualTo(7);
        after[TrainingStatistics.COUNT - 1] = before[TrainingStatistics.COUNT - 1];
        assertThat(after).containsExactly(before);
    }

    @Test
    void shouldAppendTheValidationWhereThereIsSome() {
        ValidationStatistics validation =
                new ValidationStatistics(1000, 0.7, 0.01, 0.69, 0.009, 0.5, 0.004);
        TrainingStatistics statistics = TrainingStatistics.of(BATCH, 1.5, 2, validation);
        assertThat(statistics.toArray())
                .containsExactly(
                        64, 0.5, -0.1, 2.3, 1.1, 7.5, 50.2, 3, 0.8, 1.5, 2, 1000, 0.7, 0.01, 0.69,
                        0.009, 0.5, 0.004);
        assertThat(TrainingStatistics.fromArray(statistics.toArray())).isEqualTo(statistics);
        assertThat(statistics.withRejectedBatches(9).validation()).isEqualTo(validation);
    }

    @Test
    void shouldReadTheElevenValuesOfTheFirstReleaseWithoutValidation() {
        TrainingStatistics statistics =
                TrainingStatistics.fromArray(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        assertThat(statistics.validation()).isEqualTo(ValidationStatistics.NONE);
        assertThat(statistics.validation().ips()).isNaN();
        assertThat(statistics.toArray()).hasSize(TrainingStatistics.COUNT);
    }

    @Test
    void shouldBeAllZeroBeforeAnyBatch() {
        assertThat(TrainingStatistics.NONE.toArray())
                .hasSize(TrainingStatistics.COUNT)
                .containsOnly(0);
    }
}
