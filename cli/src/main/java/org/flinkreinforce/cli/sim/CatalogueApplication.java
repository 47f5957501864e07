package org.flinkreinforce.cli.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * A shop that ranks its {@link CatalogueEnvironment catalogue}'s candidates with a ranker policy
 * ({@link PolicyClient#rank}): a request, the ranking, and a click on the first item or none, drawn
 * in that order. No click is worth 0.
 *
 * <p>It counts how the policy treats items it has never shown: of the decisions from the {@code
 * measureFrom}-th on where one of the best candidates (by click probability) had never been shown
 * before, those that showed one of them, against what a uniform ranker would have.
 */
public final class CatalogueApplication implements Application {

    private final CatalogueEnvironment environment;
    private final String policyId;
    private final RankerSpec spec;
    private final PolicyClient client;
    private final long measureFrom;
    private final Set<String> shown = new HashSet<>();
    private long decisions;
    private long unshownBestOffered;
    private long unshownBestShown;
    private double uniformShown;

    /**
     * Lets the ranker rank (uniformly) before its first snapshot.
     *
     * @param measureFrom the first decision (0-based) counted in {@link #unshownBestShare}
     */
    public CatalogueApplication(
            CatalogueEnvironment environment,
            String policyId,
            PolicyClient client,
            long measureFrom) {
        this.environment = environment;
        this.policyId = policyId;
        this.spec = CatalogueEnvironment.spec(policyId);
        this.client = client;
        this.measureFrom = measureFrom;
        client.register(spec);
    }

    @Override
    public Played play(Random random) {
        CatalogueEnvironment.Request request = environment.next(random);
        List<Candidate> candidates = new ArrayList<>(request.candidates().size());
        for (CatalogueEnvironment.Item item : request.candidates()) {
            candidates.add(new Candidate(item.id(), item.features()));
        }
        PolicyClient.Ranking ranking =
                client.rank(policyId, request.user().features(), candidates, random);
        CatalogueEnvironment.Item chosen = request.candidates().get(ranking.chosen());
        Environment.Outcome outcome = environment.outcome(request.user(), chosen, random);
        count(request, ranking.chosen());
        return new Played(
                ranking.eventId(),
                outcome,
                logger -> logger.logRankingDecision(ranking),
                (logger, reward) -> logger.logRanking(ranking, reward));
    }

    /**
     * Counts the decision where one of its best candidates (items alike are equally good) had never
     * been shown: whether it showed one of those, and the chance that a uniform ranker would have.
     */
    private void count(CatalogueEnvironment.Request request, int chosen) {
        List<CatalogueEnvironment.Item> candidates = request.candidates();
        double best = 0;
        for (CatalogueEnvironment.Item item : candidates) {
            best = Math.max(best, environment.clickProbability(request.user(), item));
        }
        int unshownBest = 0;
        boolean chosenIsOne = false;
        for (int k = 0; k < candidates.size(); k++) {
            CatalogueEnvironment.Item item = candidates.get(k);
            if (environment.clickProbability(request.user(), item) == best
                    && !shown.contains(item.id())) {
                unshownBest++;
                chosenIsOne |= k == chosen;
            }
        }
        if (decisions++ >= measureFrom && unshownBest > 0) {
            unshownBestOffered++;
            unshownBestShown += chosenIsOne ? 1 : 0;
            uniformShown += unshownBest / (double) candidates.size();
        }
        shown.add(candidates.get(chosen).id());
    }

    /** No click is worth 0. */
    @Override
    public OptionalDouble unobservedReward() {
        return OptionalDouble.of(0);
    }

    @Override
    public long version() {
        return snapshot().map(RankerSnapshot::version).orElse(0L);
    }

    @Override
    public double expectedReward() {
        return snapshot()
                .map(ranker -> environment.expectedReward(ranker.spec(), ranker.weights()))
                .orElse(environment.uniformReward());
    }

    private Optional<RankerSnapshot> snapshot() {
        return client.rankerSnapshot(policyId);
    }

    /** Decisions counted for {@link #unshownBestShare}: their best candidate was never shown. */
    public long unshownBestOffered() {
        return unshownBestOffered;
    }

    /**
     * The share of {@link #unshownBestOffered} decisions that showed their best candidate, never
     * shown before; NaN where there were none.
     */
    public double unshownBestShare() {
        return unshownBestOffered == 0
                ? Double.NaN
                : unshownBestShown / (double) unshownBestOffered;
    }

    /**
     * The share of {@link #unshownBestOffered} decisions a uniform ranker would have shown it in.
     */
    public double uniformUnshownBestShare() {
        return unshownBestOffered == 0 ? Double.NaN : uniformShown / unshownBestOffered;
    }
}
