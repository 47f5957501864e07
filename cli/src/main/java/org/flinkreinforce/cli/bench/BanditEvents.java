package org.flinkreinforce.cli.bench;

import java.util.Random;
import java.util.SplittableRandom;
import org.flinkreinforce.cli.sim.RecommenderEnvironment;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.model.PolicySpec;

/**
 * The benchmark's events: a recommender bandit ({@link RecommenderEnvironment}) played by a
 * uniformly random logging policy, so every event carries its propensity {@code 1/A} and the
 * learner does the full off-policy work. Contexts are drawn from a fixed pool so that generating 10
 * M events is not the benchmark's own bottleneck; rewards and actions are fresh per event.
 */
final class BanditEvents {

    private static final int CONTEXT_POOL = 4096;

    static final int EVENTS_PER_KEY = 10;

    private final PolicySpec spec;
    private final RecommenderEnvironment environment;
    private final float[][] contexts;
    private final SplittableRandom random;
    private final Random rewardNoise;
    private final String idPrefix;
    private final long baselineKeys;
    private long sequence;

    /**
     * @param baselineKeys 0: every event uses the policy's own baseline; K > 0: baseline keys
     *     "user-0" ... "user-(K-1)", each for {@value #EVENTS_PER_KEY} consecutive events, in turn
     *     (with K x {@value #EVENTS_PER_KEY} >= N every key is used once and never again: churn)
     */
    BanditEvents(PolicySpec spec, long seed, String idPrefix, long baselineKeys) {
        this.baselineKeys = baselineKeys;
        this.spec = spec;
        this.environment = new RecommenderEnvironment(spec.features(), spec.actions(0), 0.1, seed);
        Random contextRandom = new Random(seed + 1);
        this.contexts = new float[CONTEXT_POOL][];
        for (int k = 0; k < CONTEXT_POOL; k++) {
            contexts[k] = environment.context(contextRandom);
        }
        this.random = new SplittableRandom(seed + 2);
        this.rewardNoise = new Random(seed + 3);
        this.idPrefix = idPrefix;
    }

    LoggedEvent next(long timestamp) {
        float[] x = contexts[random.nextInt(CONTEXT_POOL)];
        int[] actions = {random.nextInt(spec.actions(0))};
        double reward = environment.reward(x, actions, rewardNoise);
        String baselineKey =
                baselineKeys == 0 ? null : "user-" + (sequence / EVENTS_PER_KEY) % baselineKeys;
        return new LoggedEvent(
                spec.id(),
                x,
                actions,
                reward,
                1.0f / spec.actions(0),
                0,
                baselineKey,
                idPrefix + sequence++,
                timestamp);
    }
}
