package org.flinkreinforce.connectors.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.InputStatus;

/**
 * The reader of an {@link AlignedSource}: the wrapped reader, whose records it times per split on
 * their way out and whose splits it pauses and resumes as its {@link SplitAlignment} says. The
 * splits that Flink's watermark alignment pauses stay paused whatever this alignment says, and the
 * other way round.
 */
final class AlignedReader<T, SplitT extends SourceSplit> implements SourceReader<T, SplitT> {

    private final SourceReader<T, SplitT> reader;
    private final SplitAlignment alignment;
    private final AlignedSource.RecordTime<T> time;
    private final Executor wakeUp;
    private final Set<String> pausedByFlink = new HashSet<>();
    private final Map<String, TimedOutput> outputs = new HashMap<>();
    private ReaderOutput<T> output;
    private TimedReaderOutput timedOutput;
    private boolean checkDue;

    AlignedReader(
            SourceReader<T, SplitT> reader,
            SplitAlignment alignment,
            AlignedSource.RecordTime<T> time,
            Duration idle) {
        this.reader = reader;
        this.alignment = alignment;
        this.time = time;
        this.wakeUp = CompletableFuture.delayedExecutor(idle.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void start() {
        reader.start();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> readerOutput) throws Exception {
        if (readerOutput != output) {
            output = readerOutput;
            timedOutput = new TimedReaderOutput(readerOutput);
            outputs.clear();
        }
        InputStatus status = reader.pollNext(timedOutput);
        if (checkDue || (status == InputStatus.NOTHING_AVAILABLE && alignment.holdsAny())) {
            checkDue = false;
            apply(alignment.check(System.nanoTime()));
        }
        return status;
    }

    /**
     * The wrapped reader's availability; while splits are held, also a wake-up after the idle time,
     * so that the splits still read are found idle and the held ones resume.
     */
    @Override
    public CompletableFuture<Void> isAvailable() {
        CompletableFuture<Void> available = reader.isAvailable();
        if (!alignment.holdsAny() || available.isDone()) {
            return available;
        }
        CompletableFuture<Void> either = new CompletableFuture<>();
        available.whenComplete((ignored, error) -> either.complete(null));
        wakeUp.execute(() -> either.complete(null));
        return either;
    }

    private void apply(SplitAlignment.Changes changes) {
        if (changes.isEmpty()) {
            return;
        }
        List<String> pause = new ArrayList<>(changes.pause());
        List<String> resume = new ArrayList<>(changes.resume());
        resume.removeAll(pausedByFlink);
        pause.removeAll(pausedByFlink);
        if (!pause.isEmpty() || !resume.isEmpty()) {
            reader.pauseOrResumeSplits(pause, resume);
        }
    }

    /** Flink's watermark alignment pauses or resumes splits; those held here stay paused. */
    @Override
    public void pauseOrResumeSplits(
            Collection<String> splitsToPause, Collection<String> splitsToResume) {
        List<String> pause = new ArrayList<>();
        for (String split : splitsToPause) {
            if (pausedByFlink.add(split) && !alignment.isPaused(split)) {
                pause.add(split);
            }
        }
        List<String> resume = new ArrayList<>();
        for (String split : splitsToResume) {
            if (pausedByFlink.remove(split) && !alignment.isPaused(split)) {
                resume.add(split);
            }
        }
        if (!pause.isEmpty() || !resume.isEmpty()) {
            reader.pauseOrResumeSplits(pause, resume);
        }
    }

    @Override
    public List<SplitT> snapshotState(long checkpointId) {
        return reader.snapshotState(checkpointId);
    }

    @Override
    public void addSplits(List<SplitT> splits) {
        for (SplitT split : splits) {
            alignment.add(split.splitId());
        }
        reader.addSplits(splits);
    }

    @Override
    public void notifyNoMoreSplits() {
        reader.notifyNoMoreSplits();
    }

    @Override
    public void handleSourceEvents(SourceEvent sourceEvent) {
        reader.handleSourceEvents(sourceEvent);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        reader.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        reader.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void close() throws Exception {
        reader.close();
    }

    /** An output that hands everything on to {@code out}. */
    private abstract static class Forwarding<T, O extends SourceOutput<T>>
            implements SourceOutput<T> {

        final O out;

        Forwarding(O out) {
            this.out = out;
        }

        @Override
        public void collect(T record) {
            out.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            out.collect(record, timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            out.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            out.markIdle();
        }

        @Override
        public void markActive() {
            out.markActive();
        }
    }

    /** The task's output, handing out the splits' outputs that time their records. */
    private final class TimedReaderOutput extends Forwarding<T, ReaderOutput<T>>
            implements ReaderOutput<T> {

        TimedReaderOutput(ReaderOutput<T> out) {
            super(out);
        }

        @Override
        public SourceOutput<T> createOutputForSplit(String splitId) {
            TimedOutput split = outputs.get(splitId);
            if (split == null) {
                alignment.add(splitId);
                split = new TimedOutput(splitId, out.createOutputForSplit(splitId));
                outputs.put(splitId, split);
            }
            return split;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            outputs.remove(splitId);
            alignment.remove(splitId);
            pausedByFlink.remove(splitId);
            out.releaseOutputForSplit(splitId);
        }
    }

    /** One split's output: notes each record's time with the alignment. */
    private final class TimedOutput extends Forwarding<T, SourceOutput<T>> {

        private final String splitId;

        TimedOutput(String splitId, SourceOutput<T> out) {
            super(out);
            this.splitId = splitId;
        }

        @Override
        public void collect(T record) {
            note(record, Long.MIN_VALUE);
            out.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            note(record, timestamp);
            out.collect(record, timestamp);
        }

        private void note(T record, long timestamp) {
            if (alignment.recorded(splitId, time.of(record, timestamp))) {
                checkDue = true;
            }
        }
    }
}
