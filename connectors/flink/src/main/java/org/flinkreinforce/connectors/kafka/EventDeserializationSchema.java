package org.flinkreinforce.connectors.kafka;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkreinforce.connectors.event.DecodedRecord;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.event.EventDecoder;

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
        // The learner's event is made straight from the decoder's fields: no LoggedEvent between.
        out.collect(
                decoder.decode(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.key(),
                        record.value(),
                        PolicyEvent::new,
                        DecodedRecord::valid,
                        DecodedRecord::rejected));
    }

    @Override
    public TypeInformation<DecodedRecord> getProducedType() {
        return TypeInformation.of(DecodedRecord.class);
    }
}
