package org.flinkreinforce.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, which the command carries out itself (a final
 * savepoint, then removing its files) before it exits. Without it the JVM would start its shutdown
 * hooks at once, and Flink's hooks would tear the cluster down under the job. A second signal exits
 * at once.
 */
final class StopSignal {

    private final CountDownLatch requested = new CountDownLatch(1);
    private final AtomicInteger signals = new AtomicInteger();

    private StopSignal() {}

    static StopSignal install() {
        StopSignal stop = new StopSignal();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(
                    new Signal(name),
                    signal -> {
                        if (stop.signals.incrementAndGet() > 1) {
                            System.err.println("Second stop signal: exiting now.");
                            System.exit(128 + signal.getNumber());
                        }
                        stop.requested.countDown();
                    });
        }
        return stop;
    }

    /** Waits up to {@code timeout} for a stop request; true once there is one. */
    boolean await(Duration timeout) throws InterruptedException {
        return requested.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean requested() {
        return requested.getCount() == 0;
    }
}
