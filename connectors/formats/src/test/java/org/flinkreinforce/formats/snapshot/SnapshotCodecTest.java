package org.flinkreinforce.formats.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {

    private static ParameterSnapshot sample() {
        return SnapshotSamples.twoHeads();
    }

    @Test
    void shouldRoundTripEveryField() throws Exception {
        ParameterSnapshot snapshot = sample();
        byte[] bytes = SnapshotCodec.encode(snapshot);
        assertThat(new String(bytes, 0, 4, "US-ASCII")).isEqualTo("RFPS");
        assertThat(SnapshotCodec.decode(bytes)).isEqualTo(snapshot);
    }

    @Test
    void shouldRejectACorruptedByteWithTheCrc() {
        byte[] bytes = SnapshotCodec.encode(sample());
        for (int position : new int[] {10, bytes.length / 2, bytes.length - 5}) {
            byte[] corrupted = bytes.clone();
            corrupted[position] ^= 0x10;
            assertThatThrownBy(() -> SnapshotCodec.decode(corrupted))
                    .isInstanceOf(SnapshotFormatException.class)
                    .hasMessageContaining("CRC32");
        }
    }

    @Test
    void shouldRejectForeignTruncatedAndFutureBytes() {
        byte[] bytes = SnapshotCodec.encode(sample());
        assertThatThrownBy(() -> SnapshotCodec.decode(new byte[] {'R', 'F'}))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> SnapshotCodec.decode("{\"json\":true}".getBytes()))
                .hasMessageContaining("magic");
        byte[] future = bytes.clone();
        future[5] = 2;
        assertThatThrownBy(() -> SnapshotCodec.decode(future))
                .hasMessageContaining("version 2 is not supported");
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 9);
        assertThatThrownBy(() -> SnapshotCodec.decode(truncated))
                .isInstanceOf(SnapshotFormatException.class);
    }

    @Test
    void shouldDigestTheSameSetOfEventIdsInAnyOrderToTheSameValue() {
        long forward = EventDigest.of(List.of("p-0-1", "p-0-2", "p-1-1"));
        long shuffled =
                EventDigest.add(EventDigest.add(EventDigest.add(0, "p-1-1"), "p-0-1"), "p-0-2");
        assertThat(shuffled).isEqualTo(forward);
        assertThat(EventDigest.of(List.of("p-0-1", "p-0-2", "p-0-2"))).isNotEqualTo(forward);
        assertThat(EventDigest.of(List.of("p-0-1", "p-0-2"))).isNotEqualTo(forward);
    }
}
