package org.flinkreinforce.formats.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;

/** Events, and checks of decoded events, that the event format tests share. */
final class EventSamples {

    private EventSamples() {}

    /** A recommender event (policy {@code recs:3:10}) with every field set and that reward. */
    static LoggedEvent recommender(double reward) {
        return new LoggedEvent(
                "recs",
                new float[] {1.5f, -0.25f, 3e-8f},
                new int[] {9},
                reward,
                0.125f,
                4,
                "k",
                "id-9",
                55L);
    }

    /**
     * Asserts that {@code event} is the NAS event with actions {@code [5, 0, 3, 1]}, timestamp 123
     * and no optional field, read from partition 2 at offset 99 of topic {@code events}: no
     * features, no propensity, no version, the policy id as baseline key and an event id made of
     * the record's coordinates.
     */
    static void assertNasEventWithDefaults(LoggedEvent event) {
        assertThat(event.features()).isEmpty();
        assertThat(event.actions()).containsExactly(5, 0, 3, 1);
        assertThat(event.hasPropensity()).isFalse();
        assertThat(event.policyVersion()).isEqualTo(LoggedEvent.UNKNOWN_VERSION);
        assertThat(event.baselineKey()).isEqualTo("nas");
        assertThat(event.eventId()).isEqualTo("events-2-99");
        assertThat(event.timestamp()).isEqualTo(123L);
    }

    /**
     * A copy of {@code valid} with 1 to {@code maxMutations} mutations at random positions, each a
     * random byte, a random character of {@code alphabet}, a truncation or, where {@code insert}
     * says so, an inserted character of {@code alphabet}; fewer where nothing is left.
     */
    static byte[] mutate(
            byte[] valid, Random random, int maxMutations, String alphabet, boolean insert) {
        byte[] bytes = valid.clone();
        int mutations = 1 + random.nextInt(maxMutations);
        for (int m = 0; m < mutations && bytes.length > 0; m++) {
            int position = random.nextInt(bytes.length);
            switch (random.nextInt(insert ? 4 : 3)) {
                case 0:
                    bytes[position] = (byte) random.nextInt(256);
                    break;
                case 1:
                    bytes[position] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
                    break;
                case 2:
                    bytes = Arrays.copyOf(bytes, position);
                    break;
                default:
                    byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, position);
                    longer[position] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
                    System.arraycopy(
                            bytes, position, longer, position + 1, bytes.length - position);
                    bytes = longer;
            }
        }
        return bytes;
    }
}
