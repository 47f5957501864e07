package org.flinkreinforce.cli.sim;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.flinkreinforce.client.EventLogger;

/**
 * Logs each reward its delay after the decision, on a thread of its own, so that the decisions go
 * on meanwhile: {@link EventLogger#logReward} when it is due, timed then. {@link #finish} logs
 * every reward still due before it returns, however the run ended.
 */
final class DelayedRewards {

    private final EventLogger logger;
    private final ScheduledThreadPoolExecutor scheduler;
    private final AtomicLong scheduled = new AtomicLong();
    private final AtomicLong logged = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile long lastLoggedNanos = System.nanoTime();

    DelayedRewards(EventLogger logger) {
        this.logger = logger;
        this.scheduler =
                new ScheduledThreadPoolExecutor(
                        1,
                        runnable -> {
                            Thread thread = new Thread(runnable, "delayed-rewards");
                            thread.setDaemon(true);
                            return thread;
                        });
    }

    /** Logs {@code reward} for the decision {@code eventId} in {@code delayMillis}. */
    void schedule(String eventId, double reward, long delayMillis) {
        scheduled.incrementAndGet();
        scheduler.schedule(
                () -> {
                    try {
                        logger.logReward(eventId, reward);
                        lastLoggedNanos = System.nanoTime();
                        logged.incrementAndGet();
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                },
                delayMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Rewards scheduled and not yet logged. */
    long due() {
        return scheduled.get() - logged.get();
    }

    /** Rewards logged so far. */
    long logged() {
        return logged.get();
    }

    /** When (in {@link System#nanoTime()}) the last reward was logged. */
    long lastLoggedNanos() {
        return lastLoggedNanos;
    }

    /**
     * Logs the rewards still due, each at its time (waiting up to {@code longestDelay} and a second
     * more), and flushes the logger.
     *
     * @throws IllegalStateException if a reward could not be logged, or some were still due then
     */
    void finish(Duration longestDelay) throws InterruptedException {
        scheduler.shutdown(); // the rewards already scheduled still run at their time
        boolean done =
                scheduler.awaitTermination(longestDelay.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        logger.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("A delayed reward could not be logged.", failure.get());
        }
        if (!done) {
            scheduler.shutdownNow();
            throw new IllegalStateException(
                    due() + " delayed rewards were still due " + longestDelay + " after the last.");
        }
    }
}
