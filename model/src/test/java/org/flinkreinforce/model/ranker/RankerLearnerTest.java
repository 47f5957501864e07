package org.flinkreinforce.model.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.flinkreinforce.model.BatchStatistics;
import org.flinkreinforce.model.RewardModel;
import org.junit.jupiter.api.Test;

class RankerLearnerTest {

    private static final RankerSpec SPEC =
            new RankerSpec("rank", 10, 11, Interaction.parseList("*:*"), 16, 32);

    /**
     * Off-policy, with importance weights: the mean of the batch gradients equals the exact
     * gradient of the expected reward, {@code sum_k pi(k) r(k) (phi_k - sum_j pi(j) phi_j)},
     * computed by enumerating the candidates; every weight within 4.5 standard errors of the mean
     * over 400 batches (a false alarm on any of the weights has probability below 1e-3).
     */
    @Test
    void shouldEstimateTheExactGradientWithoutBias() {
        checkUnbiased(new Random(17), false);
    }

    /**
     * As {@link #shouldEstimateTheExactGradientWithoutBias}, doubly robust with a reward model that
     * predicts the rewards badly (random weights): the correction term makes up for the model's
     * errors (without it, or with its sign flipped, the mean is the gradient of the model's value,
     * not of the expected reward).
     */
    @Test
    void shouldEstimateTheExactGradientWithoutBiasWhenDoublyRobust() {
        checkUnbiased(new Random(18), true);
    }

    private static void checkUnbiased(Random random, boolean doublyRobust) {
        FeatureHasher hasher = new FeatureHasher(SPEC.seed());
        float[] weights = RankerFixtures.randomWeights(SPEC, 0.4, random);
        HashedFeatures shared = RankerFixtures.randomFeatures(hasher, "s", 2, 2, random);
        int count = 5;
        HashedFeatures[] candidates = RankerFixtures.randomCandidates(hasher, count, 2, 2, random);
        double[] meanReward = {0.2, 1.0, -0.5, 0.7, 0.1};
        double[] logging = {0.4, 0.1, 0.2, 0.2, 0.1};

        RankerPolicy policy = new RankerPolicy(SPEC, weights);
        policy.evaluate(shared, candidates, count);
        double[] exact = new double[SPEC.weightCount()];
        TreeSet<Integer> present = new TreeSet<>();
        double[] meanPhi = new double[SPEC.weightCount()];
        for (int k = 0; k < count; k++) {
            for (int j = policy.phiStart(k); j < policy.phiEnd(k); j++) {
                meanPhi[policy.phiIndex(j)] += policy.probability(k) * policy.phiValue(j);
                present.add(policy.phiIndex(j));
            }
        }
        for (int k = 0; k < count; k++) {
            double weight = policy.probability(k) * meanReward[k];
            for (int j = policy.phiStart(k); j < policy.phiEnd(k); j++) {
                exact[policy.phiIndex(j)] += weight * policy.phiValue(j);
            }
            for (int index : present) {
                exact[index] -= weight * meanPhi[index];
            }
        }

        RewardModel rewardModel = null;
        if (doublyRobust) {
            rewardModel = RewardModel.zeros(SPEC.weightCount());
            rewardModel.weights = RankerFixtures.randomWeights(SPEC, 0.5, random);
        }
        int batches = 400;
        int batchSize = 250;
        double[] sum = new double[SPEC.weightCount()];
        double[] sumOfSquares = new double[SPEC.weightCount()];
        for (int b = 0; b < batches; b++) {
            RankerLearner learner =
                    new RankerLearner(
                            SPEC, weights.clone(), new float[SPEC.weightCount()], rewardModel, 0.1);
            for (int i = 0; i < batchSize; i++) {
                int chosen = draw(logging, random);
                double reward = meanReward[chosen] + 0.1 * random.nextGaussian();
                learner.accumulate(shared, candidates, count, chosen, reward, logging[chosen], 1e9);
            }
            for (int index : present) {
                double g = learner.pendingGradient(index);
                sum[index] += g;
                sumOfSquares[index] += g * g;
            }
        }
        for (int index : present) {
            double mean = sum[index] / batches;
            double variance = sumOfSquares[index] / batches - mean * mean;
            double standardError = Math.sqrt(Math.max(variance, 0) / batches);
            assertThat(mean)
                    .as("weight %d", index)
                    .isCloseTo(exact[index], within(4.5 * standardError + 1e-6));
        }
        assertThat(present).hasSizeGreaterThan(10);
    }

    @Test
    void shouldChangeOnlyTheWeightsOfTheFeaturesPresent() {
        Random random = new Random(19);
        FeatureHasher hasher = new FeatureHasher(SPEC.seed());
        RankerLearner learner = new RankerLearner(SPEC);
        HashedFeatures shared = RankerFixtures.randomFeatures(hasher, "s", 1, 2, random);
        HashedFeatures[] candidates = RankerFixtures.randomCandidates(hasher, 3, 1, 2, random);
        learner.accumulate(shared, candidates, 3, 1, 1.0, 1.0 / 3, 10);
        RankerPolicy policy = learner.policy();
        policy.evaluate(shared, candidates, 3);
        TreeSet<Integer> present = new TreeSet<>();
        for (int j = 0; j < policy.phiEnd(2); j++) {
            present.add(policy.phiIndex(j));
        }
        int changed = learner.update(0.5);

        assertThat(changed).isPositive().isLessThanOrEqualTo(present.size());
        for (int index = 0; index < SPEC.weightCount(); index++) {
            if (!present.contains(index)) {
                assertThat(learner.weights()[index]).isZero();
                assertThat(learner.squaredGradients()[index]).isZero();
            }
        }
        assertThat(learner.pendingEvents()).isZero();
        assertThat(learner.update(0.5)).as("an empty batch changes nothing").isZero();
    }

    /**
     * An event logged without a propensity is on-policy: importance weight 1, and it is learned.
     */
    @Test
    void shouldLearnFromAnOnPolicyEventWithoutAPropensity() {
        Random random = new Random(21);
        FeatureHasher hasher = new FeatureHasher(SPEC.seed());
        RankerLearner learner = new RankerLearner(SPEC);
        HashedFeatures shared = RankerFixtures.randomFeatures(hasher, "s", 1, 2, random);
        HashedFeatures[] candidates = RankerFixtures.randomCandidates(hasher, 3, 1, 2, random);

        learner.accumulate(shared, candidates, 3, 1, 1.0, Double.NaN, 10);
        assertThat(learner.importanceWeight(0)).isEqualTo(1);
        assertThat(learner.update(0.5)).isPositive();
    }

    /**
     * Doubly robust: the reward model is fitted at the update, after the batch it served, toward
     * the logged choice's advantage; a batch that is dropped fits nothing.
     */
    @Test
    void shouldFitTheRewardModelAfterTheBatchItServed() {
        Random random = new Random(25);
        FeatureHasher hasher = new FeatureHasher(SPEC.seed());
        RewardModel model = RewardModel.zeros(SPEC.weightCount());
        RankerLearner learner =
                new RankerLearner(
                        SPEC,
                        new float[SPEC.weightCount()],
                        new float[SPEC.weightCount()],
                        model,
                        0.1);
        HashedFeatures shared = RankerFixtures.randomFeatures(hasher, "s", 1, 2, random);
        HashedFeatures[] candidates = RankerFixtures.randomCandidates(hasher, 3, 1, 2, random);
        learner.accumulate(shared, candidates, 3, 1, 1.0, 1.0 / 3, 10);
        assertThat(model.weights).as("not before the update").containsOnly(0f);

        assertThat(learner.update(0.5)).isPositive();
        RankerPolicy values = new RankerPolicy(SPEC, model.weights);
        values.evaluate(shared, candidates, 3);
        assertThat(values.score(1)).as("the chosen candidate's value").isPositive();
        assertThat(learner.rewardModel()).isSameAs(model);

        float[] fitted = model.weights.clone();
        learner.accumulate(shared, candidates, 3, 1, Double.NaN, 1.0 / 3, 10);
        assertThat(learner.update(0.5)).isEqualTo(-1);
        assertThat(model.weights).containsExactly(fitted);
    }

    /**
     * The batch statistics of an update: at zero weights every one of four candidates has
     * probability 1/4, entropy log 4; logged with propensity 1/2 their weights are 1/2, one logged
     * with 1/40 has 10, cut to the cap of 5.
     */
    @Test
    void shouldReportTheStatisticsOfTheBatchItApplied() {
        RankerSpec spec = new RankerSpec("s", 10, 0, Interaction.parseList("u:i"), 8, 8);
        RankerLearner learner =
                new RankerLearner(
                        spec, new float[spec.weightCount()], new float[spec.weightCount()]);
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        HashedFeatures shared =
                hasher.hash(
                        Features.builder().category("u", "f", "x").build(), new HashedFeatures());
        HashedFeatures[] candidates = new HashedFeatures[4];
        for (int k = 0; k < 4; k++) {
            candidates[k] =
                    hasher.hash(
                            Features.builder().category("i", "f", "c" + k).build(),
                            new HashedFeatures());
        }
        learner.accumulate(shared, candidates, 4, 0, 1.0, 0.5, 5.0);
        assertThat(learner.probability(0)).isCloseTo(0.25, within(1e-12));
        learner.accumulate(shared, candidates, 4, 1, -1.0, 0.5, 5.0);
        learner.accumulate(shared, candidates, 4, 2, 3.0, 1.0 / 40, 5.0);
        assertThat(learner.lastBatch()).isEqualTo(BatchStatistics.EMPTY);
        learner.update(0.1);
        BatchStatistics batch = learner.lastBatch();
        assertThat(batch.batchSize()).isEqualTo(3);
        assertThat(batch.meanAdvantage()).isCloseTo(1.0, within(1e-12));
        assertThat(batch.meanEntropy()).isCloseTo(Math.log(4), within(1e-9));
        assertThat(batch.meanImportanceWeight()).isCloseTo(6.0 / 3, within(1e-9));
        assertThat(batch.maxImportanceWeight()).isCloseTo(10.0, within(1e-9));
        assertThat(batch.effectiveSampleSize()).isCloseTo(36 / 25.5, within(1e-9));
        assertThat(batch.cappedWeights()).isEqualTo(1);
        assertThat(batch.gradientNorm()).isPositive();
    }

    @Test
    void shouldDropABatchWhoseGradientIsNotFinite() {
        Random random = new Random(23);
        FeatureHasher hasher = new FeatureHasher(SPEC.seed());
        RankerLearner learner = new RankerLearner(SPEC);
        HashedFeatures shared = RankerFixtures.randomFeatures(hasher, "s", 1, 2, random);
        HashedFeatures[] candidates = RankerFixtures.randomCandidates(hasher, 3, 1, 2, random);
        learner.accumulate(shared, candidates, 3, 0, 1.0, 1.0 / 3, 10);
        learner.accumulate(shared, candidates, 3, 1, Double.POSITIVE_INFINITY, 1.0 / 3, 10);

        assertThat(learner.update(0.5)).isEqualTo(-1);
        for (int index = 0; index < SPEC.weightCount(); index++) {
            assertThat(learner.weights()[index]).isZero();
        }
        learner.accumulate(shared, candidates, 3, 0, 1.0, 1.0 / 3, 10);
        assertThat(learner.update(0.5)).as("the next batch starts clean").isPositive();
    }

    /**
     * A catalogue of 200 items in 5 categories; visitors of 3 segments, each clicking mostly one
     * category (0.8 against 0.1). Logged uniformly over 10 random candidates from the first 150
     * items only, the learner learns segment x category from the crosses, so that on candidate sets
     * of the 50 items it has never seen it picks one of the visitor's category whenever there is
     * one: the item id features are new, the category features are not.
     */
    @Test
    void shouldRankItemsItHasNeverSeenByTheirFeatures() {
        Random random = new Random(29);
        RankerSpec spec = new RankerSpec("shop", 16, 0, Interaction.parseList("user:item"), 16, 8);
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        RankerLearner learner = new RankerLearner(spec);
        HashedFeatures[] items = new HashedFeatures[200];
        for (int i = 0; i < items.length; i++) {
            items[i] =
                    hasher.hash(
                            Features.builder()
                                    .category("item", "id", "sku-" + i)
                                    .category("item", "category", "c" + (i % 5))
                                    .build(),
                            new HashedFeatures());
        }
        HashedFeatures[] segments = new HashedFeatures[3];
        for (int s = 0; s < 3; s++) {
            segments[s] =
                    hasher.hash(
                            Features.builder().category("user", "segment", "s" + s).build(),
                            new HashedFeatures());
        }
        int[] favourite = {1, 3, 4};
        HashedFeatures[] candidates = new HashedFeatures[10];
        int[] shown = new int[10];
        double baseline = 0;
        for (int event = 1; event <= 20_000; event++) {
            int segment = random.nextInt(3);
            for (int k = 0; k < 10; k++) {
                shown[k] = random.nextInt(150);
                candidates[k] = items[shown[k]];
            }
            int chosen = random.nextInt(10);
            double click =
                    random.nextDouble() < (shown[chosen] % 5 == favourite[segment] ? 0.8 : 0.1)
                            ? 1
                            : 0;
            learner.accumulate(
                    segments[segment], candidates, 10, chosen, click - baseline, 0.1, 10);
            baseline += (click - baseline) / Math.min(event, 1000);
            if (event % 32 == 0) {
                learner.update(0.5);
            }
        }

        RankerPolicy policy = learner.policy();
        int withFavourite = 0;
        int pickedFavourite = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int segment = random.nextInt(3);
            boolean available = false;
            for (int k = 0; k < 10; k++) {
                shown[k] = 150 + random.nextInt(50);
                candidates[k] = items[shown[k]];
                available |= shown[k] % 5 == favourite[segment];
            }
            if (!available) {
                continue;
            }
            policy.evaluate(segments[segment], candidates, 10);
            int best = 0;
            for (int k = 1; k < 10; k++) {
                if (policy.score(k) > policy.score(best)) {
                    best = k;
                }
            }
            withFavourite++;
            pickedFavourite += shown[best] % 5 == favourite[segment] ? 1 : 0;
        }
        double rate = pickedFavourite / (double) withFavourite;
        System.out.printf(
                "New items: the visitor's category picked in %.3f of %d decisions%n",
                rate, withFavourite);
        assertThat(rate).isGreaterThan(0.95);
        assertThat(List.of(spec.interactions().get(0).toString())).containsExactly("user:item");
    }

    private static int draw(double[] probabilities, Random random) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int k = 0; k < probabilities.length - 1; k++) {
            cumulative += probabilities[k];
            if (u < cumulative) {
                return k;
            }
        }
        return probabilities.length - 1;
    }
}
