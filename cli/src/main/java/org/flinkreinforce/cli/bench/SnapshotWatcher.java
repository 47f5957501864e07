package org.flinkreinforce.cli.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.client.kafka.SnapshotReader;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;

/**
 * Follows the parameters topic as an application would ({@code read_committed}) and records, per
 * snapshot of one policy (softmax or ranker), when it became visible, its version, how many events
 * it includes and when the learner created it. To keep its own memory out of the heap figures it
 * keeps only the first snapshot, the first to reach each milestone, and every snapshot once {@link
 * #keepAll()} was called.
 */
final class SnapshotWatcher implements AutoCloseable {

    /** One published snapshot as the watcher saw it. */
    record Observation(
            String policyId,
            long visibleMillis,
            long version,
            long eventsApplied,
            long createdMillis) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Observation> observations = new ArrayList<>();
    private final long[] milestones;
    private int nextMilestone;
    private volatile boolean keepAll;
    private volatile long eventsApplied;
    private volatile RuntimeException failure;

    /**
     * @param milestones event counts, ascending: the first snapshot reaching each is kept
     */
    SnapshotWatcher(Properties client, String topic, String policyId, long... milestones) {
        this.milestones = milestones.clone();
        consumer =
                new KafkaConsumer<>(
                        SnapshotReader.consumerProperties(client),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        KafkaTopics.assignFromBeginning(consumer, topic, Duration.ofMinutes(1));
        thread = new Thread(() -> follow(policyId), "bench-snapshot-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow(String policyId) {
        try {
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    if (record.value() == null) {
                        continue;
                    }
                    Observation snapshot;
                    try {
                        snapshot = observation(record.value(), now);
                    } catch (SnapshotFormatException e) {
                        continue;
                    }
                    if (!snapshot.policyId().equals(policyId)) {
                        continue;
                    }
                    boolean milestone = false;
                    while (nextMilestone < milestones.length
                            && snapshot.eventsApplied() >= milestones[nextMilestone]) {
                        milestone = true;
                        nextMilestone++;
                    }
                    synchronized (observations) {
                        if (keepAll || milestone || observations.isEmpty()) {
                            observations.add(snapshot);
                        }
                    }
                    eventsApplied = Math.max(eventsApplied, snapshot.eventsApplied());
                }
            }
        } catch (RuntimeException e) {
            if (running.get()) {
                failure = e;
            }
        }
    }

    /** A softmax or a ranker snapshot (by its magic), seen at {@code visibleMillis}. */
    private static Observation observation(byte[] value, long visibleMillis)
            throws SnapshotFormatException {
        if (RankerSnapshotCodec.isRankerSnapshot(value)) {
            RankerSnapshot ranker = RankerSnapshotCodec.decode(value);
            return new Observation(
                    ranker.spec().id(),
                    visibleMillis,
                    ranker.version(),
                    ranker.eventsApplied(),
                    ranker.createdAtMillis());
        }
        ParameterSnapshot snapshot = SnapshotCodec.decode(value);
        return new Observation(
                snapshot.policyId(),
                visibleMillis,
                snapshot.version(),
                snapshot.eventsApplied(),
                snapshot.createdAtMillis());
    }

    /** The most events any visible snapshot includes. */
    long eventsApplied() {
        if (failure != null) {
            throw new IllegalStateException("Reading the parameters topic failed.", failure);
        }
        return eventsApplied;
    }

    /** From now on, keep every snapshot. */
    void keepAll() {
        keepAll = true;
    }

    List<Observation> observations() {
        synchronized (observations) {
            return new ArrayList<>(observations);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(10_000);
        consumer.close();
    }
}
