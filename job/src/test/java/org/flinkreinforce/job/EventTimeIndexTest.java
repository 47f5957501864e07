package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventTimeIndexTest {

    /**
     * Random runs of adds and polls, times often equal and sometimes far apart, against Java's
     * priority queue: the same times come out in the same order, each with a key added at it and
     * that key's forget mark.
     */
    @Test
    void shouldPollTheEarliestTimeFirst() {
        Random random = new Random(7);
        for (int run = 0; run < 200; run++) {
            EventTimeIndex index = new EventTimeIndex();
            PriorityQueue<long[]> reference =
                    new PriorityQueue<>(Comparator.comparingLong((long[] pair) -> pair[0]));
            int operations = 1 + random.nextInt(3_000);
            int span = 1 + random.nextInt(run % 2 == 0 ? 10 : 1_000_000);
            for (int i = 0; i < operations; i++) {
                if (reference.isEmpty() || random.nextInt(5) < 3) {
                    long time = random.nextInt(span) - span / 2;
                    boolean forget = random.nextBoolean();
                    index.add(time, time + ":" + i + ":" + forget, forget);
                    reference.add(new long[] {time, i});
                } else {
                    pollBoth(index, reference);
                }
                assertThat(index.size()).isEqualTo(reference.size());
            }
            while (!reference.isEmpty()) {
                pollBoth(index, reference);
            }
            assertThat(index.isEmpty()).isTrue();
        }
    }

    private static void pollBoth(EventTimeIndex index, PriorityQueue<long[]> reference) {
        long expected = reference.poll()[0];
        assertThat(index.headTime()).isEqualTo(expected);
        boolean forget = index.headForgets();
        String key = index.poll();
        assertThat(key).startsWith(expected + ":").endsWith(":" + forget);
    }

    /** A burst grows the arrays and its end gives them back, to the first size at the least. */
    @Test
    void shouldKeepItsOrderThroughGrowingAndShrinking() {
        EventTimeIndex index = new EventTimeIndex();
        for (int round = 0; round < 3; round++) {
            for (int i = 100_000; i > 0; i--) {
                index.add(i, Integer.toString(i));
            }
            for (int i = 1; i <= 100_000; i++) {
                assertThat(index.headTime()).isEqualTo(i);
                assertThat(index.poll()).isEqualTo(Integer.toString(i));
            }
            assertThat(index.isEmpty()).isTrue();
        }
    }
}
