package org.flinkreinforce.formats.snapshot;

import java.util.List;
import java.util.Random;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;

/** Snapshots for the format tests; fixed values, so the golden bytes stay what they are. */
public final class SnapshotSamples {

    private SnapshotSamples() {}

    /** A two-head policy with a non-ASCII id, seeded parameters and every statistic set. */
    public static ParameterSnapshot twoHeads() {
        return twoHeads(
                TrainingStatistics.fromArray(
                        new double[] {64, 0.5, -0.1, 2.3, 1.1, 7.5, 50.2, 3, 0.8, 1.5, 2}));
    }

    /** {@link #twoHeads()} with other statistics. */
    public static ParameterSnapshot twoHeads(TrainingStatistics statistics) {
        PolicySpec spec = PolicySpec.parse("nas-\u00fc:2:3,4");
        PolicyParameters parameters = PolicyParameters.gaussian(spec, 1.0, new Random(1));
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
}
