package org.flinkreinforce.connectors.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SplitAlignmentTest {

    private static final long MINUTE = 60_000;
    private static final long IDLE_NANOS = 1_000_000;

    /** Checks every record, a split idle after 2 quiet checks and 1 ms. */
    private final SplitAlignment alignment = new SplitAlignment(MINUTE, 1, 2, IDLE_NANOS);

    @Test
    void shouldPauseASplitReadMoreThanTheLimitAheadOfTheSlowestAndResumeItAtHalf() {
        alignment.add("decisions-0");
        alignment.add("rewards-0");
        record("decisions-0", 0, 0);
        assertThat(record("rewards-0", MINUTE, 0).isEmpty()).isTrue();

        SplitAlignment.Changes changes = record("rewards-0", MINUTE + 1, 0);

        assertThat(changes.pause()).containsExactly("rewards-0");
        assertThat(alignment.holdsAny()).isTrue();
        // Still more than half the limit behind: held.
        assertThat(record("decisions-0", MINUTE / 2, 0).isEmpty()).isTrue();
        assertThat(record("decisions-0", MINUTE / 2 + 1, 0).resume()).containsExactly("rewards-0");
        assertThat(alignment.holdsAny()).isFalse();
    }

    @Test
    void shouldNeverPauseTheSlowestSplit() {
        alignment.add("a");
        alignment.add("b");
        record("a", 10 * MINUTE, 0);
        record("b", 0, 0);
        SplitAlignment.Changes changes = alignment.check(0);

        assertThat(alignment.isPaused("a")).isTrue();
        assertThat(alignment.isPaused("b")).isFalse();
        assertThat(changes.resume()).isEmpty();
    }

    @Test
    void shouldNotBeHeldBackByASplitThatDeliveredNothingYet() {
        alignment.add("decisions-0");
        alignment.add("rewards-0");

        record("decisions-0", 0, 0);
        record("decisions-0", 100 * MINUTE, 0);

        assertThat(alignment.holdsAny()).isFalse();
    }

    @Test
    void shouldResumeEverySplitOnceTheSlowestHasBeenQuietForTheChecksAndTheTime() {
        alignment.add("decisions-0");
        alignment.add("rewards-0");
        record("decisions-0", 0, 0);
        record("rewards-0", 10 * MINUTE, 0);
        assertThat(alignment.isPaused("rewards-0")).isTrue();

        // Quiet for two checks, but not yet for the idle time: still held.
        assertThat(alignment.check(IDLE_NANOS / 2).isEmpty()).isTrue();
        assertThat(alignment.check(IDLE_NANOS / 2).isEmpty()).isTrue();
        // Quiet for the idle time, but for one check only since its last record: it holds back.
        SplitAlignment late = new SplitAlignment(MINUTE, 1, 2, IDLE_NANOS);
        late.recorded("d", 0);
        late.check(0);
        late.recorded("r", 10 * MINUTE);
        assertThat(late.check(2 * IDLE_NANOS).pause()).containsExactly("r");

        SplitAlignment.Changes changes = alignment.check(IDLE_NANOS);

        assertThat(changes.resume()).containsExactly("rewards-0");
        assertThat(alignment.holdsAny()).isFalse();
        // Delivering again, it holds the others back again.
        record("rewards-0", 10 * MINUTE + 1, 2 * IDLE_NANOS);
        assertThat(record("decisions-0", 1, 2 * IDLE_NANOS).pause()).containsExactly("rewards-0");
    }

    @Test
    void shouldNotCountAQuietSplitAsIdleWhileItsQuietChecksAreRecentInTime() {
        // Under backpressure the reader polls nothing for a while: no checks, no idleness.
        alignment.add("d");
        alignment.add("r");
        record("d", 0, 0);
        record("r", 10 * MINUTE, 0);
        assertThat(alignment.isPaused("r")).isTrue();

        assertThat(record("d", 1, 100 * IDLE_NANOS).isEmpty()).isTrue();

        assertThat(alignment.isPaused("r")).isTrue();
    }

    @Test
    void shouldForgetARemovedSplit() {
        alignment.add("a");
        alignment.add("b");
        record("a", 0, 0);
        record("b", 10 * MINUTE, 0);
        assertThat(alignment.holdsAny()).isTrue();

        alignment.remove("b");

        assertThat(alignment.holdsAny()).isFalse();
        assertThat(alignment.isPaused("b")).isFalse();
    }

    @Test
    void shouldCheckEveryRecordsPerCheckRecords() {
        SplitAlignment everyThird = new SplitAlignment(MINUTE, 3, 2, IDLE_NANOS);

        assertThat(everyThird.recorded("a", 0)).isFalse();
        assertThat(everyThird.recorded("a", 0)).isFalse();
        assertThat(everyThird.recorded("b", 0)).isTrue();
        everyThird.check(0);
        assertThat(everyThird.recorded("a", 0)).isFalse();
    }

    @Test
    void shouldNotOverflowAtTheEndOfTime() {
        alignment.add("a");
        alignment.add("b");
        record("a", Long.MAX_VALUE - 1, 0);

        assertThat(record("b", Long.MAX_VALUE, 0).isEmpty()).isTrue();
    }

    @Test
    void shouldRefuseNegativeSettings() {
        assertThatThrownBy(() -> new SplitAlignment(-1, 1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SplitAlignment(0, 0, 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A record of {@code split} timed {@code time}, and the check it is due for at {@code now}. */
    private SplitAlignment.Changes record(String split, long time, long nowNanos) {
        assertThat(alignment.recorded(split, time)).as("a check is due every record").isTrue();
        return alignment.check(nowNanos);
    }
}
