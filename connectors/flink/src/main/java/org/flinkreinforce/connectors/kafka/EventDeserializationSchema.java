package org.flinkreinforce.connectors.kafka;

import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkreinforce.connectors.event.DecodedRecord;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.formats.ranker.RankedDecision;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * Turns every Kafka record into exactly one {@link DecodedRecord}: a valid event, a ranker record
 * or a dead letter. It never throws, so a poison pill cannot fail the source and restart-loop the
 * job.
 *
 * <p>Given the ranker policies, it reads a JSON ranker event here, on the source's thread, and
 * passes it on as its binary v1 record, features hashed ({@link RankingCodec#toBinary(
 * RankedDecision, int, boolean)}), or dead-letters it with its reason: the ranker's learner then
 * neither parses nor hashes it. Without them, and for binary ranker events, the learner reads the
 * record as it came.
 */
public final class EventDeserializationSchema
        implements KafkaRecordDeserializationSchema<DecodedRecord> {

    private static final long serialVersionUID = 1L;

    private final EventDecoder decoder;
    private final Map<String, RankerSpec> rankers;

    public EventDeserializationSchema(EventDecoder decoder) {
        this(decoder, Map.of());
    }

    /**
     * @param rankers the ranker policies by id, whose JSON events are read here; empty: none are
     */
    public EventDeserializationSchema(EventDecoder decoder, Map<String, RankerSpec> rankers) {
        this.decoder = decoder;
        this.rankers = Map.copyOf(rankers);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        byte[] value = record.value();
        if (value != null && RankingCodec.isBinary(value)) {
            out.collect(ranker(record, RankingCodec.rankerPolicyId(value)));
            return;
        }
        // A JSON ranker event of the common shape is read once, here, by the ranker's fast path.
        try {
            RankedDecision read = RankingCodec.decodeIfPlainJson(value, rankers, false);
            if (read != null) {
                out.collect(
                        ranker(
                                record,
                                read.policyId(),
                                SourceRankers.passedOn(record, read, rankers, false)));
                return;
            }
        } catch (EventRejection rejection) {
            out.collect(
                    SourceRankers.forItsLearner(rejection)
                            ? ranker(record, RankingCodec.rankerPolicyId(value))
                            : DecodedRecord.rejected(SourceRankers.deadLetter(record, rejection)));
            return;
        }
        // Another JSON ranker event at a glance goes to its learner without a softmax reading.
        String plainRankerId = RankingCodec.plainRankerPolicyId(value);
        if (plainRankerId != null) {
            out.collect(jsonRanker(record, plainRankerId));
            return;
        }
        // The learner's event is made straight from the decoder's fields: no LoggedEvent between.
        DecodedRecord decoded =
                decoder.decode(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.key(),
                        value,
                        PolicyEvent::new,
                        DecodedRecord::valid,
                        DecodedRecord::rejected);
        if (!decoded.isValid()) {
            // Not a softmax policy's event (no action, or a policy the decoder does not know): a
            // ranker policy's JSON event (top-level candidates), for its learner, where it is one.
            String rankerId = RankingCodec.rankerPolicyId(value);
            if (rankerId != null) {
                decoded = jsonRanker(record, rankerId);
            }
        }
        out.collect(decoded);
    }

    /** A JSON ranker event: read here where the ranker policies are known. */
    private DecodedRecord jsonRanker(ConsumerRecord<byte[], byte[]> record, String policyId) {
        if (rankers.isEmpty()) {
            return ranker(record, policyId, record.value());
        }
        RankedDecision read;
        try {
            read = RankingCodec.decode(record.value(), rankers, false);
        } catch (EventRejection rejection) {
            return SourceRankers.forItsLearner(rejection)
                    ? ranker(record, policyId)
                    : DecodedRecord.rejected(SourceRankers.deadLetter(record, rejection));
        }
        return ranker(
                record, read.policyId(), SourceRankers.passedOn(record, read, rankers, false));
    }

    private static DecodedRecord ranker(ConsumerRecord<byte[], byte[]> record, String policyId) {
        return ranker(record, policyId, record.value());
    }

    private static DecodedRecord ranker(
            ConsumerRecord<byte[], byte[]> record, String policyId, byte[] value) {
        return DecodedRecord.ranker(
                new RankerRecord(
                        policyId == null ? "" : policyId,
                        record.key(),
                        value,
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp()));
    }

    @Override
    public TypeInformation<DecodedRecord> getProducedType() {
        return TypeInformation.of(DecodedRecord.class);
    }
}
