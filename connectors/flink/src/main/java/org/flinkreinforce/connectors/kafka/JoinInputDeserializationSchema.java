package org.flinkreinforce.connectors.kafka;

import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkreinforce.connectors.event.JoinInput;
import org.flinkreinforce.connectors.event.PendingReward;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.formats.event.DecisionDecoder;
import org.flinkreinforce.formats.event.Decoded;
import org.flinkreinforce.formats.event.LoggedDecision;
import org.flinkreinforce.formats.event.RewardDecoder;

/**
 * Turns every record of the decisions topic, or of the rewards topic, into exactly one {@link
 * JoinInput}: a decision, a reward, or a dead letter. It never throws, so a poison pill cannot fail
 * the source.
 */
public final class JoinInputDeserializationSchema
        implements KafkaRecordDeserializationSchema<JoinInput> {

    private static final long serialVersionUID = 1L;

    private final DecisionDecoder decisions;
    private final RewardDecoder rewards;

    private JoinInputDeserializationSchema(DecisionDecoder decisions, RewardDecoder rewards) {
        this.decisions = decisions;
        this.rewards = rewards;
    }

    /** For the decisions topic. */
    public static JoinInputDeserializationSchema decisions(DecisionDecoder decoder) {
        return new JoinInputDeserializationSchema(decoder, null);
    }

    /** For the rewards topic. */
    public static JoinInputDeserializationSchema rewards(RewardDecoder decoder) {
        return new JoinInputDeserializationSchema(null, decoder);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<JoinInput> out) {
        out.collect(
                decisions != null
                        ? input(
                                decisions.decode(
                                        record.topic(),
                                        record.partition(),
                                        record.offset(),
                                        record.timestamp(),
                                        record.key(),
                                        record.value()),
                                d -> JoinInput.decision(decision(d)))
                        : input(
                                rewards.decode(
                                        record.topic(),
                                        record.partition(),
                                        record.offset(),
                                        record.timestamp(),
                                        record.key(),
                                        record.value()),
                                r -> JoinInput.reward(PendingReward.of(r))));
    }

    /** The join's input of a decoded record: {@code valid} of the record, or its dead letter. */
    private static <R> JoinInput input(Decoded<R> decoded, Function<R, JoinInput> valid) {
        return decoded.isValid()
                ? valid.apply(decoded.record())
                : JoinInput.rejected(decoded.deadLetter());
    }

    /** The learner's event of a decision, its reward {@link Double#NaN} until the join. */
    private static PolicyEvent decision(LoggedDecision decision) {
        return PolicyEvent.of(decision.withReward(Double.NaN));
    }

    @Override
    public TypeInformation<JoinInput> getProducedType() {
        return TypeInformation.of(JoinInput.class);
    }
}
