package org.flinkreinforce.cli.sim;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;

/**
 * The closed loop of an application: decide with the newest published policy through the serving
 * client, act in the environment, log what it saw. Reports progress about once a second.
 *
 * <p>In the {@link RewardForm#SPLIT split} form (as an application whose rewards come later) each
 * decision is logged at once ({@link EventLogger#logDecision}) and its reward, where the
 * environment gives one, its {@link RewardDelay delay} later ({@link EventLogger#logReward}, timed
 * then, on a thread of its own); in the {@link RewardForm#INLINE inline} form each decision is
 * logged with its reward as one event. Both forms draw the same random numbers per decision.
 */
public final class Simulator {

    /** What the loop has done so far. */
    public record Progress(
            long eventsProduced,
            double eventsPerSecond,
            long version,
            double recentMeanReward,
            double expectedReward,
            double seconds,
            long rewardsDue) {}

    private final Application application;
    private final EventLogger logger;
    private final Random random;
    private final RewardForm form;
    private final RewardDelay delay;

    /** The rewards due later, in the split form; null in the inline form. */
    private final DelayedRewards delayed;

    private long rewardsLogged;
    private long lastDecisionNanos;

    /**
     * Lets the policy act (uniformly) before its first snapshot.
     *
     * @param delay how long after its decision a reward comes (in the inline form it is drawn, not
     *     waited for)
     */
    public Simulator(
            Environment environment,
            String policyId,
            PolicyClient client,
            EventLogger logger,
            long seed,
            RewardForm form,
            RewardDelay delay) {
        this(new SoftmaxApplication(environment, policyId, client), logger, seed, form, delay);
    }

    /**
     * Runs {@code application}.
     *
     * @param delay how long after its decision a reward comes (in the inline form it is drawn, not
     *     waited for)
     */
    public Simulator(
            Application application,
            EventLogger logger,
            long seed,
            RewardForm form,
            RewardDelay delay) {
        this.application = application;
        this.logger = logger;
        this.random = new Random(seed);
        this.form = form;
        this.delay = delay;
        this.delayed = form == RewardForm.SPLIT ? new DelayedRewards(logger) : null;
    }

    /**
     * Produces {@code events} decisions (or until {@code stop} says so), at most {@code rate} per
     * second ({@code <= 0}: as fast as possible); in the split form it returns once the last of
     * their rewards is logged.
     *
     * @return the number of decisions produced
     */
    public long run(long events, double rate, Consumer<Progress> onProgress, BooleanSupplier stop)
            throws InterruptedException {
        long start = System.nanoTime();
        long nextReport = start + 1_000_000_000L;
        long produced = 0;
        long producedAtReport = 0;
        long reportTime = start;
        double rewardSum = 0;
        long rewardCount = 0;
        while (produced < events && !stop.getAsBoolean()) {
            Application.Played played = application.play(random);
            Environment.Outcome outcome = played.outcome();
            long delayMillis = delay.sampleMillis(random);
            log(played, delayMillis);
            produced++;
            if (outcome.observed() || application.unobservedReward().isPresent()) {
                rewardSum += outcome.reward();
                rewardCount++;
            }
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
        if (delayed != null) {
            delayed.finish(delay.maximum());
        }
        logger.flush();
        return produced;
    }

    /**
     * Logs the decision and its reward in this simulator's form. An outcome without a reward is
     * logged inline with the environment's {@link Environment#unobservedReward()}, or not at all
     * where it has none.
     */
    private void log(Application.Played played, long delayMillis) {
        lastDecisionNanos = System.nanoTime();
        Environment.Outcome outcome = played.outcome();
        if (delayed != null) {
            played.logDecision().accept(logger);
            if (outcome.observed()) {
                delayed.schedule(played.eventId(), outcome.reward(), delayMillis);
            }
        } else if (outcome.observed()) {
            played.log().accept(logger, outcome.reward());
            rewardsLogged++;
        } else if (application.unobservedReward().isPresent()) {
            played.log().accept(logger, application.unobservedReward().getAsDouble());
        }
    }

    /** The rewards logged so far (in the inline form: of events with an observed reward). */
    public long rewardsLogged() {
        return delayed != null ? delayed.logged() : rewardsLogged;
    }

    /** When (in {@link System#nanoTime()}) the last decision was logged. */
    public long lastDecisionNanos() {
        return lastDecisionNanos;
    }

    /** The form this simulator logs in. */
    public RewardForm form() {
        return form;
    }

    /** The delays of its rewards. */
    public RewardDelay rewardDelay() {
        return delay;
    }

    /**
     * When (in {@link System#nanoTime()}) {@link #logClosingDecision} may move a learner's event
     * time past every decision of the run: {@code horizon} (the learner's {@code reward.wait} plus
     * its {@code reward.out-of-orderness}) after the last decision, and {@code quiet} (its {@code
     * reward.idle-timeout}, and a margin) after the last record, so that every partition without
     * the closing decision is idle.
     */
    public long closingDecisionDueNanos(Duration horizon, Duration quiet) {
        long lastRecord = Math.max(lastDecisionNanos, split().lastLoggedNanos());
        return Math.max(lastDecisionNanos + horizon.toNanos(), lastRecord + quiet.toNanos());
    }

    /**
     * Ends a split run for a learner that joins in event time, where nothing else would: a last
     * decision, logged without a reward once {@link #closingDecisionDueNanos} has passed. Its time
     * carries the learner's watermark past the windows of all decisions before it, which the
     * learner then joins; it stays pending itself, as every decision does until newer records come.
     */
    public void logClosingDecision() {
        split();
        application.play(random).logDecision().accept(logger);
        logger.flush();
    }

    private DelayedRewards split() {
        if (delayed == null) {
            throw new IllegalStateException("Only a split run ends with a closing decision.");
        }
        return delayed;
    }

    private Progress progress(long produced, double rate, double meanReward, double seconds) {
        return new Progress(
                produced,
                rate,
                application.version(),
                meanReward,
                application.expectedReward(),
                seconds,
                delayed != null ? delayed.due() : 0);
    }
}
