package org.flinkreinforce.model;

import java.util.Objects;
import java.util.Random;

/**
 * The float32 parameters of a {@link PolicySpec} and their version.
 *
 * <p>The values are one flat vector laid out as the spec describes (per head: {@code W_h}
 * row-major, then {@code b_h}). The learner updates them in place and bumps the version once per
 * applied update, so an instance is mutable and not thread-safe; the serving side only ever reads
 * an instance it decoded from a snapshot. Versions only ever increase.
 */
public final class PolicyParameters {

    private final PolicySpec spec;
    private final float[] values;
    private long version;

    /**
     * Wraps {@code values} (not copied).
     *
     * @throws IllegalArgumentException if the length does not match the spec, a value is not
     *     finite, or the version is negative
     */
    public PolicyParameters(PolicySpec spec, float[] values, long version) {
        Objects.requireNonNull(spec, "The policy spec must not be null.");
        Objects.requireNonNull(values, "The parameter values must not be null.");
        spec.requireSize(values.length, spec.parameterCount(), "needs %d parameters but got %d");
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new IllegalArgumentException(
                        "Parameter " + k + " of policy " + spec.id() + " is not finite.");
            }
        }
        if (version < 0) {
            throw new IllegalArgumentException(
                    "The version of policy " + spec.id() + " must not be negative: " + version);
        }
        this.spec = spec;
        this.values = values;
        this.version = version;
    }

    /** All-zero parameters at version 0: the uniform policy. */
    public static PolicyParameters zeros(PolicySpec spec) {
        return new PolicyParameters(spec, new float[spec.parameterCount()], 0);
    }

    /**
     * Weights drawn from {@code N(0, stddev^2)}, biases zero, version 0. A small {@code stddev}
     * keeps the initial policy close to uniform while breaking symmetry.
     */
    public static PolicyParameters gaussian(PolicySpec spec, double stddev, Random random) {
        float[] values = new float[spec.parameterCount()];
        for (int h = 0; h < spec.headCount(); h++) {
            int start = spec.weightOffset(h);
            int end = start + spec.actions(h) * spec.features();
            for (int k = start; k < end; k++) {
                values[k] = (float) (random.nextGaussian() * stddev);
            }
        }
        return new PolicyParameters(spec, values, 0);
    }

    public PolicySpec spec() {
        return spec;
    }

    /** The flat parameter vector itself (not a copy): the learner updates it in place. */
    public float[] values() {
        return values;
    }

    public long version() {
        return version;
    }

    /**
     * Sets the version.
     *
     * @throws IllegalArgumentException if it would go down
     */
    public void setVersion(long newVersion) {
        if (newVersion < version) {
            throw new IllegalArgumentException(
                    "The version of policy "
                            + spec.id()
                            + " must not go down from "
                            + version
                            + " to "
                            + newVersion
                            + ".");
        }
        this.version = newVersion;
    }

    /** {@code W_h[action][feature]}. */
    public float weight(int head, int action, int feature) {
        return values[spec.weightOffset(head) + action * spec.features() + feature];
    }

    /** {@code b_h[action]}. */
    public float bias(int head, int action) {
        return values[spec.biasOffset(head) + action];
    }

    /** A deep copy. */
    public PolicyParameters copy() {
        return new PolicyParameters(spec, values.clone(), version);
    }
}
