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
     * Whether a ranker record refused for {@code rejection} goes on to its policy's learner, which
     * judges it by the policy's current definition, rather than to the dead letters: where its
     * policy is not one the source was started with (added since), or is over a limit its
     * definition may have raised since.
     */
    static boolean forItsLearner(EventRejection rejection) {
        return switch (rejection.reason()) {
            case UNKNOWN_POLICY, CANDIDATE_COUNT, FEATURE_COUNT -> true;
            default -> false;
        };
    }

    /**
     * The bytes to pass on for {@code record}, read as {@code read}: a JSON record as its binary
     * record (features hashed: the learner neither parses nor hashes it again), or where binary
     * cannot carry it exactly, for a binary record, and for a record of a policy not in {@code
     * rankers}, its own.
     */
    static byte[] passedOn(
            ConsumerRecord<byte[], byte[]> record,
            RankedDecision read,
            Map<String, RankerSpec> rankers,
            boolean decision) {
        RankerSpec spec = rankers.get(read.policyId());
        if (spec == null || RankingCodec.isBinary(record.value())) {
            return record.value();
        }
        byte[] binary = RankingCodec.toBinary(read, spec.seed(), decision);
        return binary != null ? binary : record.value();
    }
}
