package org.flinkreinforce.model.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RankerPolicyTest {

    private static final double TOLERANCE = 1e-3;

    private static RankerSpec spec(int bits, List<Interaction> interactions) {
        return new RankerSpec("rank", bits, 7, interactions, 16, 32);
    }

    /** Scores, probabilities and phi against a naive evaluation written from the definitions. */
    @Test
    void shouldScoreEveryCandidateFromItsFeaturesAndTheirCrossesWithTheSharedContext() {
        Random random = new Random(3);
        RankerSpec spec = spec(12, Interaction.parseList("s0:c1,s1:*"));
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        float[] weights = RankerFixtures.randomWeights(spec, 0.3, random);
        RankerPolicy policy = new RankerPolicy(spec, weights);
        for (int trial = 0; trial < 50; trial++) {
            HashedFeatures shared = RankerFixtures.randomFeatures(hasher, "s", 3, 3, random);
            int count = 1 + random.nextInt(8);
            HashedFeatures[] candidates =
                    RankerFixtures.randomCandidates(hasher, count, 2, 3, random);
            policy.evaluate(shared, candidates, count);
            double[] naive = new double[count];
            for (int k = 0; k < count; k++) {
                naive[k] = naiveScore(hasher, spec, weights, shared, candidates[k]);
                assertThat(policy.score(k)).isCloseTo(naive[k], within(1e-9));
            }
            double max = Arrays.stream(naive).max().orElseThrow();
            double sum = Arrays.stream(naive).map(s -> Math.exp(s - max)).sum();
            for (int k = 0; k < count; k++) {
                assertThat(policy.probability(k))
                        .isCloseTo(Math.exp(naive[k] - max) / sum, within(1e-12));
            }
            // A second linear function of the same phi, in the same pass: the same scores.
            float[] other = RankerFixtures.randomWeights(spec, 0.5, random);
            policy.evaluate(shared, candidates, count, other);
            for (int k = 0; k < count; k++) {
                assertThat(policy.score(k)).isCloseTo(naive[k], within(1e-9));
                assertThat(policy.otherScore(k))
                        .isCloseTo(
                                naiveScore(hasher, spec, other, shared, candidates[k]),
                                within(1e-9));
            }
        }
    }

    /** {@code d log pi(a) / d theta_j = phi_a,j - sum_k pi(k) phi_k,j}, by central differences. */
    @Test
    void shouldHaveTheScoreFunctionOfASoftmaxOfLinearScores() {
        Random random = new Random(5);
        RankerSpec spec = spec(10, Interaction.parseList("*:*"));
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        float[] weights = RankerFixtures.randomWeights(spec, 0.2, random);
        RankerPolicy policy = new RankerPolicy(spec, weights);
        HashedFeatures shared = RankerFixtures.randomFeatures(hasher, "s", 2, 2, random);
        HashedFeatures[] candidates = RankerFixtures.randomCandidates(hasher, 5, 2, 2, random);
        int chosen = 2;
        policy.evaluate(shared, candidates, 5);
        double[] analytic = new double[spec.weightCount()];
        for (int k = 0; k < 5; k++) {
            double coefficient = (k == chosen ? 1 : 0) - policy.probability(k);
            for (int j = policy.phiStart(k); j < policy.phiEnd(k); j++) {
                analytic[policy.phiIndex(j)] += coefficient * policy.phiValue(j);
            }
        }
        double step = 1e-2;
        for (int index = 0; index < weights.length; index++) {
            float original = weights[index];
            weights[index] = (float) (original + step);
            policy.evaluate(shared, candidates, 5);
            double up = Math.log(policy.probability(chosen));
            weights[index] = (float) (original - step);
            policy.evaluate(shared, candidates, 5);
            double down = Math.log(policy.probability(chosen));
            weights[index] = original;
            assertThat((up - down) / (2 * step))
                    .as("weight %d", index)
                    .isCloseTo(analytic[index], within(TOLERANCE));
        }
    }

    /**
     * A policy that evaluates many decisions remembers the crosses it made; it must build the same
     * {@code phi} as one that hashes every cross: with catalogues of thousands of items (many
     * remembered crosses share a slot), dense contexts of several lengths, and categorical contexts
     * that agree in their first feature and differ further on.
     */
    @Test
    void shouldBuildTheSamePhiFromTheCrossesItRemembers() {
        Random random = new Random(31);
        RankerSpec spec = spec(14, Interaction.parseList("*:*"));
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        float[] weights = RankerFixtures.randomWeights(spec, 0.3, random);
        RankerPolicy remembering = new RankerPolicy(spec, weights);
        for (int trial = 0; trial < 3000; trial++) {
            Features.Builder context = Features.builder();
            if (random.nextBoolean()) {
                float[] dense = new float[1 + random.nextInt(3) * 7];
                for (int i = 0; i < dense.length; i++) {
                    dense[i] = (float) random.nextGaussian();
                }
                context.dense("context", dense);
            } else {
                context.category("user", "country", "DE");
                for (int f = 0; f < 1 + random.nextInt(4); f++) {
                    context.category("user", "f" + f, Integer.toString(random.nextInt(3)));
                }
            }
            HashedFeatures shared = hasher.hash(context.build(), new HashedFeatures());
            int count = 1 + random.nextInt(8);
            HashedFeatures[] candidates = new HashedFeatures[count];
            for (int k = 0; k < count; k++) {
                candidates[k] =
                        hasher.hash(
                                Features.builder()
                                        .category("item", "id", "i" + random.nextInt(3000))
                                        .category("item", "brand", "b" + random.nextInt(5))
                                        .build(),
                                new HashedFeatures());
            }
            RankerPolicy fresh = new RankerPolicy(spec, weights);
            remembering.evaluate(shared, candidates, count);
            fresh.evaluate(shared, candidates, count);
            for (int k = 0; k < count; k++) {
                assertThat(remembering.phiEnd(k)).isEqualTo(fresh.phiEnd(k));
                assertThat(remembering.score(k)).isEqualTo(fresh.score(k));
            }
            for (int j = 0; j < fresh.phiEnd(count - 1); j++) {
                assertThat(remembering.phiIndex(j))
                        .as("trial %d, entry %d", trial, j)
                        .isEqualTo(fresh.phiIndex(j));
                assertThat(remembering.phiValue(j)).isEqualTo(fresh.phiValue(j));
            }
        }
    }

    @Test
    void shouldIgnoreSharedFeaturesThatCrossNothing() {
        Random random = new Random(8);
        RankerSpec spec = spec(10, List.of());
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        RankerPolicy policy =
                new RankerPolicy(spec, RankerFixtures.randomWeights(spec, 0.5, random));
        HashedFeatures[] candidates = RankerFixtures.randomCandidates(hasher, 4, 2, 3, random);
        policy.evaluate(new HashedFeatures(), candidates, 4);
        double[] alone = new double[4];
        for (int k = 0; k < 4; k++) {
            alone[k] = policy.probability(k);
        }
        policy.evaluate(RankerFixtures.randomFeatures(hasher, "s", 3, 3, random), candidates, 4);
        for (int k = 0; k < 4; k++) {
            assertThat(policy.probability(k)).isCloseTo(alone[k], within(1e-12));
        }
    }

    /** The first of a sampled ranking is distributed as pi: each within 4.5 standard errors. */
    @Test
    void shouldSampleRankingsWhoseFirstCandidateFollowsThePolicy() {
        Random random = new Random(13);
        RankerSpec spec = spec(8, Interaction.parseList("*:*"));
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        RankerPolicy policy =
                new RankerPolicy(spec, RankerFixtures.randomWeights(spec, 0.8, random));
        policy.evaluate(
                RankerFixtures.randomFeatures(hasher, "s", 1, 3, random),
                RankerFixtures.randomCandidates(hasher, 6, 1, 3, random),
                6);
        int draws = 40_000;
        int[] first = new int[6];
        int[] sampled = new int[6];
        for (int i = 0; i < draws; i++) {
            int[] ranking = policy.sampleRanking(random);
            assertThat(Arrays.stream(ranking).sorted().toArray()).containsExactly(0, 1, 2, 3, 4, 5);
            first[ranking[0]]++;
            sampled[policy.sample(random)]++;
        }
        for (int k = 0; k < 6; k++) {
            double p = policy.probability(k);
            double bound = 4.5 * Math.sqrt(p * (1 - p) / draws);
            assertThat(first[k] / (double) draws).isCloseTo(p, within(bound));
            assertThat(sampled[k] / (double) draws).isCloseTo(p, within(bound));
        }
    }

    @Test
    void shouldRefuseADecisionBeyondTheLimits() {
        RankerSpec spec = new RankerSpec("rank", 8, 0, List.of(), 3, 2);
        RankerPolicy policy = new RankerPolicy(spec, new float[256]);
        FeatureHasher hasher = new FeatureHasher(0);
        HashedFeatures one = new HashedFeatures().namespace(hasher.namespace("n")).add(1, 1f);
        HashedFeatures three = new HashedFeatures().copyOf(one).add(2, 1f).add(3, 1f);
        assertThatThrownBy(() -> policy.evaluate(one, new HashedFeatures[] {one, one, one, one}, 4))
                .hasMessageContaining("4 candidates");
        assertThatThrownBy(() -> policy.evaluate(one, new HashedFeatures[] {three}, 1))
                .hasMessageContaining("3 features");
        assertThatThrownBy(() -> new RankerSpec("rank", 29, 0, List.of(), 3, 2))
                .hasMessageContaining("bits");
    }

    private static double naiveScore(
            FeatureHasher hasher,
            RankerSpec spec,
            float[] weights,
            HashedFeatures shared,
            HashedFeatures candidate) {
        double score = 0;
        for (int f = 0; f < candidate.featureCount(); f++) {
            score +=
                    (double) weights[candidate.featureHash(f) & spec.mask()]
                            * candidate.featureValue(f);
        }
        for (int sn = 0; sn < shared.namespaceCount(); sn++) {
            for (int cn = 0; cn < candidate.namespaceCount(); cn++) {
                boolean crossed = false;
                for (Interaction interaction : spec.interactions()) {
                    crossed |=
                            (interaction.shared().equals("*")
                                            || hasher.namespace(interaction.shared())
                                                    == shared.namespaceHash(sn))
                                    && (interaction.candidate().equals("*")
                                            || hasher.namespace(interaction.candidate())
                                                    == candidate.namespaceHash(cn));
                }
                if (!crossed) {
                    continue;
                }
                for (int s = shared.namespaceStart(sn); s < shared.namespaceEnd(sn); s++) {
                    for (int c = candidate.namespaceStart(cn);
                            c < candidate.namespaceEnd(cn);
                            c++) {
                        int index =
                                FeatureHasher.cross(shared.featureHash(s), candidate.featureHash(c))
                                        & spec.mask();
                        score +=
                                weights[index]
                                        * (double)
                                                (shared.featureValue(s)
                                                        * candidate.featureValue(c));
                    }
                }
            }
        }
        return score;
    }
}
