package org.flinkreinforce.cli.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.flinkreinforce.model.RewardModel;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.RankerLearner;
import org.flinkreinforce.model.ranker.RankerPolicy;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

/**
 * How a ranker learned on the demo's changing catalogue ranks an item it has never been shown
 * against an old item of the same category and price, side by side in the same requests: the
 * learner's defaults (doubly robust, AdaGrad step 0.5, reward model step 0.1, batches of 256, the
 * running mean reward as baseline), on-policy, in process. Printed: the mean place (1 = first) of
 * the old item and of its never-shown twin in rankings sampled from the learned policy, and their
 * chance of being chosen.
 */
class CatalogueColdStartTest {

    private static final int REQUESTS = 100_000;
    private static final int BATCH = 256;

    @Test
    void shouldRankANeverShownItemByItsFeatures() {
        long seed = Long.getLong("catalogue-cold-start.seed", 1);
        CatalogueEnvironment environment = new CatalogueEnvironment(4, 8, 60, 8, 2_000, 10, seed);
        RankerSpec spec = CatalogueEnvironment.spec("shop");
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        RankerLearner learner =
                new RankerLearner(
                        spec,
                        new float[spec.weightCount()],
                        new float[spec.weightCount()],
                        RewardModel.zeros(spec.weightCount()),
                        0.1);
        RankerPolicy policy = learner.policy();
        Random random = new Random(seed + 6);
        double rewardSum = 0;
        for (int r = 0; r < REQUESTS; r++) {
            CatalogueEnvironment.Request request = environment.next(random);
            HashedFeatures shared = hasher.hash(request.user().features(), new HashedFeatures());
            HashedFeatures[] candidates = hash(hasher, request.candidates());
            policy.evaluate(shared, candidates, candidates.length);
            int chosen = policy.sample(random);
            double propensity = policy.probability(chosen);
            double reward =
                    environment
                            .outcome(request.user(), request.candidates().get(chosen), random)
                            .reward();
            learner.accumulate(
                    shared,
                    candidates,
                    candidates.length,
                    chosen,
                    reward - (r == 0 ? 0 : rewardSum / r),
                    propensity,
                    10);
            rewardSum += reward;
            if ((r + 1) % BATCH == 0) {
                learner.update(0.5);
            }
        }

        // Each old item of the catalogue beside its never-shown twin: the same request, once with
        // the one and once with the other among seven other items.
        List<CatalogueEnvironment.Item> catalogue = environment.catalogue();
        double oldPlace = 0;
        double twinPlace = 0;
        double oldChosen = 0;
        double twinChosen = 0;
        double scoreGap = 0;
        int pairs = 0;
        // Where the item (or its twin) is the best of the eight for the user.
        double oldBestChosen = 0;
        double twinBestChosen = 0;
        int best = 0;
        for (CatalogueEnvironment.Item old : catalogue) {
            if (old.generation() == environment.generation()) {
                continue; // too new to have been shown much
            }
            CatalogueEnvironment.Item twin = twin(old);
            for (int trial = 0; trial < 200; trial++) {
                CatalogueEnvironment.Request request = environment.next(random);
                List<CatalogueEnvironment.Item> others = new ArrayList<>();
                for (CatalogueEnvironment.Item item : request.candidates()) {
                    if (others.size() < 7 && !item.id().equals(old.id())) {
                        others.add(item);
                    }
                }
                HashedFeatures shared =
                        hasher.hash(request.user().features(), new HashedFeatures());
                List<CatalogueEnvironment.Item> withOld = new ArrayList<>(others);
                withOld.add(old);
                boolean isBest =
                        environment.best(new CatalogueEnvironment.Request(request.user(), withOld))
                                == others.size();
                double[] scores = new double[2];
                for (boolean isTwin : new boolean[] {false, true}) {
                    List<CatalogueEnvironment.Item> offered = new ArrayList<>(others);
                    offered.add(isTwin ? twin : old);
                    HashedFeatures[] candidates = hash(hasher, offered);
                    policy.evaluate(shared, candidates, candidates.length);
                    int[] ranking = policy.sampleRanking(random);
                    int place = 1;
                    while (ranking[place - 1] != offered.size() - 1) {
                        place++;
                    }
                    double chosen = policy.probability(offered.size() - 1);
                    scores[isTwin ? 1 : 0] = policy.score(offered.size() - 1);
                    if (isTwin) {
                        twinPlace += place;
                        twinChosen += chosen;
                        twinBestChosen += isBest ? chosen : 0;
                    } else {
                        oldPlace += place;
                        oldChosen += chosen;
                        oldBestChosen += isBest ? chosen : 0;
                    }
                }
                scoreGap += Math.abs(scores[0] - scores[1]);
                best += isBest ? 1 : 0;
                pairs++;
            }
        }
        oldPlace /= pairs;
        twinPlace /= pairs;
        oldChosen /= pairs;
        twinChosen /= pairs;
        scoreGap /= pairs;
        oldBestChosen /= best;
        twinBestChosen /= best;
        double uniform = environment.uniformReward();
        double learned = environment.expectedReward(spec, learner.weights());
        double optimal = environment.optimalReward();
        System.out.printf(
                "Catalogue, %,d requests, %d catalogue generations: never-shown items %.1f%% of the"
                        + " way from uniform to optimal; an old item beside its never-shown twin"
                        + " (%,d requests each): mean place %.2f against %.2f, chosen %.3f"
                        + " against %.3f; where it is the best of the eight (%,d requests)"
                        + " chosen %.3f against %.3f (uniform 0.125); mean |score gap| %.3f%n",
                REQUESTS,
                environment.generation(),
                100 * (learned - uniform) / (optimal - uniform),
                pairs,
                oldPlace,
                twinPlace,
                oldChosen,
                twinChosen,
                best,
                oldBestChosen,
                twinBestChosen,
                scoreGap);
        // The twin is ranked by its features: where it is the best candidate it is chosen far
        // more often than a uniform ranker's one in eight.
        assertThat(learned).isGreaterThan(uniform + 0.8 * (optimal - uniform));
        assertThat(twinBestChosen).isGreaterThan(0.3);
        // And as well as the old item it resembles: a place no worse on average, and where it is
        // the best candidate, chosen as often (the old item's id weights, learned from its own
        // clicks, do not put it ahead).
        assertThat(twinPlace).isLessThanOrEqualTo(oldPlace + 0.1);
        assertThat(twinBestChosen).isGreaterThan(oldBestChosen - 0.03);
    }

    private static CatalogueEnvironment.Item twin(CatalogueEnvironment.Item old) {
        String id = "twin-of-" + old.id();
        return new CatalogueEnvironment.Item(
                id,
                old.category(),
                old.price(),
                -1,
                Features.builder()
                        .category(CatalogueEnvironment.ITEM, "id", id)
                        .category(CatalogueEnvironment.ITEM, "category", "c" + old.category())
                        .category(
                                CatalogueEnvironment.ITEM,
                                "price",
                                CatalogueEnvironment.PRICES[old.price()])
                        .build());
    }

    private static HashedFeatures[] hash(
            FeatureHasher hasher, List<CatalogueEnvironment.Item> items) {
        HashedFeatures[] hashed = new HashedFeatures[items.size()];
        for (int k = 0; k < hashed.length; k++) {
            hashed[k] = hasher.hash(items.get(k).features(), new HashedFeatures());
        }
        return hashed;
    }
}
