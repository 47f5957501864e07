package org.flinkreinforce.formats.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.Test;

/**
 * Decisions and rewards in JSON v1 and binary v1: pinned bytes, round trips, every rejection, and a
 * decision's shared fields decoded exactly as an event's.
 */
class DecisionAndRewardFormatTest {

    private static final Map<String, PolicySpec> POLICIES =
            Map.of("recs", PolicySpec.parse("recs:3:10"), "nas", PolicySpec.parse("nas:0:6,6,4,4"));

    private final DecisionDecoder decisions = new DecisionDecoder(POLICIES, 4096);
    private final DecisionDecoder decisionsByJackson =
            new DecisionDecoder(new EventDecoder(RecordKind.DECISION, POLICIES, true, 4096, false));
    private final RewardDecoder rewards = new RewardDecoder(4096);
    private final RewardDecoder rewardsByJackson =
            new RewardDecoder(new EventDecoder(RecordKind.REWARD, Map.of(), false, 4096, false));
    private final EventDecoder events = new EventDecoder(POLICIES, 4096);

    /** A decision with every optional field but the baseline key (the policy id, its default). */
    private static LoggedDecision decision() {
        return new LoggedDecision(
                "recs",
                new float[] {1.5f, -0.0f, 3e-8f},
                new int[] {4},
                0.125f,
                17,
                "recs",
                "d-1",
                1_764_201_600_123L);
    }

    // Written from the byte table in docs/wire-formats.md, not by the encoder.
    private static final String DECISION_BINARY =
            "b8 01 1b" // magic, version, flags: propensity, policyVersion, eventId, timestamp
                    + " 04 00 72 65 63 73" // policyId "recs"
                    + " 03 00 00 00 00 00 c0 3f 00 00 00 80 59 d9 00 33" // 3 features
                    + " 01 00 04 00 00 00" // 1 action: 4
                    + " 00 00 00 3e" // propensity 0.125
                    + " 11 00 00 00 00 00 00 00" // policyVersion 17
                    + " 03 00 64 2d 31" // eventId "d-1"
                    + " 7b 14 9c c2 9a 01 00 00"; // timestamp 1764201600123

    private static final String DECISION_JSON =
            "{\"v\":1,\"policyId\":\"recs\",\"features\":[1.5,-0.0,3.0E-8],\"actions\":[4],"
                    + "\"propensity\":0.125,\"policyVersion\":17,\"eventId\":\"d-1\","
                    + "\"timestamp\":1764201600123}";

    private static final LoggedReward REWARD =
            new LoggedReward("d-1", -2.75, "recs", 1_764_201_600_999L);

    private static final String REWARD_BINARY =
            "b9 01 03" // magic, version, flags: policyId, timestamp
                    + " 03 00 64 2d 31" // eventId "d-1"
                    + " 00 00 00 00 00 00 06 c0" // reward -2.75
                    + " 04 00 72 65 63 73" // policyId "recs"
                    + " e7 17 9c c2 9a 01 00 00"; // timestamp 1764201600999

    private static final String REWARD_JSON =
            "{\"v\":1,\"eventId\":\"d-1\",\"reward\":-2.75,\"policyId\":\"recs\","
                    + "\"timestamp\":1764201600999}";

    private static final LoggedReward REWARD_WITHOUT_POLICY =
            new LoggedReward("d-1", 0.5, null, 1_764_201_600_999L);

    private static final String REWARD_WITHOUT_POLICY_BINARY =
            "b9 01 02 03 00 64 2d 31 00 00 00 00 00 00 e0 3f e7 17 9c c2 9a 01 00 00";

    @Test
    void shouldWriteAndReadTheBinaryDecisionBytesOfVersion1() {
        byte[] expected = hex(DECISION_BINARY);
        assertThat(EventFormat.BINARY.encode(decision())).isEqualTo(expected);
        assertThat(decodeDecision(expected)).isEqualTo(decision());
    }

    @Test
    void shouldWriteAndReadTheBinaryRewardBytesOfVersion1() {
        assertThat(EventFormat.BINARY.encode(REWARD)).isEqualTo(hex(REWARD_BINARY));
        assertThat(decodeReward(hex(REWARD_BINARY))).isEqualTo(REWARD);
        assertThat(EventFormat.BINARY.encode(REWARD_WITHOUT_POLICY))
                .isEqualTo(hex(REWARD_WITHOUT_POLICY_BINARY));
        assertThat(decodeReward(hex(REWARD_WITHOUT_POLICY_BINARY)))
                .isEqualTo(REWARD_WITHOUT_POLICY);
    }

    @Test
    void shouldWriteAndReadTheJsonBytesOfVersion1() {
        assertThat(text(EventFormat.JSON.encode(decision()))).isEqualTo(DECISION_JSON);
        assertThat(decodeDecision(utf8(DECISION_JSON))).isEqualTo(decision());
        assertThat(text(EventFormat.JSON.encode(REWARD))).isEqualTo(REWARD_JSON);
        assertThat(decodeReward(utf8(REWARD_JSON))).isEqualTo(REWARD);
        assertThat(text(EventFormat.JSON.encode(REWARD_WITHOUT_POLICY)))
                .isEqualTo(
                        "{\"v\":1,\"eventId\":\"d-1\",\"reward\":0.5,\"timestamp\":1764201600999}");
    }

    @Test
    void shouldRoundTripEveryShapeInBothFormats() {
        LoggedDecision withKey =
                new LoggedDecision(
                        "recs",
                        new float[] {Float.MIN_VALUE, -3.4028235e38f, 0f},
                        new int[] {9},
                        1e-7f,
                        0,
                        "s\u00e9gment",
                        "id-\u4e16",
                        -5L);
        LoggedDecision nas =
                new LoggedDecision(
                        "nas",
                        new float[0],
                        new int[] {5, 0, 3, 1},
                        LoggedEvent.ON_POLICY,
                        LoggedEvent.UNKNOWN_VERSION,
                        "nas",
                        "n-1",
                        0L);
        LoggedReward unicode = new LoggedReward("id-\u4e16", -1e300, "p\u00fc", Long.MIN_VALUE);
        for (EventFormat format : EventFormat.values()) {
            for (LoggedDecision decision : new LoggedDecision[] {decision(), withKey, nas}) {
                assertThat(decodeDecision(format.encode(decision)))
                        .as(format.name())
                        .isEqualTo(decision);
            }
            for (LoggedReward reward :
                    new LoggedReward[] {REWARD, REWARD_WITHOUT_POLICY, unicode}) {
                assertThat(decodeReward(format.encode(reward))).as(format.name()).isEqualTo(reward);
            }
        }
    }

    @Test
    void shouldFillTheDefaultsOfADecisionAndAReward() {
        LoggedDecision decision =
                decodeDecision(
                        utf8("{\"policyId\":\"nas\",\"actions\":[5,0,3,1],\"eventId\":\"x\"}"));
        assertThat(decision.features()).isEmpty();
        assertThat(decision.hasPropensity()).isFalse();
        assertThat(decision.policyVersion()).isEqualTo(LoggedEvent.UNKNOWN_VERSION);
        assertThat(decision.baselineKey()).isEqualTo("nas");
        assertThat(decision.timestamp()).isEqualTo(99L);
        LoggedReward reward =
                decodeReward(utf8("{\"eventId\":\"x\",\"reward\":3,\"policyId\":null}"));
        assertThat(reward).isEqualTo(new LoggedReward("x", 3.0, null, 99L));
    }

    @Test
    void shouldSkipTheRewardOfADecisionAndTheEventFieldsOfARewardAsUnknownFields() {
        // An event is a decision with a reward: on the decisions topic its reward is skipped,
        // whatever it is, as any unknown field is.
        for (String reward : new String[] {"1.5", "NaN", "\"text\"", "null", "{\"a\":[1]}"}) {
            String json =
                    "{\"policyId\":\"nas\",\"actions\":[5,0,3,1],\"reward\":"
                            + reward
                            + ",\"eventId\":\"x\",\"timestamp\":7}";
            assertThat(decodeDecision(utf8(json)))
                    .as(json)
                    .isEqualTo(
                            decodeDecision(
                                    utf8(
                                            "{\"policyId\":\"nas\",\"actions\":[5,0,3,1],\"eventId\":\"x\",\"timestamp\":7}")));
            assertThat(decisionsByJackson.decode("t", 0, 0, 99L, null, utf8(json)).record())
                    .as(json)
                    .isNotNull();
        }
        String json =
                "{\"eventId\":\"x\",\"reward\":2,\"features\":\"not an array\",\"action\":-1,"
                        + "\"propensity\":7,\"policyVersion\":-3,\"baselineKey\":9,\"policyId\":\"unknown\"}";
        assertThat(decodeReward(utf8(json))).isEqualTo(new LoggedReward("x", 2.0, "unknown", 99L));
    }

    @Test
    void shouldRejectADecisionOrARewardWithoutAnEventId() {
        assertRejected(
                decisions.decode(
                        "t", 0, 0, 0, null, utf8("{\"policyId\":\"nas\",\"actions\":[5,0,3,1]}")),
                DeadLetterReason.MISSING_FIELD,
                "The field eventId is missing; a decision needs one: its rewards name it.");
        // The binary decision without the event id's flag and bytes.
        byte[] binary =
                hex(DECISION_BINARY.replace("b8 01 1b", "b8 01 13").replace(" 03 00 64 2d 31", ""));
        assertRejected(
                decisions.decode("t", 0, 0, 0, null, binary),
                DeadLetterReason.MISSING_FIELD,
                "The field eventId is missing; a decision needs one: its rewards name it.");
        assertRejected(
                rewards.decode("t", 0, 0, 0, null, utf8("{\"reward\":1,\"policyId\":\"recs\"}")),
                DeadLetterReason.MISSING_FIELD,
                "The field eventId is missing; a reward needs one: it names the decision.");
    }

    @Test
    void shouldRejectARewardWithoutAFiniteReward() {
        assertRejected(
                rewards.decode("t", 0, 0, 0, null, utf8("{\"eventId\":\"x\",\"timestamp\":5}")),
                DeadLetterReason.MISSING_FIELD,
                "The field reward is missing.");
        for (String reward : new String[] {"NaN", "Infinity", "-Infinity", "1e999"}) {
            byte[] json = utf8("{\"eventId\":\"x\",\"reward\":" + reward + "}");
            assertThat(rewards.decode("t", 0, 0, 0, null, json).deadLetter().reason)
                    .as(reward)
                    .isEqualTo(DeadLetterReason.NON_FINITE);
        }
        assertThat(
                        rewards.decode(
                                        "t",
                                        0,
                                        0,
                                        0,
                                        null,
                                        utf8("{\"eventId\":\"x\",\"reward\":\"1\"}"))
                                .deadLetter()
                                .reason)
                .isEqualTo(DeadLetterReason.WRONG_TYPE);
        for (double reward : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1.0 / 0.0}) {
            byte[] binary = EventFormat.BINARY.encode(new LoggedReward("x", reward, null, 1L));
            assertRejected(
                    rewards.decode("t", 0, 0, 0, null, binary),
                    DeadLetterReason.NON_FINITE,
                    "The reward is not finite (" + reward + ").");
        }
    }

    @Test
    void shouldRejectEveryMalformedBinaryDecisionAndReward() {
        for (String golden : new String[] {DECISION_BINARY, REWARD_BINARY}) {
            byte[] good = hex(golden);
            for (int length = 1; length < good.length; length++) {
                assertReason(Arrays.copyOf(good, length), DeadLetterReason.MALFORMED_BINARY);
            }
            assertReason(Arrays.copyOf(good, good.length + 1), DeadLetterReason.MALFORMED_BINARY);
            byte[] flags = good.clone();
            flags[2] |= (byte) 0x80;
            assertReason(flags, DeadLetterReason.MALFORMED_BINARY);
            byte[] version = good.clone();
            version[1] = 3;
            assertReason(version, DeadLetterReason.UNSUPPORTED_VERSION);
        }
        // Bit 2 is the baseline key's in an event and a decision, no field's in a reward.
        byte[] rewardFlags = hex(REWARD_BINARY);
        rewardFlags[2] |= 4;
        assertRejected(
                rewards.decode("t", 0, 0, 0, null, rewardFlags),
                DeadLetterReason.MALFORMED_BINARY,
                "Unknown flags 111.");
        assertRejected(
                decisions.decode("t", 0, 0, 0, null, Arrays.copyOf(hex(DECISION_BINARY), 50)),
                DeadLetterReason.MALFORMED_BINARY,
                "The decision is truncated.");
        assertRejected(
                rewards.decode("t", 0, 0, 0, null, Arrays.copyOf(hex(REWARD_BINARY), 31)),
                DeadLetterReason.MALFORMED_BINARY,
                "1 unexpected bytes after the reward.");
        byte[] version = hex(DECISION_BINARY);
        version[1] = 3;
        assertRejected(
                decisions.decode("t", 0, 0, 0, null, version),
                DeadLetterReason.UNSUPPORTED_VERSION,
                "Binary decision format version 3 is not supported; this learner reads versions 1"
                        + " and 2.");
        byte[] rewardVersion = hex(REWARD_BINARY);
        rewardVersion[1] = 2;
        assertRejected(
                rewards.decode("t", 0, 0, 0, null, rewardVersion),
                DeadLetterReason.UNSUPPORTED_VERSION,
                "Binary reward format version 2 is not supported; this learner reads version 1.");
        assertRejected(
                rewards.decode(
                        "t", 0, 0, 0, null, utf8("{\"v\":2,\"eventId\":\"x\",\"reward\":1}")),
                DeadLetterReason.UNSUPPORTED_VERSION,
                "Reward format version 2 is not supported; this learner reads version 1.");
    }

    @Test
    void shouldRejectInvalidUtf8InEitherFormat() {
        // "d-1" becomes d, a lead byte, 1: the lead byte lacks its continuation.
        byte[] decision = hex(DECISION_BINARY.replace("03 00 64 2d 31", "03 00 64 c3 31"));
        assertRejected(
                decisions.decode("t", 0, 0, 0, null, decision),
                DeadLetterReason.MALFORMED_BINARY,
                "A string is not valid UTF-8.");
        byte[] reward = hex(REWARD_BINARY.replace("04 00 72 65 63 73", "04 00 72 ff 63 73"));
        assertRejected(
                rewards.decode("t", 0, 0, 0, null, reward),
                DeadLetterReason.MALFORMED_BINARY,
                "A string is not valid UTF-8.");
        byte[] json = utf8("{\"eventId\":\"x\u00e9\",\"reward\":1}");
        json[json.length - 14] = (byte) 0xC3; // the continuation byte of \u00e9 made a lead byte
        assertThat(rewards.decode("t", 0, 0, 0, null, json).deadLetter().reason)
                .isEqualTo(DeadLetterReason.MALFORMED_JSON);
    }

    @Test
    void shouldRejectABinaryRecordOfAnotherKindAsSentToTheWrongTopic() {
        byte[] event = EventFormat.BINARY.encode(decision().withReward(1.0));
        byte[] decision = hex(DECISION_BINARY);
        byte[] reward = hex(REWARD_BINARY);
        assertSentToTheWrongTopic(
                decisions.decode("t", 0, 0, 0, null, event),
                "an event in binary (first byte 0xB7), not a decision");
        assertSentToTheWrongTopic(
                decisions.decode("t", 0, 0, 0, null, reward),
                "a reward in binary (first byte 0xB9), not a decision");
        assertSentToTheWrongTopic(
                rewards.decode("t", 0, 0, 0, null, event),
                "an event in binary (first byte 0xB7), not a reward");
        assertSentToTheWrongTopic(
                rewards.decode("t", 0, 0, 0, null, decision),
                "a decision in binary (first byte 0xB8), not a reward");
        for (byte[] other : new byte[][] {decision, reward}) {
            DeadLetter letter = events.decode("t", 0, 0, 0, null, other).deadLetter();
            assertThat(letter.reason).isEqualTo(DeadLetterReason.MALFORMED_BINARY);
            assertThat(letter.detail).endsWith("not an event: was it sent to the wrong topic?");
        }
    }

    @Test
    void shouldLimitTheEventIdTo256Characters() {
        String longest = "i".repeat(256);
        assertThat(
                        decodeReward(
                                        EventFormat.BINARY.encode(
                                                new LoggedReward(longest, 1, null, 0)))
                                .eventId())
                .isEqualTo(longest);
        for (EventFormat format : EventFormat.values()) {
            byte[] reward = format.encode(new LoggedReward(longest + "i", 1, null, 0));
            assertThat(rewards.decode("t", 0, 0, 0, null, reward).deadLetter().reason)
                    .isEqualTo(DeadLetterReason.TOO_LARGE);
            LoggedDecision d = decision();
            byte[] decision =
                    format.encode(
                            new LoggedDecision(
                                    d.policyId(),
                                    d.features(),
                                    d.actions(),
                                    d.propensity(),
                                    d.policyVersion(),
                                    d.baselineKey(),
                                    longest + "i",
                                    d.timestamp()));
            assertThat(decisions.decode("t", 0, 0, 0, null, decision).deadLetter().reason)
                    .isEqualTo(DeadLetterReason.TOO_LARGE);
        }
    }

    /**
     * The fields a decision shares with an event, in random spellings, valid and not: where the
     * event decodes, the decision decodes to the same fields bit for bit (features, actions,
     * propensity, version, baseline key, id, timestamp); where it does not, the decision is
     * rejected for the same reason with the same detail. The Jackson path must agree as well.
     */
    @Test
    void shouldDecodeADecisionsFieldsExactlyAsAnEventsInJson() {
        Random random = new Random(21);
        int valid = 0;
        for (int k = 0; k < 5_000; k++) {
            String fields = sharedFields(random);
            byte[] event = utf8("{" + fields + ",\"reward\":0.75}");
            byte[] decision = utf8("{" + fields + "}");
            assertSameFields(event, decision, 0.75);
            if (decisions.decode("t", 1, 2, 3L, null, decision).isValid()) {
                valid++;
            }
            Decoded<LoggedDecision> byJackson =
                    decisionsByJackson.decode("t", 1, 2, 3L, null, decision);
            Decoded<LoggedDecision> fast = decisions.decode("t", 1, 2, 3L, null, decision);
            assertThat(byJackson.isValid()).isEqualTo(fast.isValid());
            if (fast.isValid()) {
                assertThat(byJackson.record()).isEqualTo(fast.record());
            }
        }
        // Both outcomes are covered.
        assertThat(valid).isBetween(1_000, 4_000);
    }

    @Test
    void shouldDecodeADecisionsFieldsExactlyAsAnEventsInBinary() {
        Random random = new Random(22);
        for (int k = 0; k < 5_000; k++) {
            float[] features = new float[2 + random.nextInt(3)];
            for (int j = 0; j < features.length; j++) {
                features[j] = Float.intBitsToFloat(random.nextInt()); // NaN and infinities too
            }
            float[] propensities = {0.3f, 1f, 0f, 1.5f, Float.NaN, Float.MIN_VALUE};
            LoggedDecision decision =
                    new LoggedDecision(
                            random.nextBoolean() ? "recs" : "other",
                            features,
                            new int[] {random.nextInt(12) - 1},
                            propensities[random.nextInt(propensities.length)],
                            random.nextInt(3) - 1,
                            random.nextBoolean() ? null : "k" + random.nextInt(9),
                            "e-" + k,
                            random.nextLong());
            assertSameFields(
                    EventFormat.BINARY.encode(decision.withReward(-0.5)),
                    EventFormat.BINARY.encode(decision),
                    -0.5);
        }
    }

    private void assertSameFields(byte[] event, byte[] decision, double reward) {
        DecodedEvent expected = events.decode("t", 1, 2, 3L, null, event);
        Decoded<LoggedDecision> actual = decisions.decode("t", 1, 2, 3L, null, decision);
        String text = new String(decision, StandardCharsets.ISO_8859_1);
        assertThat(actual.isValid()).as(text).isEqualTo(expected.isValid());
        if (expected.isValid()) {
            assertThat(actual.record().withReward(reward)).as(text).isEqualTo(expected.event());
        } else {
            assertThat(actual.deadLetter().reason).as(text).isEqualTo(expected.deadLetter().reason);
            assertThat(actual.deadLetter().detail).as(text).isEqualTo(expected.deadLetter().detail);
        }
    }

    /** A decision's fields as JSON (no braces), for policy recs:3:10, some of them invalid. */
    private static String sharedFields(Random random) {
        StringBuilder json = new StringBuilder();
        json.append("\"policyId\":").append(random.nextInt(20) == 0 ? "\"other\"" : "\"recs\"");
        json.append(",\"features\":[");
        int count = random.nextInt(12) == 0 ? 2 : 3;
        for (int j = 0; j < count; j++) {
            json.append(j == 0 ? "" : ",").append(number(random));
        }
        json.append("]");
        String[] actions = {
            "\"action\":3", "\"actions\":[9]", "\"action\":10", "\"actions\":[1,2]"
        };
        json.append(',')
                .append(
                        actions[
                                random.nextInt(10) < 7
                                        ? random.nextInt(2)
                                        : 2 + random.nextInt(2)]);
        String[] propensities = {"0.2", "1", "1e-45", "0.30000000000000004", "0", "1.5", "-0.0"};
        if (random.nextBoolean()) {
            json.append(",\"propensity\":")
                    .append(propensities[random.nextInt(propensities.length)]);
        }
        if (random.nextBoolean()) {
            json.append(",\"policyVersion\":")
                    .append(random.nextInt(10) == 0 ? -1 : random.nextInt(1000));
        }
        if (random.nextBoolean()) {
            json.append(",\"baselineKey\":\"")
                    .append(random.nextInt(20) == 0 ? "b".repeat(257) : "seg-\u00e9")
                    .append('"');
        }
        json.append(",\"eventId\":\"e-").append(random.nextInt(1000)).append('"');
        if (random.nextBoolean()) {
            json.append(",\"timestamp\":").append(random.nextLong() >> random.nextInt(64));
        }
        return json.toString();
    }

    /** A number as producers write them, now and then one that overflows float32. */
    private static String number(Random random) {
        double value = random.nextGaussian() * Math.pow(10, random.nextInt(80) - 40);
        switch (random.nextInt(4)) {
            case 0:
                return Float.toString((float) value).replace("Infinity", "1");
            case 1:
                return Double.toString(value);
            case 2:
                return String.format(Locale.ROOT, "%." + random.nextInt(20) + "e", value);
            default:
                return random.nextInt(40) == 0 ? "1e39" : Long.toString(Math.round(value));
        }
    }

    private LoggedDecision decodeDecision(byte[] value) {
        Decoded<LoggedDecision> decoded = decisions.decode("t", 0, 0, 99L, null, value);
        assertThat(decoded.isValid()).as(String.valueOf(decoded.deadLetter())).isTrue();
        return decoded.record();
    }

    private LoggedReward decodeReward(byte[] value) {
        Decoded<LoggedReward> decoded = rewards.decode("t", 0, 0, 99L, null, value);
        assertThat(decoded.isValid()).as(String.valueOf(decoded.deadLetter())).isTrue();
        Decoded<LoggedReward> byJackson = rewardsByJackson.decode("t", 0, 0, 99L, null, value);
        assertThat(byJackson.record()).isEqualTo(decoded.record());
        return decoded.record();
    }

    /** Decodes with the decoder of its kind (by the first byte) and checks the reason. */
    private void assertReason(byte[] bytes, DeadLetterReason reason) {
        Decoded<?> decoded =
                bytes[0] == EventFormat.BINARY_REWARD_MAGIC
                        ? rewards.decode("t", 0, 0, 0, null, bytes)
                        : decisions.decode("t", 0, 0, 0, null, bytes);
        assertThat(decoded.isValid()).as(Arrays.toString(bytes)).isFalse();
        assertThat(decoded.deadLetter().reason).as(decoded.deadLetter().detail).isEqualTo(reason);
    }

    /**
     * {@code kinds}: the text between "The record is " and the question, e.g. "a reward in ...".
     */
    private static void assertSentToTheWrongTopic(Decoded<?> decoded, String kinds) {
        assertRejected(
                decoded,
                DeadLetterReason.MALFORMED_BINARY,
                "The record is " + kinds + ": was it sent to the wrong topic?");
    }

    private static void assertRejected(Decoded<?> decoded, DeadLetterReason reason, String detail) {
        assertThat(decoded.isValid()).isFalse();
        assertThat(decoded.deadLetter().reason).isEqualTo(reason);
        assertThat(decoded.deadLetter().detail).isEqualTo(detail);
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
