package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventTimeIndexTest {

    /**
     * Random runs of adds to the three lanes and polls against Java's priority queue: times in
     * order within a lane, nearly in order, or anywhere, often equal and sometimes far apart. The
     * same times come out in the same order, each with a key added at it, a forget where it was
     * added to the lane of forgets.
     */
    @Test
    void shouldPollTheEarliestTimeFirst() {
        Random random = new Random(7);
        for (int run = 0; run < 300; run++) {
            EventTimeIndex index = new EventTimeIndex();
            PriorityQueue<long[]> reference =
                    new PriorityQueue<>(Comparator.comparingLong((long[] pair) -> pair[0]));
            int operations = 1 + random.nextInt(3_000);
            int span = 1 + random.nextInt(run % 2 == 0 ? 10 : 1_000_000);
            int disorder = run % 3 == 0 ? span : random.nextInt(1 + span / 50);
            long[] clocks = new long[3];
            for (int i = 0; i < operations; i++) {
                if (reference.isEmpty() || random.nextInt(5) < 3) {
                    int lane = random.nextInt(3);
                    clocks[lane] += random.nextInt(1 + span / 100);
                    long time = clocks[lane] - random.nextInt(1 + disorder) - span / 2;
                    boolean forget = lane == EventTimeIndex.FORGETS;
                    index.add(time, time + ":" + i + ":" + forget, lane);
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

    /**
     * A burst grows the queues and the heap and its end gives them back; the order holds through
     * it, in order within a lane (queues) and backwards (the heap).
     */
    @Test
    void shouldKeepItsOrderThroughGrowingAndShrinking() {
        EventTimeIndex index = new EventTimeIndex();
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i <= 100_000; i++) {
                index.add(2L * i, Integer.toString(2 * i), EventTimeIndex.ENDS);
                index.add(200_001L - 2L * i, Integer.toString(200_001 - 2 * i), round % 3);
            }
            for (int i = 1; i <= 200_000; i++) {
                assertThat(index.headTime()).isEqualTo(i);
                assertThat(index.poll()).isEqualTo(Integer.toString(i));
            }
            assertThat(index.isEmpty()).isTrue();
        }
    }
}
