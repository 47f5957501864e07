package org.flinkreinforce.connectors.kafka;

import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkreinforce.connectors.event.JoinInput;
import org.flinkreinforce.connectors.event.PendingReward;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.event.DecisionDecoder;
import org.flinkreinforce.formats.event.Decoded;
import org.flinkreinforce.formats.event.RecordDecoder;
import org.flinkreinforce.formats.event.RewardDecoder;

/**
 * Turns every record of the decisions topic and of the rewards topic into exactly one {@link
 * JoinInput}: a decision, a reward, or a dead letter; the topic a record comes from says which it
 * should be. It never throws, so a poison pill cannot fail the source.
 */
public final class JoinInputDeserializationSchema
        implements KafkaRecordDeserializationSchema<JoinInput> {

    private static final long serialVersionUID = 1L;

    private final String decisionsTopic;
    private final Reading<?> decisions;
    private final Reading<?> rewards;

    /**
     * @param decisionsTopic the topic whose records are decisions; those of any other topic are
     *     rewards
     * @param decisions reads a decision, its reward {@link Double#NaN} until the join
     * @param rewards reads a reward
     */
    public JoinInputDeserializationSchema(
            String decisionsTopic, DecisionDecoder decisions, RewardDecoder rewards) {
        this.decisionsTopic = decisionsTopic;
        this.decisions =
                new Reading<>(
                        decisions,
                        decision ->
                                JoinInput.decision(
                                        PolicyEvent.of(decision.withReward(Double.NaN))));
        this.rewards = new Reading<>(rewards, reward -> JoinInput.reward(PendingReward.of(reward)));
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<JoinInput> out) {
        out.collect((decisionsTopic.equals(record.topic()) ? decisions : rewards).read(record));
    }

    /** A topic's decoder, and the join's input of what it decodes. */
    private record Reading<R>(RecordDecoder<R> decoder, SerializableFunction<R, JoinInput> valid)
            implements Serializable {

        /**
         * The join's input of {@code record}: {@code valid} of its decoding, or its dead letter.
         */
        JoinInput read(ConsumerRecord<byte[], byte[]> record) {
            Decoded<R> decoded =
                    decoder.decode(
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp(),
                            record.key(),
                            record.value());
            return decoded.isValid()
                    ? valid.apply(decoded.record())
                    : JoinInput.rejected(decoded.deadLetter());
        }
    }

    @Override
    public TypeInformation<JoinInput> getProducedType() {
        return TypeInformation.of(JoinInput.class);
    }
}
