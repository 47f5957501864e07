package org.flinkreinforce.model.ranker;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.flinkreinforce.model.Softmax;

/**
 * A ranker policy's scores and probabilities for one decision ({@link RankerSpec}): it builds
 * {@code phi(x, c_k)} of every candidate (the candidate's features and the crosses its spec's
 * interactions name, each as a weight index and a value), the scores {@code s_k = theta . phi(x,
 * c_k)} and {@code pi(k) = softmax(s)[k]}. The workspace grows to the largest decision seen
 * (bounded by the spec's limits) and is reused: evaluating allocates nothing after that.
 *
 * <p>Not thread-safe: one per thread. The weights are read, never written.
 */
public final class RankerPolicy {

    private final RankerSpec spec;
    private final float[] weights;
    private final int mask;
    private final int[] sharedNamespaces;
    private final int[] candidateNamespaces;
    private final boolean[] anySharedNamespace;
    private final boolean[] anyCandidateNamespace;
    private final boolean crossAll;

    private int candidates;
    private int[] phiEnds = new int[8];
    private int[] phiIndices = new int[256];
    private float[] phiValues = new float[256];

    /** {@link FeatureHasher#crossKey} of each feature of the candidate whose phi is being built. */
    private int[] crossKeys = new int[16];

    private double[] scores = new double[8];
    private double[] otherScores = new double[8];
    private double[] probabilities = new double[8];

    /**
     * @param weights {@code 2^bits} weights, read as they are when {@link #evaluate} runs
     */
    public RankerPolicy(RankerSpec spec, float[] weights) {
        spec.requireLength(weights, "weights");
        this.spec = spec;
        this.weights = weights;
        this.mask = spec.mask();
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        int count = spec.interactions().size();
        this.sharedNamespaces = new int[count];
        this.candidateNamespaces = new int[count];
        this.anySharedNamespace = new boolean[count];
        this.anyCandidateNamespace = new boolean[count];
        boolean all = false;
        for (int i = 0; i < count; i++) {
            Interaction interaction = spec.interactions().get(i);
            sharedNamespaces[i] = hasher.namespace(interaction.shared());
            candidateNamespaces[i] = hasher.namespace(interaction.candidate());
            anySharedNamespace[i] = interaction.shared().equals(Interaction.ANY);
            anyCandidateNamespace[i] = interaction.candidate().equals(Interaction.ANY);
            all |= anySharedNamespace[i] && anyCandidateNamespace[i];
        }
        this.crossAll = all;
    }

    public RankerSpec spec() {
        return spec;
    }

    /**
     * Builds {@code phi} of {@code count} candidates, their scores and probabilities.
     *
     * @throws IllegalArgumentException where the decision exceeds the spec's limits (the learner's
     *     decoders dead-letter such records before they get here)
     */
    public void evaluate(HashedFeatures shared, HashedFeatures[] candidates, int count) {
        evaluate(shared, candidates, count, null);
    }

    /**
     * {@link #evaluate(HashedFeatures, HashedFeatures[], int)}, and in the same pass over {@code
     * phi} a second linear function of it, {@code other . phi(x, c_k)} ({@link #otherScore}): the
     * learner's reward model.
     *
     * @param other {@code 2^bits} weights, or null for none
     */
    public void evaluate(
            HashedFeatures shared, HashedFeatures[] candidates, int count, float[] other) {
        if (count < 1 || count > spec.maxCandidates()) {
            throw new IllegalArgumentException(
                    "A decision of ranker policy "
                            + spec.id()
                            + " has "
                            + count
                            + " candidates; it takes 1 to "
                            + spec.maxCandidates()
                            + ".");
        }
        requireFeatures(shared, -1);
        if (phiEnds.length < count) {
            int size = Math.max(count, 2 * phiEnds.length);
            phiEnds = new int[size];
            scores = new double[size];
            otherScores = new double[size];
            probabilities = new double[size];
        }
        if (other != null) {
            spec.requireLength(other, "other weights");
        }
        this.candidates = count;
        int end = 0;
        for (int k = 0; k < count; k++) {
            HashedFeatures candidate = candidates[k];
            requireFeatures(candidate, k);
            end = phi(shared, candidate, end);
            phiEnds[k] = end;
            double score = 0;
            if (other == null) {
                for (int j = phiStart(k); j < end; j++) {
                    score += (double) weights[phiIndices[j]] * phiValues[j];
                }
            } else {
                double otherScore = 0;
                for (int j = phiStart(k); j < end; j++) {
                    int index = phiIndices[j];
                    float value = phiValues[j];
                    score += (double) weights[index] * value;
                    otherScore += (double) other[index] * value;
                }
                otherScores[k] = otherScore;
            }
            scores[k] = score;
            probabilities[k] = score;
        }
        Softmax.softmaxInPlace(probabilities, count);
    }

    /** The number of candidates of the decision evaluated last. */
    public int candidates() {
        return candidates;
    }

    public double score(int candidate) {
        return scores[candidate];
    }

    /** {@code other . phi} of the candidate, where the last evaluation was given other weights. */
    public double otherScore(int candidate) {
        return otherScores[candidate];
    }

    public double probability(int candidate) {
        return probabilities[candidate];
    }

    /** The first entry of candidate {@code k}'s {@code phi}. */
    public int phiStart(int candidate) {
        return candidate == 0 ? 0 : phiEnds[candidate - 1];
    }

    /** The entry after candidate {@code k}'s {@code phi}. */
    public int phiEnd(int candidate) {
        return phiEnds[candidate];
    }

    /** The weight index of entry {@code j} of the {@code phi}s. */
    public int phiIndex(int entry) {
        return phiIndices[entry];
    }

    /** The value of entry {@code j} of the {@code phi}s. */
    public float phiValue(int entry) {
        return phiValues[entry];
    }

    /** Samples a candidate from {@code pi}; the candidates' probabilities give its propensity. */
    public int sample(RandomGenerator random) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int k = 0; k < candidates - 1; k++) {
            cumulative += probabilities[k];
            if (u < cumulative) {
                return k;
            }
        }
        return candidates - 1;
    }

    /**
     * A full ranking sampled from {@code pi} without replacement (Plackett-Luce): {@code
     * ranking[0]} is drawn from {@code pi}, each next one from {@code pi} renormalised over those
     * left. Its first candidate is distributed as {@link #sample}'s.
     */
    public int[] sampleRanking(RandomGenerator random) {
        int[] ranking = new int[candidates];
        double[] left = Arrays.copyOf(probabilities, candidates);
        double mass = 1;
        for (int r = 0; r < candidates; r++) {
            double u = random.nextDouble() * mass;
            int pick = -1;
            double cumulative = 0;
            for (int k = 0; k < candidates; k++) {
                if (left[k] < 0) {
                    continue;
                }
                pick = k;
                cumulative += left[k];
                if (u < cumulative) {
                    break;
                }
            }
            ranking[r] = pick;
            mass -= left[pick];
            left[pick] = -1;
        }
        return ranking;
    }

    private int phi(HashedFeatures shared, HashedFeatures candidate, int end) {
        int needed = end + candidate.featureCount() * (1 + shared.featureCount());
        if (needed > phiIndices.length) {
            int size = Math.max(needed, 2 * phiIndices.length);
            phiIndices = Arrays.copyOf(phiIndices, size);
            phiValues = Arrays.copyOf(phiValues, size);
        }
        if (crossKeys.length < candidate.featureCount()) {
            crossKeys = new int[Math.max(candidate.featureCount(), 2 * crossKeys.length)];
        }
        for (int f = 0; f < candidate.featureCount(); f++) {
            phiIndices[end] = candidate.featureHash(f) & mask;
            phiValues[end] = candidate.featureValue(f);
            crossKeys[f] = FeatureHasher.crossKey(candidate.featureHash(f));
            end++;
        }
        for (int sn = 0; sn < shared.namespaceCount(); sn++) {
            for (int cn = 0; cn < candidate.namespaceCount(); cn++) {
                if (!crosses(shared.namespaceHash(sn), candidate.namespaceHash(cn))) {
                    continue;
                }
                // Candidate feature outer, shared feature inner: the inner loop runs over the
                // (usually many) shared features with one key, a plain loop over arrays that the
                // JIT compiles to vector instructions.
                int sharedStart = shared.namespaceStart(sn);
                int sharedEnd = shared.namespaceEnd(sn);
                for (int c = candidate.namespaceStart(cn); c < candidate.namespaceEnd(cn); c++) {
                    int key = crossKeys[c];
                    float candidateValue = candidate.featureValue(c);
                    int at = end - sharedStart;
                    for (int s = sharedStart; s < sharedEnd; s++) {
                        phiIndices[at + s] =
                                FeatureHasher.crossWithKey(shared.featureHash(s), key) & mask;
                        phiValues[at + s] = shared.featureValue(s) * candidateValue;
                    }
                    end += sharedEnd - sharedStart;
                }
            }
        }
        return end;
    }

    private boolean crosses(int sharedNamespace, int candidateNamespace) {
        if (crossAll) {
            return true;
        }
        for (int i = 0; i < sharedNamespaces.length; i++) {
            if ((anySharedNamespace[i] || sharedNamespaces[i] == sharedNamespace)
                    && (anyCandidateNamespace[i] || candidateNamespaces[i] == candidateNamespace)) {
                return true;
            }
        }
        return false;
    }

    /** Checks the features of candidate {@code candidate}, or of the shared context for -1. */
    private void requireFeatures(HashedFeatures features, int candidate) {
        if (features.featureCount() > spec.maxFeatures()) {
            throw new IllegalArgumentException(
                    (candidate < 0 ? "The shared context" : "Candidate " + candidate)
                            + " of a decision of ranker policy "
                            + spec.id()
                            + " has "
                            + features.featureCount()
                            + " features; it takes at most "
                            + spec.maxFeatures()
                            + ".");
        }
    }
}
