package org.flinkreinforce.formats.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

class RankerSnapshotCodecTest {

    private static final RankerSpec SPEC =
            new RankerSpec("shop", 12, -5, Interaction.parseList("user:item,*:category"), 32, 16);

    private static RankerSnapshot snapshot(int nonzero, long seed) {
        Random random = new Random(seed);
        float[] weights = new float[SPEC.weightCount()];
        for (int k = 0; k < nonzero; k++) {
            weights[random.nextInt(weights.length)] = (float) random.nextGaussian();
        }
        return new RankerSnapshot(
                SPEC,
                17,
                1_764_201_600_000L,
                5000,
                156,
                -42L,
                new double[] {32, 0.5, 0.1},
                weights);
    }

    @Test
    void shouldRoundTripSparseAndDenseWeightsChoosingTheSmallerEncoding() throws Exception {
        for (int nonzero : new int[] {0, 40, 4096 * 4}) {
            RankerSnapshot original = snapshot(nonzero, nonzero);
            byte[] bytes = RankerSnapshotCodec.encode(original);
            RankerSnapshot read = RankerSnapshotCodec.decode(bytes);

            assertThat(read.spec()).isEqualTo(SPEC);
            assertThat(read.version()).isEqualTo(17);
            assertThat(read.createdAtMillis()).isEqualTo(1_764_201_600_000L);
            assertThat(read.eventsApplied()).isEqualTo(5000);
            assertThat(read.updates()).isEqualTo(156);
            assertThat(read.eventDigest()).isEqualTo(-42L);
            assertThat(read.statistics()).containsExactly(32, 0.5, 0.1);
            assertThat(read.weights()).containsExactly(original.weights());
            int dense = 4 * SPEC.weightCount();
            assertThat(bytes.length).as("%d nonzero weights", nonzero).isLessThan(dense + 200);
            if (nonzero <= 40) {
                assertThat(bytes.length).isLessThan(200 + 8 * 40);
            }
        }
    }

    @Test
    void shouldRefuseCorruptSnapshotsAndBeToldApartFromSoftmaxOnes() {
        byte[] bytes = RankerSnapshotCodec.encode(snapshot(40, 1));
        assertThat(RankerSnapshotCodec.isRankerSnapshot(bytes)).isTrue();
        assertThatThrownBy(() -> SnapshotCodec.decode(bytes))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("magic");
        byte[] flipped = bytes.clone();
        flipped[40] ^= 1;
        assertThatThrownBy(() -> RankerSnapshotCodec.decode(flipped)).hasMessageContaining("CRC32");
        for (int length = 0; length < bytes.length; length += 7) {
            byte[] cut = java.util.Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> RankerSnapshotCodec.decode(cut))
                    .isInstanceOf(SnapshotFormatException.class);
        }
        RankerSnapshot infinite = snapshot(0, 2);
        infinite.weights()[3] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> RankerSnapshotCodec.decode(RankerSnapshotCodec.encode(infinite)))
                .hasMessageContaining("not finite");
    }
}
