package org.flinkreinforce.model.ranker;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.flinkreinforce.model.Softmax;

/**
 * A ranker policy's scores and probabilities for one decision ({@link RankerSpec}): it builds
 * {@code phi(x, c_k)} of every candidate (the candidate's features and the crosses its spec's
 * interactions name, each as a weight index and a value), the scores {@code s_k = theta . phi(x,
 * c_k)} and {@code pi(k) = softmax(s)[k]}. The workspace grows to the largest decision seen
 * (bounded by the spec's limits) and is reused: evaluating allocates nothing after that. A policy
 * that evaluates more than one decision remembers the crosses it made, in a cache of 256 slots
 * (docs/math.md, "The ranker kernel").
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

    /** The evaluated decision's {@code phi}, scores and reward-model values. */
    private final RankerBatch phi = new RankerBatch();

    /** {@link FeatureHasher#crossKey} of each feature of the candidate whose phi is being built. */
    private int[] crossKeys = new int[16];

    /**
     * The crosses made last, remembered: a cross's index is a function of the candidate feature's
     * hash and the shared feature's alone, and the same crosses come again and again where the
     * shared namespace is a dense array (its hashes are those of its positions, whatever the
     * values) and the candidates come from a catalogue. Direct-mapped: a slot holds the crosses of
     * one candidate feature with one run of shared hashes, compared whole before they are used.
     * Made for a policy that builds a second decision's {@code phi} (null until then), so that one
     * made per decision allocates none.
     */
    private int[] cachedCandidateHashes;

    private int[] cachedLengths;
    private int[][] cachedSharedHashes;
    private int[][] cachedCrosses;

    /** Whether it has evaluated a decision: a second one makes the cache. */
    private boolean evaluatedBefore;

    /** The slots of the cache of crosses: a power of two. */
    static final int CROSS_CACHE_SLOTS = 256;

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
        if (other != null) {
            spec.requireLength(other, "other weights");
        }
        if (evaluatedBefore) {
            rememberCrosses();
        }
        evaluatedBefore = true;
        phi.clearCandidates();
        buildPhi(shared, candidates, count, phi);
        if (probabilities.length < count) {
            probabilities = new double[Math.max(count, 2 * probabilities.length)];
        }
        phi.weights = weights;
        phi.otherWeights = other;
        JavaRankerKernel.INSTANCE.scores(phi);
        System.arraycopy(phi.scores, 0, probabilities, 0, count);
        Softmax.softmaxInPlace(probabilities, count);
    }

    /**
     * Appends {@code phi(x, c_k)} of a decision's candidates to {@code into}, a candidate each, for
     * a {@link RankerKernel} to score.
     *
     * @throws IllegalArgumentException where the decision exceeds the spec's limits
     */
    public void buildPhi(
            HashedFeatures shared, HashedFeatures[] candidates, int count, RankerBatch into) {
        check(shared, candidates, count);
        for (int k = 0; k < count; k++) {
            appendPhi(shared, candidates[k], into);
        }
    }

    /**
     * Checks a decision against the spec's limits.
     *
     * @throws IllegalArgumentException where it has no candidates or exceeds a limit
     */
    void check(HashedFeatures shared, HashedFeatures[] candidates, int count) {
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
        for (int k = 0; k < count; k++) {
            requireFeatures(candidates[k], k);
        }
    }

    /** The number of candidates of the decision evaluated last. */
    public int candidates() {
        return phi.candidates;
    }

    public double score(int candidate) {
        return phi.scores[candidate];
    }

    /** {@code other . phi} of the candidate, where the last evaluation was given other weights. */
    public double otherScore(int candidate) {
        return phi.otherScores[candidate];
    }

    public double probability(int candidate) {
        return probabilities[candidate];
    }

    /** The first entry of candidate {@code k}'s {@code phi}. */
    public int phiStart(int candidate) {
        return phi.start(candidate);
    }

    /** The entry after candidate {@code k}'s {@code phi}. */
    public int phiEnd(int candidate) {
        return phi.ends[candidate];
    }

    /** The weight index of entry {@code j} of the {@code phi}s. */
    public int phiIndex(int entry) {
        return phi.indices[entry];
    }

    /** The value of entry {@code j} of the {@code phi}s. */
    public float phiValue(int entry) {
        return phi.values[entry];
    }

    /** Samples a candidate from {@code pi}; the candidates' probabilities give its propensity. */
    public int sample(RandomGenerator random) {
        double u = random.nextDouble();
        double cumulative = 0;
        int candidates = phi.candidates;
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
        int candidates = phi.candidates;
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

    /**
     * Appends {@code phi(x, c)} of one candidate to {@code into} as its next candidate: at most
     * {@link #maxEntries} entries.
     */
    void appendPhi(HashedFeatures shared, HashedFeatures candidate, RankerBatch into) {
        into.reserveEntries(maxEntries(shared, candidate));
        if (crossKeys.length < candidate.featureCount()) {
            crossKeys = new int[Math.max(candidate.featureCount(), 2 * crossKeys.length)];
        }
        int[] indices = into.indices;
        float[] values = into.values;
        int end = into.entries;
        for (int f = 0; f < candidate.featureCount(); f++) {
            indices[end] = candidate.featureHash(f) & mask;
            values[end] = candidate.featureValue(f);
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
                    writeCrosses(
                            shared,
                            sharedStart,
                            sharedEnd,
                            candidate.featureHash(c),
                            crossKeys[c],
                            indices,
                            end);
                    float candidateValue = candidate.featureValue(c);
                    int at = end - sharedStart;
                    for (int s = sharedStart; s < sharedEnd; s++) {
                        values[at + s] = shared.featureValue(s) * candidateValue;
                    }
                    end += sharedEnd - sharedStart;
                }
            }
        }
        into.entries = end;
        into.endCandidate();
    }

    /** Makes the cache of crosses, for a policy that builds many decisions' {@code phi}. */
    void rememberCrosses() {
        if (cachedCrosses == null) {
            cachedCandidateHashes = new int[CROSS_CACHE_SLOTS];
            cachedLengths = new int[CROSS_CACHE_SLOTS];
            cachedSharedHashes = new int[CROSS_CACHE_SLOTS][];
            cachedCrosses = new int[CROSS_CACHE_SLOTS][];
        }
    }

    /**
     * Writes the masked indices of the crosses of shared features {@code [from, to)} with the
     * candidate feature of hash {@code candidateHash} (and {@link FeatureHasher#crossKey} {@code
     * key}) to {@code indices} from {@code at}: from the cache where it holds them, else hashed and
     * remembered.
     */
    private void writeCrosses(
            HashedFeatures shared,
            int from,
            int to,
            int candidateHash,
            int key,
            int[] indices,
            int at) {
        int length = to - from;
        if (length == 0) {
            return;
        }
        int[] sharedHashes = shared.featureHashes();
        int slot = -1;
        if (cachedCrosses != null) {
            slot =
                    ((candidateHash ^ sharedHashes[from]) * 0x9E3779B1 + length)
                            >>> (Integer.SIZE - Integer.numberOfTrailingZeros(CROSS_CACHE_SLOTS));
            if (cachedLengths[slot] == length
                    && cachedCandidateHashes[slot] == candidateHash
                    && Arrays.equals(cachedSharedHashes[slot], 0, length, sharedHashes, from, to)) {
                System.arraycopy(cachedCrosses[slot], 0, indices, at, length);
                return;
            }
        }
        for (int s = 0; s < length; s++) {
            indices[at + s] = FeatureHasher.crossWithKey(sharedHashes[from + s], key) & mask;
        }
        if (slot >= 0) {
            if (cachedCrosses[slot] == null || cachedCrosses[slot].length < length) {
                cachedCrosses[slot] = new int[Math.max(length, 16)];
                cachedSharedHashes[slot] = new int[cachedCrosses[slot].length];
            }
            System.arraycopy(indices, at, cachedCrosses[slot], 0, length);
            System.arraycopy(sharedHashes, from, cachedSharedHashes[slot], 0, length);
            cachedCandidateHashes[slot] = candidateHash;
            cachedLengths[slot] = length;
        }
    }

    /** The most entries {@link #appendPhi} appends for a candidate: its features and crosses. */
    static int maxEntries(HashedFeatures shared, HashedFeatures candidate) {
        return candidate.featureCount() * (1 + shared.featureCount());
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
