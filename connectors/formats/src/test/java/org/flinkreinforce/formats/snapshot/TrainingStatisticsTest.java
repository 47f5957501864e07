package org.flinkreinforce.formats.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.flinkreinforce.model.BatchStatistics;
import org.flinkreinforce.model.evaluation.ProgressiveValidation;
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
    void shouldPublishNoValidationUntilEveryEstimateIsFinite() {
        ProgressiveValidation validation = new ProgressiveValidation();
        assertThat(ValidationStatistics.of(validation)).isEqualTo(ValidationStatistics.NONE);
        // One event: its standard errors are infinite.
        validation.addWeighted(1.0, 2.0);
        assertThat(ValidationStatistics.of(validation)).isEqualTo(ValidationStatistics.NONE);
        validation.addWeighted(0.5, 1.0);
        ValidationStatistics two = ValidationStatistics.of(validation);
        assertThat(two.isPresent()).isTrue();
        assertThat(two.ips()).isCloseTo((2.0 + 0.5) / 2, within(1e-12));
        // Weights that are all 0: SNIPS is NaN.
        ProgressiveValidation zero = new ProgressiveValidation();
        zero.addWeighted(1.0, 0.0);
        zero.addWeighted(2.0, 0.0);
        assertThat(ValidationStatistics.of(zero)).isEqualTo(ValidationStatistics.NONE);
    }

    @Test
    void shouldBeAllZeroBeforeAnyBatch() {
        assertThat(TrainingStatistics.NONE.toArray())
                .hasSize(TrainingStatistics.COUNT)
                .containsOnly(0);
    }
}
