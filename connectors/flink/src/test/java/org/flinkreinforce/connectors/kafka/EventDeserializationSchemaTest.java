package org.flinkreinforce.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinkreinforce.connectors.event.DecodedRecord;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.RankerRecord;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.BinaryEventCodec;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.formats.event.JsonEventEncoder;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.ranker.RankedDecision;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

class EventDeserializationSchemaTest {

    private static final Map<String, PolicySpec> POLICIES =
            Map.of("recs", new PolicySpec("recs", 2, 3));

    private final EventDeserializationSchema schema =
            new EventDeserializationSchema(new EventDecoder(POLICIES, 4096));

    @Test
    void shouldGiveTheLearnerTheEventTheDecoderReadsWithTheDefaultsAndNoAdvantageYet() {
        LoggedEvent logged = event(null, null);
        for (byte[] value :
                new byte[][] {JsonEventEncoder.encode(logged), BinaryEventCodec.encode(logged)}) {
            ConsumerRecord<byte[], byte[]> record =
                    new ConsumerRecord<>("events", 3, 11L, null, value);
            PolicyEvent event = deserialize(record).event;
            assertThat(event.toLogged())
                    .isEqualTo(event("recs", "events-3-11"))
                    .isEqualTo(
                            new EventDecoder(POLICIES, 4096)
                                    .decode("events", 3, 11L, -1L, null, value)
                                    .event());
            assertThat(event.advantage).isNaN();
        }
    }

    @Test
    void shouldTurnAnUnreadableRecordIntoADeadLetterThatSaysWhereItCameFrom() {
        byte[] value = "{\"policyId\":".getBytes(StandardCharsets.UTF_8);
        DecodedRecord decoded = deserialize(new ConsumerRecord<>("events", 1, 5L, null, value));
        assertThat(decoded.isValid()).isFalse();
        assertThat(decoded.deadLetter.reason).isEqualTo(DeadLetterReason.MALFORMED_JSON);
        assertThat(decoded.deadLetter.topic).isEqualTo("events");
        assertThat(decoded.deadLetter.partition).isEqualTo(1);
        assertThat(decoded.deadLetter.offset).isEqualTo(5L);
        assertThat(decoded.deadLetter.value).isEqualTo(value);
    }

    /**
     * A ranker policy's JSON event goes to the learner of rankers whatever the softmax decoder
     * refuses it for: no action, or (where it checks the policies) a policy it does not know.
     */
    @Test
    void shouldPassOnARankerEventTheSoftmaxDecoderRefuses() {
        byte[] value =
                "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"reward\":1}"
                        .getBytes(StandardCharsets.UTF_8);
        for (EventDeserializationSchema checking :
                new EventDeserializationSchema[] {
                    schema,
                    new EventDeserializationSchema(EventDecoder.withoutSpecs(POLICIES, 4096))
                }) {
            List<DecodedRecord> out = new ArrayList<>();
            checking.deserialize(
                    new ConsumerRecord<>("events", 0, 3L, null, value), new ListCollector<>(out));
            assertThat(out).singleElement().satisfies(d -> assertThat(d.ranker).isNotNull());
            assertThat(out.get(0).ranker.policyId).isEqualTo("shop");
        }
    }

    /**
     * Given the ranker policies, the source reads a JSON ranker event itself: a good one reaches
     * the learner as its binary record, which decodes to the same decision; a bad one, or one of a
     * ranker not defined, is a dead letter with its reason and its own bytes.
     */
    @Test
    void shouldReadAJsonRankerEventAtTheSourceWhereItKnowsTheRankers() throws Exception {
        RankerSpec shop = new RankerSpec("shop", 18, 5, Interaction.parseList("*:*"), 8, 16);
        EventDeserializationSchema withRankers =
                new EventDeserializationSchema(
                        EventDecoder.withoutSpecs(POLICIES, 4096), Map.of("shop", shop));
        String good =
                "{\"policyId\":\"shop\",\"shared\":{\"u\":{\"country\":\"DE\"}},"
                        + "\"candidates\":[{\"id\":\"a\",\"features\":{\"i\":[1,2]}},{}],"
                        + "\"chosen\":1,\"reward\":0.5,\"eventId\":\"e-1\"}";
        byte[] value = good.getBytes(StandardCharsets.UTF_8);
        List<DecodedRecord> out = new ArrayList<>();
        withRankers.deserialize(
                new ConsumerRecord<>("events", 0, 3L, null, value), new ListCollector<>(out));
        RankerRecord ranker = out.get(0).ranker;
        assertThat(ranker.policyId).isEqualTo("shop");
        assertThat(ranker.offset).isEqualTo(3L);
        assertThat(RankingCodec.isBinary(ranker.value)).isTrue();
        RankedDecision fromBinary = RankingCodec.decode(ranker.value, Map.of("shop", shop), false);
        RankedDecision fromJson = RankingCodec.decode(value, Map.of("shop", shop), false);
        assertThat(fromBinary.candidateIds()).containsExactly("a", null);
        assertThat(fromBinary.shared().featureHash(0)).isEqualTo(fromJson.shared().featureHash(0));
        assertThat(fromBinary.candidates()[0].featureValue(1)).isEqualTo(2f);
        assertThat(fromBinary.reward()).isEqualTo(0.5);
        assertThat(fromBinary.eventId()).isEqualTo("e-1");

        byte[] refused =
                good.replace("\"chosen\":1", "\"chosen\":2").getBytes(StandardCharsets.UTF_8);
        out.clear();
        withRankers.deserialize(
                new ConsumerRecord<>("events", 0, 4L, null, refused), new ListCollector<>(out));
        assertThat(out).singleElement().satisfies(d -> assertThat(d.ranker).isNull());
        assertThat(out.get(0).deadLetter.reason).isEqualTo(DeadLetterReason.CHOSEN_OUT_OF_RANGE);
        assertThat(out.get(0).deadLetter.value).isEqualTo(refused);

        // A ranker the source was not started with (added since), and more candidates than the
        // source's definition takes (raised since): on, as they came, for their learner to judge.
        String news = good.replace("\"policyId\":\"shop\"", "\"policyId\":\"news\"");
        String crowded = good.replace("{}]", "{},{},{},{},{},{},{},{},{}]");
        for (String text : List.of(news, crowded)) {
            byte[] passed = text.getBytes(StandardCharsets.UTF_8);
            out.clear();
            withRankers.deserialize(
                    new ConsumerRecord<>("events", 0, 5L, null, passed), new ListCollector<>(out));
            assertThat(out).singleElement().satisfies(d -> assertThat(d.deadLetter).isNull());
            assertThat(out.get(0).ranker.value).isEqualTo(passed);
        }
        assertThat(out.get(0).ranker.policyId).isEqualTo("shop");
    }

    /** An event of policy {@code recs} with {@code baselineKey} and {@code eventId}. */
    private static LoggedEvent event(String baselineKey, String eventId) {
        return new LoggedEvent(
                "recs",
                new float[] {1.5f, -2f},
                new int[] {2},
                0.5,
                0.25f,
                7,
                baselineKey,
                eventId,
                42L);
    }

    private DecodedRecord deserialize(ConsumerRecord<byte[], byte[]> record) {
        List<DecodedRecord> out = new ArrayList<>();
        schema.deserialize(record, new ListCollector<>(out));
        assertThat(out).hasSize(1);
        return out.get(0);
    }
}
