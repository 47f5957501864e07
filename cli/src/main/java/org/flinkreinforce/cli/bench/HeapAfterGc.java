package org.flinkreinforce.cli.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The heap in use right after every garbage collection, with how many events were applied then: a
 * heap that grows per event or per key shows as a rising floor. No collections are forced, so the
 * measurement does not disturb the run.
 */
final class HeapAfterGc implements NotificationListener, AutoCloseable {

    private final LongSupplier eventsApplied;
    private final List<long[]> samples = new ArrayList<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();

    HeapAfterGc(LongSupplier eventsApplied) {
        this.eventsApplied = eventsApplied;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter) {
                NotificationEmitter emitter = (NotificationEmitter) collector;
                emitter.addNotificationListener(this, null, null);
                emitters.add(emitter);
            }
        }
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long used = 0;
        for (MemoryUsage usage : info.getGcInfo().getMemoryUsageAfterGc().values()) {
            used += usage.getUsed();
        }
        // Only heap pools report after a collection; metaspace and code cache count too, but
        // they are flat once the code is loaded.
        synchronized (samples) {
            samples.add(new long[] {eventsApplied.getAsLong(), used});
        }
    }

    /**
     * The largest heap-after-collection in each tenth of {@code events}; -1 where no collection
     * happened in that tenth.
     */
    long[] deciles(long events) {
        long[] deciles = new long[10];
        java.util.Arrays.fill(deciles, -1);
        synchronized (samples) {
            for (long[] sample : samples) {
                int decile = (int) Math.min(9, Math.max(0, sample[0] * 10 / Math.max(1, events)));
                if (sample[0] < events) {
                    deciles[decile] = Math.max(deciles[decile], sample[1]);
                }
            }
        }
        return deciles;
    }

    int collections() {
        synchronized (samples) {
            return samples.size();
        }
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(this);
            } catch (ListenerNotFoundException e) {
                // Already gone.
            }
        }
    }
}
