package org.flinkreinforce.cli.sim;

import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.model.PolicyParameters;

/**
 * The closed loop of an application: decide with the newest published policy through the serving
 * client, act in the environment, log the event with its reward and propensity. Reports progress
 * about once a second.
 */
public record Simulator(
        Environment environment,
        String policyId,
        PolicyClient client,
        EventLogger logger,
        Random random) {

    /** What the loop has done so far. */
    public record Progress(
            long eventsProduced,
            double eventsPerSecond,
            long version,
            double recentMeanReward,
            double expectedReward,
            double seconds) {}

    /** Lets the policy act (uniformly) before its first snapshot. */
    public Simulator {
        client.register(environment.spec(policyId));
    }

    public Simulator(
            Environment environment,
            String policyId,
            PolicyClient client,
            EventLogger logger,
            long seed) {
        this(environment, policyId, client, logger, new Random(seed));
    }

    /**
     * Produces {@code events} events (or until {@code stop} says so), at most {@code rate} per
     * second ({@code <= 0}: as fast as possible).
     *
     * @return the number of events produced
     */
    public long run(long events, double rate, Consumer<Progress> onProgress, BooleanSupplier stop) {
        long start = System.nanoTime();
        long nextReport = start + 1_000_000_000L;
        long produced = 0;
        long producedAtReport = 0;
        long reportTime = start;
        double rewardSum = 0;
        long rewardCount = 0;
        while (produced < events && !stop.getAsBoolean()) {
            float[] x = environment.context(random);
            PolicyClient.Decision decision = client.decide(policyId, x, random);
            double reward = environment.reward(x, decision.actions(), random);
            logger.log(decision, reward);
            produced++;
            rewardSum += reward;
            rewardCount++;
            if (produced == 1) {
                // The first event waited for the producer's metadata: time (and pace) the rest.
                start = System.nanoTime();
                nextReport = start + 1_000_000_000L;
                producedAtReport = 1;
                reportTime = start;
            }
            if (rate > 0) {
                long due = start + (long) ((produced - 1) * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            long now = System.nanoTime();
            if (now >= nextReport || produced == events) {
                double interval = (now - reportTime) / 1e9;
                onProgress.accept(
                        progress(
                                produced,
                                interval > 0 ? (produced - producedAtReport) / interval : 0,
                                rewardCount == 0 ? 0 : rewardSum / rewardCount,
                                (now - start) / 1e9));
                producedAtReport = produced;
                reportTime = now;
                rewardSum = 0;
                rewardCount = 0;
                nextReport = now + 1_000_000_000L;
            }
        }
        logger.flush();
        return produced;
    }

    private Progress progress(long produced, double rate, double meanReward, double seconds) {
        PolicyParameters parameters =
                client.parameters(policyId)
                        .orElseGet(() -> PolicyParameters.zeros(environment.spec(policyId)));
        return new Progress(
                produced,
                rate,
                parameters.version(),
                meanReward,
                environment.expectedReward(parameters),
                seconds);
    }
}
