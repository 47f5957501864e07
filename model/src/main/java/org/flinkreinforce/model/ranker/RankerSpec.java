package org.flinkreinforce.model.ranker;

import java.io.Serializable;
import java.util.List;
import org.flinkreinforce.model.PolicySpec;

/**
 * The shape of a ranker policy: its decision is one of the candidates that come with it (1 to
 * {@code maxCandidates}), each described by features, as is the shared context. Candidate {@code
 * k}'s score is {@code s_k = theta . phi(x, c_k)}, where {@code phi} holds the candidate's hashed
 * features and the crosses of the shared namespaces with the candidate's that {@code interactions}
 * name ({@link FeatureHasher}); {@code theta} has {@code 2^bits} weights. The policy is {@code pi(k
 * | x, C) = softmax(s)[k]}.
 *
 * <p>Shared features alone add the same amount to every candidate's score, which the softmax
 * ignores: the shared context acts only through its crosses.
 *
 * @param id the policy id
 * @param bits weights {@code 2^bits}, 1 to {@value #MAX_BITS}
 * @param seed the hash seed ({@link FeatureHasher})
 * @param interactions the crosses of shared and candidate namespaces
 * @param maxCandidates the most candidates of a decision, 1 to {@value #MAX_CANDIDATES}
 * @param maxFeatures the most features of the shared context and of each candidate, 1 to {@value
 *     #MAX_FEATURES}
 */
public record RankerSpec(
        String id,
        int bits,
        int seed,
        List<Interaction> interactions,
        int maxCandidates,
        int maxFeatures)
        implements Serializable {

    public static final int MAX_BITS = 28;
    public static final int MAX_CANDIDATES = 4096;
    public static final int MAX_FEATURES = 4096;

    public static final int DEFAULT_BITS = 18;
    public static final int DEFAULT_MAX_CANDIDATES = 64;
    public static final int DEFAULT_MAX_FEATURES = 64;

    public RankerSpec {
        PolicySpec.requireValidId(id);
        requireRange("bits", bits, 1, MAX_BITS, id);
        requireRange("max-candidates", maxCandidates, 1, MAX_CANDIDATES, id);
        requireRange("max-features", maxFeatures, 1, MAX_FEATURES, id);
        interactions = List.copyOf(interactions);
    }

    /** A ranker of the default size and limits crossing every shared namespace with every other. */
    public static RankerSpec of(String id) {
        return new RankerSpec(
                id,
                DEFAULT_BITS,
                0,
                List.of(new Interaction(Interaction.ANY, Interaction.ANY)),
                DEFAULT_MAX_CANDIDATES,
                DEFAULT_MAX_FEATURES);
    }

    public RankerSpec withBits(int newBits) {
        return new RankerSpec(id, newBits, seed, interactions, maxCandidates, maxFeatures);
    }

    /** The number of weights, {@code 2^bits}. */
    public int weightCount() {
        return 1 << bits;
    }

    /** The mask that turns a feature hash into its weight's index. */
    public int mask() {
        return (1 << bits) - 1;
    }

    /**
     * The most entries of one candidate's {@code phi}: its own features, and every cross of a
     * shared feature with one of them (a pair of namespaces is crossed once, however many
     * interactions name it).
     */
    public long maxCandidateFeatures() {
        return interactions.isEmpty()
                ? maxFeatures
                : maxFeatures + (long) maxFeatures * maxFeatures;
    }

    /** Checks that {@code values} has one entry per weight; {@code what} names them. */
    public void requireLength(float[] values, String what) {
        if (values.length != weightCount()) {
            throw new IllegalArgumentException(
                    "Ranker policy "
                            + id
                            + " has 2^"
                            + bits
                            + " "
                            + what
                            + ", not "
                            + values.length
                            + ".");
        }
    }

    private static void requireRange(String name, int value, int min, int max, String id) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "Invalid value "
                            + value
                            + " for "
                            + name
                            + " of ranker policy "
                            + id
                            + ": it must lie in ["
                            + min
                            + ", "
                            + max
                            + "].");
        }
    }
}
