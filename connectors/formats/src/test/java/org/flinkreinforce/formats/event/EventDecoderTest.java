package org.flinkreinforce.formats.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventDecoderTest {

    private static final Map<String, PolicySpec> POLICIES =
            Map.of("recs", PolicySpec.parse("recs:3:10"), "nas", PolicySpec.parse("nas:0:6,6,4,4"));

    private final EventDecoder decoder = new EventDecoder(POLICIES, 4096);

    @Test
    void shouldDecodeAValidRecommenderEventWithEveryField() {
        DecodedEvent record =
                decode(
                        "{\"v\":1,\"policyId\":\"recs\",\"features\":[0.5,-1,2e-3],\"action\":7,"
                                + "\"reward\":1.25,\"propensity\":0.2,\"policyVersion\":12,"
                                + "\"baselineKey\":\"user-42\",\"eventId\":\"e-1\",\"timestamp\":1700000000000,"
                                + "\"extra\":{\"ignored\":[1,2,{\"deep\":true}]}}");
        assertThat(record.isValid()).isTrue();
        LoggedEvent event = record.event();
        assertThat(event.policyId()).isEqualTo("recs");
        assertThat(event.features()).containsExactly(0.5f, -1f, 2e-3f);
        assertThat(event.actions()).containsExactly(7);
        assertThat(event.reward()).isEqualTo(1.25);
        assertThat(event.propensity()).isEqualTo(0.2f);
        assertThat(event.policyVersion()).isEqualTo(12);
        assertThat(event.baselineKey()).isEqualTo("user-42");
        assertThat(event.eventId()).isEqualTo("e-1");
        assertThat(event.timestamp()).isEqualTo(1700000000000L);
    }

    @Test
    void shouldFillDefaultsForANasEventWithoutOptionalFields() {
        DecodedEvent record =
                decode("{\"policyId\":\"nas\",\"actions\":[5,0,3,1],\"reward\":0.91}");
        assertThat(record.isValid()).isTrue();
        EventSamples.assertNasEventWithDefaults(record.event());
    }

    @Test
    void shouldRoundTripThroughTheEncoder() {
        LoggedEvent event = EventSamples.recommender(-2.5);
        DecodedEvent record = decoder.decode("t", 0, 0, 1, null, JsonEventEncoder.encode(event));
        assertThat(record.event()).isEqualTo(event);
    }

    static Stream<Arguments> badRecords() {
        String ok = "\"policyId\":\"recs\",\"features\":[1,2,3],\"action\":1";
        return Stream.of(
                Arguments.of("null value (tombstone)", null, DeadLetterReason.EMPTY),
                Arguments.of("empty value", "", DeadLetterReason.EMPTY),
                Arguments.of("whitespace", "  \n ", DeadLetterReason.EMPTY),
                Arguments.of("not JSON", "hello", DeadLetterReason.MALFORMED_JSON),
                Arguments.of("truncated", "{" + ok + ",\"rew", DeadLetterReason.MALFORMED_JSON),
                Arguments.of(
                        "truncated object",
                        "{" + ok + ",\"reward\":1",
                        DeadLetterReason.MALFORMED_JSON),
                Arguments.of("array, not object", "[1,2,3]", DeadLetterReason.MALFORMED_JSON),
                Arguments.of(
                        "trailing content",
                        "{" + ok + ",\"reward\":1} {}",
                        DeadLetterReason.MALFORMED_JSON),
                Arguments.of(
                        "duplicate key",
                        "{" + ok + ",\"reward\":1,\"reward\":2}",
                        DeadLetterReason.MALFORMED_JSON),
                Arguments.of(
                        "deep nesting",
                        "{" + ok + ",\"reward\":1,\"x\":" + "[".repeat(500) + "]".repeat(500) + "}",
                        DeadLetterReason.MALFORMED_JSON),
                Arguments.of(
                        "unsupported version",
                        "{\"v\":2," + ok + ",\"reward\":1}",
                        DeadLetterReason.UNSUPPORTED_VERSION),
                Arguments.of(
                        "missing policy id",
                        "{\"features\":[1,2,3],\"action\":1,\"reward\":1}",
                        DeadLetterReason.MISSING_FIELD),
                Arguments.of("missing reward", "{" + ok + "}", DeadLetterReason.MISSING_FIELD),
                Arguments.of(
                        "missing action",
                        "{\"policyId\":\"recs\",\"features\":[1,2,3],\"reward\":1}",
                        DeadLetterReason.MISSING_FIELD),
                Arguments.of(
                        "missing features",
                        "{\"policyId\":\"recs\",\"action\":1,\"reward\":1}",
                        DeadLetterReason.MISSING_FIELD),
                Arguments.of(
                        "reward as string",
                        "{" + ok + ",\"reward\":\"1\"}",
                        DeadLetterReason.WRONG_TYPE),
                Arguments.of(
                        "policy id as number",
                        "{\"policyId\":7,\"action\":1,\"reward\":1}",
                        DeadLetterReason.WRONG_TYPE),
                Arguments.of(
                        "features not an array",
                        "{\"policyId\":\"recs\",\"features\":3,\"action\":1,\"reward\":1}",
                        DeadLetterReason.WRONG_TYPE),
                Arguments.of(
                        "fractional action",
                        "{\"policyId\":\"recs\",\"features\":[1,2,3],\"action\":1.5,\"reward\":1}",
                        DeadLetterReason.WRONG_TYPE),
                Arguments.of(
                        "unknown policy",
                        "{\"policyId\":\"other\",\"action\":1,\"reward\":1}",
                        DeadLetterReason.UNKNOWN_POLICY),
                Arguments.of(
                        "too few features",
                        "{\"policyId\":\"recs\",\"features\":[1,2],\"action\":1,\"reward\":1}",
                        DeadLetterReason.FEATURE_DIMENSION),
                Arguments.of(
                        "too many features",
                        "{\"policyId\":\"recs\",\"features\":[1,2,3,4],\"action\":1,\"reward\":1}",
                        DeadLetterReason.FEATURE_DIMENSION),
                Arguments.of(
                        "negative action",
                        "{\"policyId\":\"recs\",\"features\":[1,2,3],\"action\":-1,\"reward\":1}",
                        DeadLetterReason.ACTION_OUT_OF_RANGE),
                Arguments.of(
                        "action too large",
                        "{\"policyId\":\"recs\",\"features\":[1,2,3],\"action\":10,\"reward\":1}",
                        DeadLetterReason.ACTION_OUT_OF_RANGE),
                Arguments.of(
                        "action overflows",
                        "{\"policyId\":\"recs\",\"features\":[1,2,3],\"action\":99999999999999999999,\"reward\":1}",
                        DeadLetterReason.ACTION_OUT_OF_RANGE),
                Arguments.of(
                        "too few actions for the heads",
                        "{\"policyId\":\"nas\",\"actions\":[1,2,3],\"reward\":1}",
                        DeadLetterReason.ACTION_COUNT),
                Arguments.of(
                        "too many actions for the heads",
                        "{\"policyId\":\"nas\",\"actions\":[1,2,3,0,0],\"reward\":1}",
                        DeadLetterReason.ACTION_COUNT),
                Arguments.of(
                        "both action and actions",
                        "{\"policyId\":\"recs\",\"features\":[1,2,3],\"action\":1,\"actions\":[1],\"reward\":1}",
                        DeadLetterReason.ACTION_COUNT),
                Arguments.of(
                        "NaN reward", "{" + ok + ",\"reward\":NaN}", DeadLetterReason.NON_FINITE),
                Arguments.of(
                        "Infinity reward",
                        "{" + ok + ",\"reward\":-Infinity}",
                        DeadLetterReason.NON_FINITE),
                Arguments.of(
                        "overflowing reward",
                        "{" + ok + ",\"reward\":1e400}",
                        DeadLetterReason.NON_FINITE),
                Arguments.of(
                        "NaN feature",
                        "{\"policyId\":\"recs\",\"features\":[1,NaN,3],\"action\":1,\"reward\":1}",
                        DeadLetterReason.NON_FINITE),
                Arguments.of(
                        "feature overflows float",
                        "{\"policyId\":\"recs\",\"features\":[1,1e39,3],\"action\":1,\"reward\":1}",
                        DeadLetterReason.NON_FINITE),
                Arguments.of(
                        "propensity 0",
                        "{" + ok + ",\"reward\":1,\"propensity\":0}",
                        DeadLetterReason.BAD_PROPENSITY),
                Arguments.of(
                        "negative propensity",
                        "{" + ok + ",\"reward\":1,\"propensity\":-0.5}",
                        DeadLetterReason.BAD_PROPENSITY),
                Arguments.of(
                        "propensity above 1",
                        "{" + ok + ",\"reward\":1,\"propensity\":1.01}",
                        DeadLetterReason.BAD_PROPENSITY),
                Arguments.of(
                        "NaN propensity",
                        "{" + ok + ",\"reward\":1,\"propensity\":NaN}",
                        DeadLetterReason.NON_FINITE),
                Arguments.of(
                        "too large",
                        "{" + ok + ",\"reward\":1,\"pad\":\"" + "x".repeat(5000) + "\"}",
                        DeadLetterReason.TOO_LARGE),
                Arguments.of(
                        "a baseline key over 256 characters",
                        "{" + ok + ",\"reward\":1,\"baselineKey\":\"" + "k".repeat(257) + "\"}",
                        DeadLetterReason.TOO_LARGE),
                Arguments.of(
                        "an event id over 256 characters",
                        "{" + ok + ",\"reward\":1,\"eventId\":\"" + "e".repeat(257) + "\"}",
                        DeadLetterReason.TOO_LARGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void shouldSendEveryKindOfBadRecordToTheDeadLetterTopicWithItsReason(
            String name, String value, DeadLetterReason reason) {
        byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        DecodedEvent record = decoder.decode("events", 1, 7, 99, new byte[] {1}, bytes);
        assertThat(record.isValid()).as(name).isFalse();
        assertThat(record.deadLetter().reason).as(record.deadLetter().detail).isEqualTo(reason);
        assertThat(record.deadLetter().detail).isNotBlank();
        assertThat(record.deadLetter().value).isEqualTo(bytes);
        assertThat(record.deadLetter().key).containsExactly(1);
        assertThat(record.deadLetter().offset).isEqualTo(7);
        assertThat(record.deadLetter().partition).isEqualTo(1);
    }

    @Test
    void shouldAcceptABaselineKeyAndAnEventIdOf256Characters() {
        DecodedEvent record =
                decode(
                        "{\"policyId\":\"nas\",\"actions\":[5,0,3,1],\"reward\":1,\"baselineKey\":\""
                                + "k".repeat(256)
                                + "\",\"eventId\":\""
                                + "e".repeat(256)
                                + "\"}");
        assertThat(record.isValid()).isTrue();
        assertThat(record.event().baselineKey()).hasSize(256);
    }

    @Test
    void shouldRejectInvalidUtf8() {
        byte[] bytes =
                ("{\"policyId\":\"nas\",\"actions\":[1,2,3,0],\"reward\":1,\"eventId\":\"x\"}")
                        .getBytes(StandardCharsets.UTF_8);
        bytes[bytes.length - 3] =
                (byte) 0xC3; // a lead byte followed by '"' instead of a continuation
        DecodedEvent record = decoder.decode("events", 0, 0, 0, null, bytes);
        assertThat(record.isValid()).isFalse();
        assertThat(record.deadLetter().reason).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    }

    @Test
    void shouldClassifyRandomBytesAndMutatedEventsWithoutEverThrowing() {
        Random random = new Random(123);
        byte[] valid =
                ("{\"policyId\":\"recs\",\"features\":[0.5,-1,2],\"action\":7,\"reward\":1.25,"
                                + "\"propensity\":0.2,\"eventId\":\"e\"}")
                        .getBytes(StandardCharsets.UTF_8);
        int validCount = 0;
        for (int k = 0; k < 50_000; k++) {
            byte[] bytes;
            if (k % 2 == 0) {
                bytes = new byte[random.nextInt(80)];
                random.nextBytes(bytes);
            } else {
                bytes = EventSamples.mutate(valid, random, 4, "{}[],:\"0123456789.-eEnN", false);
            }
            DecodedEvent record = decoder.decode("events", 0, k, 0, null, bytes);
            assertThat(record.isValid() ^ record.deadLetter() != null).isTrue();
            if (record.isValid()) {
                validCount++;
                LoggedEvent event = record.event();
                assertThat(Double.isFinite(event.reward())).isTrue();
                assertThat(event.actions()[0]).isBetween(0, 9);
                assertThat(event.features()).hasSize(3);
                for (float f : event.features()) {
                    assertThat(Float.isFinite(f)).isTrue();
                }
                assertThat(
                                !event.hasPropensity()
                                        || (event.propensity() > 0 && event.propensity() <= 1))
                        .isTrue();
            } else {
                assertThat(record.deadLetter().reason).isNotNull();
            }
        }
        // Some single-byte mutations keep the event valid (e.g. a changed digit).
        assertThat(validCount).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void shouldRejectEveryBadRecordForTheSameReasonWhenTheSpecIsCheckedLater(
            String name, String value, DeadLetterReason reason) {
        byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        assertThat(decodeThenCheckSpec(bytes)).as(name).isEqualTo(reason);
    }

    @Test
    void shouldLeaveTheSpecChecksToTheLearnerWithoutSpecs() {
        EventDecoder withoutSpecs = EventDecoder.withoutSpecs(Map.of(), 4096);
        DecodedEvent unknown =
                withoutSpecs.decode(
                        "t",
                        0,
                        0,
                        1,
                        null,
                        "{\"policyId\":\"new\",\"action\":99,\"reward\":1}"
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(unknown.isValid()).isTrue();
        assertThat(unknown.event().features()).as("no features given").isNull();
        DecodedEvent empty =
                withoutSpecs.decode(
                        "t",
                        0,
                        0,
                        1,
                        null,
                        "{\"policyId\":\"new\",\"features\":[],\"action\":1,\"reward\":1}"
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(empty.event().features()).isEmpty();
    }

    /**
     * The reason a learner gives: decoded without specs, then checked against the spec of its
     * policy as the learner does; {@code null} when valid.
     */
    private static DeadLetterReason decodeThenCheckSpec(byte[] value) {
        DecodedEvent record =
                EventDecoder.withoutSpecs(POLICIES, 4096)
                        .decode("events", 1, 7, 99, new byte[] {1}, value);
        if (!record.isValid()) {
            return record.deadLetter().reason;
        }
        LoggedEvent event = record.event();
        PolicySpec spec = POLICIES.get(event.policyId());
        try {
            if (spec == null) {
                throw EventValidator.unknownPolicy(event.policyId());
            }
            float[] features = event.features();
            EventValidator.checkAgainst(
                    spec,
                    features != null,
                    features == null ? 0 : features.length,
                    event.actions(),
                    event.actions().length,
                    false);
            return null;
        } catch (EventRejection rejection) {
            return rejection.reason();
        }
    }

    private DecodedEvent decode(String json) {
        return decoder.decode("events", 2, 99, 123L, null, json.getBytes(StandardCharsets.UTF_8));
    }
}
