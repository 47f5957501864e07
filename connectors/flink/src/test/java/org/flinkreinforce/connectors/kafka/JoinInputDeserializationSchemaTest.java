package org.flinkreinforce.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.flinkreinforce.connectors.event.JoinInput;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.DecisionDecoder;
import org.flinkreinforce.formats.event.RewardDecoder;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.formats.ranker.LoggedRanking;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

class JoinInputDeserializationSchemaTest {

    private static final RankerSpec SHOP =
            new RankerSpec("shop", 10, 7, Interaction.parseList("user:item"), 4, 8);

    private final JoinInputDeserializationSchema schema =
            new JoinInputDeserializationSchema(
                    "decisions",
                    DecisionDecoder.withoutSpecs(
                            Map.of("recs", new PolicySpec("recs", 2, 3)), 4096),
                    new RewardDecoder(4096),
                    Map.of("shop", SHOP));

    /**
     * A ranker's decision waits as its binary record: a binary one as it came, a JSON one as the
     * binary record of the same decision.
     */
    @Test
    void shouldPassARankersDecisionOnAsItsBinaryRecordWithItsEventIdAndTime() throws Exception {
        byte[] binary = RankingCodec.toBinary(ranking("shop", "r-1", 5_000L, 3), SHOP);
        for (byte[] value :
                new byte[][] {RankingCodec.toJson(ranking("shop", "r-1", 5_000L, 3)), binary}) {
            JoinInput input = deserialize(record("decisions", value, 9_000L));
            assertThat(input.isValid()).isTrue();
            assertThat(input.ranker.policyId).isEqualTo("shop");
            assertThat(input.ranker.value).isEqualTo(binary);
            assertThat(input.ranker.offset).isEqualTo(11L);
            assertThat(input.ranker.reward).isNull();
            assertThat(input.eventId()).isEqualTo("r-1");
            assertThat(input.timestamp()).isEqualTo(5_000L);
        }
        // No timestamp field: the Kafka record's.
        JoinInput untimed =
                deserialize(
                        record(
                                "decisions",
                                RankingCodec.toJson(
                                        ranking("shop", "r-2", LoggedRanking.NO_TIMESTAMP, 1)),
                                9_000L));
        assertThat(untimed.timestamp()).isEqualTo(9_000L);
    }

    @Test
    void shouldDeadLetterARankerDecisionItsPolicyRefuses() {
        assertThat(reason(RankingCodec.toJson(ranking("shop", null, 1L, 2))))
                .isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(reason(RankingCodec.toJson(ranking("nope", null, 1L, 2))))
                .isEqualTo(DeadLetterReason.MISSING_FIELD);
        // An event (it has a reward), binary, on the decisions topic.
        LoggedRanking event = ranking("shop", "r", 1L, 2);
        event =
                new LoggedRanking(
                        event.policyId(),
                        event.shared(),
                        event.candidates(),
                        event.chosen(),
                        1.0,
                        event.propensity(),
                        event.policyVersion(),
                        null,
                        event.eventId(),
                        event.timestamp());
        assertThat(reason(RankingCodec.toBinary(event, SHOP)))
                .isEqualTo(DeadLetterReason.MALFORMED_BINARY);
    }

    /**
     * A decision of a ranker the source was not started with (added since), or with more candidates
     * than the source's definition takes (raised since), waits as it came, with its event id and
     * time, for its learner to judge by the ranker's current definition.
     */
    @Test
    void shouldPassOnADecisionItsLearnerJudges() {
        byte[] unknown = RankingCodec.toJson(ranking("nope", "r-1", 7_000L, 2));
        byte[] crowded = RankingCodec.toJson(ranking("shop", "r-2", 8_000L, 5));
        RankerSpec nope = new RankerSpec("nope", 12, 99, List.of(), 4, 4);
        byte[] unknownBinary = RankingCodec.toBinary(ranking("nope", "r-3", 9_000L, 2), nope);
        for (byte[] value : List.of(unknown, crowded, unknownBinary)) {
            JoinInput input = deserialize(record("decisions", value, 1L));
            assertThat(input.isValid()).isTrue();
            assertThat(input.ranker.value).isEqualTo(value);
        }
        assertThat(deserialize(record("decisions", unknown, 1L)).eventId()).isEqualTo("r-1");
        assertThat(deserialize(record("decisions", crowded, 1L)).timestamp()).isEqualTo(8_000L);
        assertThat(deserialize(record("decisions", unknownBinary, 1L)).eventId()).isEqualTo("r-3");
    }

    @Test
    void shouldStillReadSoftmaxDecisionsAndRewards() {
        byte[] decision =
                ("{\"policyId\":\"recs\",\"eventId\":\"d\",\"features\":[1,2],\"action\":1,"
                                + "\"propensity\":0.5}")
                        .getBytes(StandardCharsets.UTF_8);
        assertThat(deserialize(record("decisions", decision, 1L)).decision.eventId).isEqualTo("d");
        byte[] reward = "{\"eventId\":\"d\",\"reward\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(deserialize(record("rewards", reward, 1L)).reward.reward).isEqualTo(1.0);
        // Neither a softmax decision nor a ranker's: the softmax decoder's reason.
        byte[] neither =
                "{\"policyId\":\"recs\",\"eventId\":\"d\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(reason(neither)).isEqualTo(DeadLetterReason.MISSING_FIELD);
    }

    private static LoggedRanking ranking(
            String policyId, String eventId, long timestamp, int candidates) {
        List<Candidate> offered = new ArrayList<>();
        for (int c = 0; c < candidates; c++) {
            offered.add(Candidate.of(Features.builder().category("item", "id", "i" + c).build()));
        }
        return new LoggedRanking(
                policyId,
                Features.builder().category("user", "country", "DE").build(),
                offered,
                0,
                LoggedRanking.NO_REWARD,
                0.5,
                -1,
                null,
                eventId,
                timestamp);
    }

    private DeadLetterReason reason(byte[] value) {
        JoinInput input = deserialize(record("decisions", value, 1L));
        assertThat(input.isValid()).isFalse();
        assertThat(input.deadLetter.topic).isEqualTo("decisions");
        assertThat(input.deadLetter.value).isEqualTo(value);
        return input.deadLetter.reason;
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, byte[] value, long time) {
        return new ConsumerRecord<>(
                topic,
                0,
                11L,
                time,
                TimestampType.CREATE_TIME,
                0,
                value.length,
                null,
                value,
                new RecordHeaders(),
                Optional.empty());
    }

    private JoinInput deserialize(ConsumerRecord<byte[], byte[]> record) {
        List<JoinInput> out = new ArrayList<>();
        schema.deserialize(record, new ListCollector<>(out));
        assertThat(out).hasSize(1);
        return out.get(0);
    }
}
