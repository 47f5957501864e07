package org.flinkreinforce.formats.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {

    private static ParameterSnapshot sample() {
        PolicySpec spec = PolicySpec.parse("nas-ü:2:3,4");
        PolicyParameters parameters = PolicyParameters.gaussian(spec, 1.0, new Random(1));
        TrainingStatistics statistics =
                new TrainingStatistics(64, 0.5, -0.1, 2.3, 1.1, 7.5, 50.2, 3, 0.8, 1.5, 2);
        return new ParameterSnapshot(
                spec,
                42,
                1_700_000_000_123L,
                10_000,
                156,
                parameters.values(),
                statistics,
                EventDigest.of(List.of("a", "b")));
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
