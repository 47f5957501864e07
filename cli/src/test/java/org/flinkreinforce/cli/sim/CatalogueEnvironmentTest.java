package org.flinkreinforce.cli.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.RankerPolicy;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

class CatalogueEnvironmentTest {

    private static CatalogueEnvironment environment() {
        return new CatalogueEnvironment(4, 8, 60, 8, 100, 10, 7);
    }

    /**
     * The exact expected reward against a Monte-Carlo estimate: a ranking sampled from the policy
     * on each evaluation request, clicked with its probability, 50 times over. The estimate's
     * standard deviation is at most 0.5 / sqrt(100000) = 0.0016; 5 of them, 1 - 6e-7.
     */
    @Test
    void shouldComputeTheExpectedRewardOfARankerExactly() {
        CatalogueEnvironment environment = environment();
        RankerSpec spec = CatalogueEnvironment.spec("catalogue");
        Random random = new Random(11);
        float[] weights = new float[spec.weightCount()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (1.5 * random.nextGaussian());
        }
        double exact = environment.expectedReward(spec, weights);

        FeatureHasher hasher = new FeatureHasher(spec.seed());
        RankerPolicy policy = new RankerPolicy(spec, weights);
        double clicks = 0;
        int draws = 0;
        for (int round = 0; round < 50; round++) {
            for (CatalogueEnvironment.Request request : environment.evaluation()) {
                HashedFeatures[] candidates = new HashedFeatures[request.candidates().size()];
                for (int k = 0; k < candidates.length; k++) {
                    candidates[k] =
                            hasher.hash(
                                    request.candidates().get(k).features(), new HashedFeatures());
                }
                policy.evaluate(
                        hasher.hash(request.user().features(), new HashedFeatures()),
                        candidates,
                        candidates.length);
                int chosen = policy.sample(random);
                clicks +=
                        environment
                                .outcome(request.user(), request.candidates().get(chosen), random)
                                .reward();
                draws++;
            }
        }
        assertThat(clicks / draws).isCloseTo(exact, within(0.008));
        // Random weights are neither uniform nor optimal.
        assertThat(exact).isNotCloseTo(environment.uniformReward(), within(0.01));
        assertThat(exact).isLessThan(environment.optimalReward());
    }

    @Test
    void shouldValueZeroWeightsAsTheUniformPolicyAndTheOptimumAsTheBestCandidates() {
        CatalogueEnvironment environment = environment();
        RankerSpec spec = CatalogueEnvironment.spec("catalogue");
        double uniform = environment.uniformReward();
        assertThat(environment.expectedReward(spec, new float[spec.weightCount()]))
                .isCloseTo(uniform, within(1e-12));
        // The contrast the demo learns: the best of 8 candidates is much better than a random one.
        assertThat(environment.optimalReward()).isGreaterThan(1.5 * uniform);
        double naive = 0;
        for (CatalogueEnvironment.Request request : environment.evaluation()) {
            double best = 0;
            for (CatalogueEnvironment.Item item : request.candidates()) {
                best = Math.max(best, environment.clickProbability(request.user(), item));
            }
            naive += best;
        }
        assertThat(environment.optimalReward())
                .isCloseTo(naive / environment.evaluation().size(), within(1e-12));
    }

    @Test
    void shouldRetireTheOldestItemsAndAddNewOnesEveryGeneration() {
        CatalogueEnvironment environment = environment();
        Random random = new Random(3);
        List<CatalogueEnvironment.Item> start = environment.catalogue();
        Set<String> seen = new HashSet<>();
        start.forEach(item -> seen.add(item.id()));
        for (int request = 0; request < 100; request++) {
            CatalogueEnvironment.Request offered = environment.next(random);
            assertThat(offered.candidates()).hasSize(8).doesNotHaveDuplicates();
            assertThat(environment.catalogue()).containsAll(offered.candidates());
        }
        assertThat(environment.generation()).isZero();

        environment.next(random); // the 101st request starts generation 1
        assertThat(environment.generation()).isEqualTo(1);
        assertThat(environment.itemsAdded()).isEqualTo(10);
        List<CatalogueEnvironment.Item> now = environment.catalogue();
        assertThat(now).hasSize(60).doesNotContainAnyElementsOf(start.subList(0, 10));
        assertThat(now.subList(0, 50)).isEqualTo(start.subList(10, 60));
        for (CatalogueEnvironment.Item item : now.subList(50, 60)) {
            assertThat(item.generation()).isEqualTo(1);
            assertThat(seen.add(item.id())).as("a fresh id: " + item.id()).isTrue();
        }

        for (int request = 0; request < 1000; request++) {
            environment.next(random);
            environment.catalogue().forEach(item -> seen.add(item.id()));
        }
        assertThat(environment.generation()).isEqualTo(11);
        // Every id ever in the catalogue is new: 60 at the start and 10 per generation.
        assertThat(seen).hasSize(60 + 11 * 10);
    }

    /** Click probabilities are a function of the features: items alike are worth the same. */
    @Test
    void shouldGiveItemsWithTheSameFeaturesTheSameClickProbability() {
        CatalogueEnvironment environment = environment();
        CatalogueEnvironment.Request request = environment.evaluation().get(0);
        CatalogueEnvironment.Item item = request.candidates().get(0);
        CatalogueEnvironment.Item twin =
                new CatalogueEnvironment.Item(
                        "another", item.category(), item.price(), 5, item.features());
        assertThat(environment.clickProbability(request.user(), twin))
                .isEqualTo(environment.clickProbability(request.user(), item));
    }

    private static org.assertj.core.data.Offset<Double> within(double tolerance) {
        return org.assertj.core.data.Offset.offset(tolerance);
    }
}
