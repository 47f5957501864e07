package org.flinkreinforce.connectors.kafka;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.formats.ranker.RankedDecision;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.model.ranker.RankerSpec;

/** How the sources read ranker records against their policies before passing them on. */
final class SourceRankers {

    private SourceRankers() {}

    /** The dead letter of {@code record}, refused for {@code rejection}. */
    static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, EventRejection rejection) {
        return new DeadLetter(
                rejection.reason(),
                rejection.getMessage(),
                record.topic(),
                record.partition(),
                record.offset(),
                record.timestamp(),
                record.key(),
                record.value());
    }

    /**
     * The bytes to pass on for {@code record}, read as {@code read}: a JSON record as its binary
     * record (features hashed: the learner neither parses nor hashes it again), or where binary
     * cannot carry it exactly, and for a binary record, its own.
     */
    static byte[] passedOn(
            ConsumerRecord<byte[], byte[]> record,
            RankedDecision read,
            Map<String, RankerSpec> rankers,
            boolean decision) {
        if (RankingCodec.isBinary(record.value())) {
            return record.value();
        }
        byte[] binary = RankingCodec.toBinary(read, rankers.get(read.policyId()).seed(), decision);
        return binary != null ? binary : record.value();
    }
}
