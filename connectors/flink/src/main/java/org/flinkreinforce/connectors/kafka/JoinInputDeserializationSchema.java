package org.flinkreinforce.connectors.kafka;

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
import org.flinkreinforce.formats.event.LoggedReward;
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
        if (decisions != null) {
            Decoded<LoggedDecision> decoded =
                    decisions.decode(
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp(),
                            record.key(),
                            record.value());
            out.collect(
                    decoded.isValid()
                            ? JoinInput.decision(decision(decoded.record()))
                            : JoinInput.rejected(decoded.deadLetter()));
        } else {
            Decoded<LoggedReward> decoded =
                    rewards.decode(
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp(),
                            record.key(),
                            record.value());
            out.collect(
                    decoded.isValid()
                            ? JoinInput.reward(PendingReward.of(decoded.record()))
                            : JoinInput.rejected(decoded.deadLetter()));
        }
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
