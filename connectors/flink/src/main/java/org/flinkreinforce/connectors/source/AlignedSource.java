package org.flinkreinforce.connectors.source;

import java.io.Serializable;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.watermark.WatermarkDeclaration;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A source whose readers read their splits in step by the records' time ({@link SplitAlignment}): a
 * split that runs more than {@code maxAhead} ahead of the slowest split its reader still reads is
 * paused until that one catches up. Where one reader reads the partitions of two topics of very
 * different record sizes (the decisions and the rewards), it keeps the small records from racing
 * ahead of the large ones by hours, which a join would otherwise hold in state.
 *
 * <p>Each reader aligns its own splits, at once and without a round trip to the job manager;
 * Flink's watermark alignment, which aligns across readers, still applies on top where the
 * watermark strategy asks for it. Enumeration, splits and checkpoints are the wrapped source's,
 * unchanged: a job may switch between the two and restore its state.
 *
 * @param <T> the records
 * @param <SplitT> the wrapped source's splits; its reader must support pausing them
 * @param <EnumChkT> the wrapped source's enumerator checkpoint
 */
public final class AlignedSource<T, SplitT extends SourceSplit, EnumChkT>
        implements Source<T, SplitT, EnumChkT>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    /** Records between two judgements of the splits. */
    static final int RECORDS_PER_CHECK = 256;

    /** Checks in a row without a record after which a split may count as idle. */
    static final int CHECKS_FOR_IDLE = 8;

    /** How long a split must have given nothing, besides those checks, to count as idle. */
    static final Duration IDLE = Duration.ofMillis(200);

    /** The time of a record: its own, or the timestamp its source gave it. */
    @FunctionalInterface
    public interface RecordTime<T> extends Serializable {
        long of(T record, long sourceTimestamp);
    }

    private final Source<T, SplitT, EnumChkT> source;
    private final TypeInformation<T> producedType;
    private final RecordTime<T> time;
    private final long maxAheadMillis;

    /**
     * @param source the source to read
     * @param producedType its records' type
     * @param time the time of a record, in milliseconds
     * @param maxAhead how far a split may be read ahead of the slowest one
     */
    public AlignedSource(
            Source<T, SplitT, EnumChkT> source,
            TypeInformation<T> producedType,
            RecordTime<T> time,
            Duration maxAhead) {
        if (maxAhead.isNegative()) {
            throw new IllegalArgumentException("maxAhead must not be negative: " + maxAhead);
        }
        this.source = source;
        this.producedType = producedType;
        this.time = time;
        this.maxAheadMillis = maxAhead.toMillis();
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(
            SplitEnumeratorContext<SplitT> context) throws Exception {
        return source.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(
            SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint) throws Exception {
        return source.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    @Override
    public Set<? extends WatermarkDeclaration> declareWatermarks() {
        return source.declareWatermarks();
    }

    /**
     * The wrapped source's reader, aligned where the source is unbounded; a bounded one is read as
     * it is: its splits end, and a split the reader pauses just as its fetcher finishes it fails
     * the Kafka consumer (which no longer has the partition).
     */
    @Override
    public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
        if (source.getBoundedness() == Boundedness.BOUNDED) {
            return source.createReader(context);
        }
        return new AlignedReader<>(
                source.createReader(context),
                new SplitAlignment(
                        maxAheadMillis, RECORDS_PER_CHECK, CHECKS_FOR_IDLE, IDLE.toNanos()),
                time,
                IDLE);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return producedType;
    }
}
