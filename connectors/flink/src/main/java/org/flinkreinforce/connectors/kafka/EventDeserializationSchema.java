package org.flinkreinforce.connectors.kafka;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkreinforce.connectors.event.DecodedRecord;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.formats.ranker.RankingCodec;

/**
 * Turns every Kafka record into exactly one {@link DecodedRecord}: a valid event or a dead letter.
 * It never throws, so a poison pill cannot fail the source and restart-loop the job.
 */
public final class EventDeserializationSchema
        implements KafkaRecordDeserializationSchema<DecodedRecord> {

    private static final long serialVersionUID = 1L;

    private final EventDecoder decoder;

    public EventDeserializationSchema(EventDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        byte[] value = record.value();
        if (value != null && RankingCodec.isBinary(value)) {
            out.collect(ranker(record, RankingCodec.rankerPolicyId(value)));
            return;
        }
        // A JSON ranker event at a glance goes to its learner without a softmax reading first.
        String plainRankerId = RankingCodec.plainRankerPolicyId(value);
        if (plainRankerId != null) {
            out.collect(ranker(record, plainRankerId));
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
                decoded = ranker(record, rankerId);
            }
        }
        out.collect(decoded);
    }

    private static DecodedRecord ranker(ConsumerRecord<byte[], byte[]> record, String policyId) {
        return DecodedRecord.ranker(
                new RankerRecord(
                        policyId == null ? "" : policyId,
                        record.key(),
                        record.value(),
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
