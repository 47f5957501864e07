package org.flinkreinforce.connectors.kafka;

import java.io.Serializable;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkreinforce.connectors.event.EncodedDecision;
import org.flinkreinforce.connectors.event.JoinInput;
import org.flinkreinforce.connectors.event.PendingReward;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.event.DecisionDecoder;
import org.flinkreinforce.formats.event.Decoded;
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.formats.event.RecordDecoder;
import org.flinkreinforce.formats.event.RewardDecoder;
import org.flinkreinforce.formats.ranker.LoggedRanking;
import org.flinkreinforce.formats.ranker.RankedDecision;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * Turns every record of the decisions topic and of the rewards topic into exactly one {@link
 * JoinInput}: a decision, a ranker policy's decision, a reward, or a dead letter; the topic a
 * record comes from says which it should be. A decision is a ranker's where it is a binary ranker
 * record or JSON with a top-level {@code candidates} field; it is validated against its ranker
 * policy here (the learner of rankers decodes it again once it has its reward). It never throws, so
 * a poison pill cannot fail the source.
 */
public final class JoinInputDeserializationSchema
        implements KafkaRecordDeserializationSchema<JoinInput> {

    private static final long serialVersionUID = 1L;

    private final String decisionsTopic;
    private final Reading<?> decisions;
    private final Reading<?> rewards;
    private final Map<String, RankerSpec> rankers;
    private transient DataOutputSerializer scratch;

    /** A schema for softmax policies' decisions alone: every ranker decision is refused. */
    public JoinInputDeserializationSchema(
            String decisionsTopic, DecisionDecoder decisions, RewardDecoder rewards) {
        this(decisionsTopic, decisions, rewards, Map.of());
    }

    /**
     * @param decisionsTopic the topic whose records are decisions; those of any other topic are
     *     rewards
     * @param decisions reads a decision, its reward {@link Double#NaN} until the join
     * @param rewards reads a reward
     * @param rankers the ranker policies, by id, whose decisions the join takes
     */
    public JoinInputDeserializationSchema(
            String decisionsTopic,
            DecisionDecoder decisions,
            RewardDecoder rewards,
            Map<String, RankerSpec> rankers) {
        this.decisionsTopic = decisionsTopic;
        this.rankers = Map.copyOf(rankers);
        this.decisions =
                new Reading<>(
                        decisions,
                        decision ->
                                JoinInput.decision(
                                        EncodedDecision.of(
                                                PolicyEvent.of(decision.withReward(Double.NaN)),
                                                scratch())));
        this.rewards = new Reading<>(rewards, reward -> JoinInput.reward(PendingReward.of(reward)));
    }

    /** The buffer decisions are encoded through; this schema's reader's thread alone uses it. */
    private DataOutputSerializer scratch() {
        if (scratch == null) {
            scratch = new DataOutputSerializer(256);
        }
        return scratch;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<JoinInput> out) {
        if (!decisionsTopic.equals(record.topic())) {
            out.collect(rewards.read(record));
            return;
        }
        byte[] value = record.value();
        // A JSON ranker decision of the common shape is read once, by the ranker's fast path.
        RankedDecision plain;
        try {
            plain = RankingCodec.decodeIfPlainJson(value, rankers, true);
        } catch (EventRejection rejection) {
            out.collect(
                    SourceRankers.forItsLearner(rejection)
                            ? ranker(record)
                            : JoinInput.rejected(SourceRankers.deadLetter(record, rejection)));
            return;
        }
        if (plain != null) {
            out.collect(ranker(record, plain));
            return;
        }
        if (value != null
                && (RankingCodec.isBinary(value)
                        || RankingCodec.plainRankerPolicyId(value) != null)) {
            out.collect(ranker(record));
            return;
        }
        JoinInput decision = decisions.read(record);
        if (!decision.isValid() && RankingCodec.rankerPolicyId(value) != null) {
            // Not a softmax policy's decision: a ranker policy's JSON one (top-level candidates).
            decision = ranker(record);
        }
        out.collect(decision);
    }

    /**
     * The join's input of a ranker decision: its record, event id and time, or its dead letter. A
     * decision its policy as the source knows it refuses only for a reason its current definition
     * may not share ({@link SourceRankers#forItsLearner}) is read for its event id and time alone,
     * and waits as it came, for its learner to judge.
     */
    private JoinInput ranker(ConsumerRecord<byte[], byte[]> record) {
        RankedDecision decision;
        try {
            decision = RankingCodec.decode(record.value(), rankers, true);
        } catch (EventRejection rejection) {
            if (!SourceRankers.forItsLearner(rejection)) {
                return JoinInput.rejected(SourceRankers.deadLetter(record, rejection));
            }
            try {
                decision = RankingCodec.decodeWithoutPolicy(record.value(), true);
            } catch (EventRejection unreadable) {
                return JoinInput.rejected(SourceRankers.deadLetter(record, unreadable));
            }
            return ranker(record, decision, record.value());
        }
        return ranker(record, decision);
    }

    /** The join's input of {@code record}, read as {@code decision}. */
    private JoinInput ranker(ConsumerRecord<byte[], byte[]> record, RankedDecision decision) {
        // A JSON decision waits, and reaches the learner, as its binary record: smaller in the
        // join's state, and read there without parsing or hashing again.
        return ranker(record, decision, SourceRankers.passedOn(record, decision, rankers, true));
    }

    /** The join's input of {@code record}, read as {@code decision}, passed on as {@code value}. */
    private JoinInput ranker(
            ConsumerRecord<byte[], byte[]> record, RankedDecision decision, byte[] value) {
        RankerRecord ranker =
                new RankerRecord(
                        decision.policyId(),
                        record.key(),
                        value,
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        decision.timestamp() == LoggedRanking.NO_TIMESTAMP
                                ? record.timestamp()
                                : decision.timestamp());
        ranker.eventId = decision.eventId();
        return JoinInput.ranker(ranker);
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
