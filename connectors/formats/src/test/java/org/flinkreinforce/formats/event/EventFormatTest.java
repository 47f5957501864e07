package org.flinkreinforce.formats.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.Test;

/**
 * The JSON fast path against Jackson, and the binary format: both must decode exactly what the
 * reference path decodes, and classify everything else.
 */
class EventFormatTest {

    private static final Map<String, PolicySpec> POLICIES =
            Map.of("recs", PolicySpec.parse("recs:3:10"), "nas", PolicySpec.parse("nas:0:6,6,4,4"));

    private final EventDecoder fast = new EventDecoder(POLICIES, 4096);
    private final EventDecoder jackson = new EventDecoder(POLICIES, 4096, false);

    @Test
    void shouldDecodeNumbersInEverySpellingExactlyAsJacksonDoes() {
        Random random = new Random(7);
        int fastAccepted = 0;
        for (int k = 0; k < 20_000; k++) {
            String[] numbers = new String[4];
            for (int j = 0; j < numbers.length; j++) {
                numbers[j] = spelling(random);
            }
            String json =
                    "{\"policyId\":\"recs\",\"features\":["
                            + numbers[0]
                            + ", "
                            + numbers[1]
                            + ","
                            + numbers[2]
                            + "],\"action\":3,\"reward\":"
                            + numbers[3]
                            + "}";
            if (assertSame(json.getBytes(StandardCharsets.UTF_8))) {
                fastAccepted++;
            }
        }
        // Only numbers that overflow float32 leave the fast path.
        assertThat(fastAccepted).isGreaterThan(18_000);
    }

    @Test
    void shouldAgreeWithJacksonOnMutatedEvents() {
        Random random = new Random(11);
        byte[] valid =
                ("{\"v\":1, \"policyId\":\"recs\",\"features\":[0.5,-1,2e-3],\"action\":7,"
                                + "\"reward\":1.25,\"propensity\":0.2,\"policyVersion\":3,"
                                + "\"baselineKey\":\"u\",\"eventId\":\"e-1\",\"timestamp\":17}\n")
                        .getBytes(StandardCharsets.UTF_8);
        String alphabet = "{}[],:\"0123456789.-+eEnNul \\\u00e9";
        int fastAccepted = 0;
        for (int k = 0; k < 100_000; k++) {
            byte[] bytes = EventSamples.mutate(valid, random, 3, alphabet, true);
            if (assertSame(bytes)) {
                fastAccepted++;
            }
        }
        assertThat(fastAccepted).isPositive();
    }

    /**
     * The joint propensity of many heads (40 heads of 20 options: 9e-53) is far below float32's
     * range: JSON carries it as a double, binary as version 2 with an f64; both decode it exactly,
     * and an ordinary propensity stays binary version 1.
     */
    @Test
    void shouldCarryAPropensityBelowFloat32sRangeInBothFormats() {
        double tiny = Math.pow(1.0 / 20, 40);
        int[] actions = {1, 2, 3, 0};
        LoggedEvent event =
                new LoggedEvent("nas", new float[0], actions, 0.75, tiny, 4, "nas", "e-40", 9);
        for (EventFormat format : EventFormat.values()) {
            byte[] bytes = format.encode(event);
            for (EventDecoder decoder : new EventDecoder[] {fast, jackson}) {
                DecodedEvent decoded = decoder.decode("events", 0, 0, 0, null, bytes);
                assertThat(decoded.deadLetter()).as(format.toString()).isNull();
                assertThat(decoded.event().propensity()).isEqualTo(tiny);
            }
        }
        assertThat(EventFormat.BINARY.encode(event)[1]).isEqualTo((byte) 2);
        LoggedEvent ordinary =
                new LoggedEvent("nas", new float[0], actions, 0.75, 1e-30, 4, "nas", "e-1", 9);
        byte[] v1 = EventFormat.BINARY.encode(ordinary);
        assertThat(v1[1]).isEqualTo((byte) 1);
        assertThat(fast.decode("events", 0, 0, 0, null, v1).event().propensity())
                .isEqualTo((float) 1e-30);
    }

    @Test
    void shouldTakeTheFastPathForWhatTheEncoderWrites() {
        LoggedEvent event = EventSamples.recommender(-2.5123456789012345);
        EventDraft draft = new EventDraft();
        draft.reset(0L);
        assertThat(
                        new FastJsonEventReader(POLICIES.keySet())
                                .read(JsonEventEncoder.encode(event), draft))
                .isTrue();
        assertThat(fast.decode("t", 0, 0, 1, null, JsonEventEncoder.encode(event)).event())
                .isEqualTo(event);
    }

    @Test
    void shouldRoundTripTheBinaryFormat() {
        LoggedEvent full =
                new LoggedEvent(
                        "recs",
                        new float[] {1.5f, -0.0f, Float.MIN_VALUE},
                        new int[] {9},
                        -2.5e300,
                        1e-7f,
                        4,
                        "s\u00e9gment",
                        "id-\u4e16",
                        55L);
        assertThat(fast.decode("t", 0, 0, 1, null, BinaryEventCodec.encode(full)).event())
                .isEqualTo(full);
        LoggedEvent minimal =
                new LoggedEvent(
                        "nas",
                        new float[0],
                        new int[] {5, 0, 3, 1},
                        0.91,
                        LoggedEvent.ON_POLICY,
                        LoggedEvent.UNKNOWN_VERSION,
                        null,
                        null,
                        123L);
        EventSamples.assertNasEventWithDefaults(
                fast.decode("events", 2, 99, 7, null, BinaryEventCodec.encode(minimal)).event());
        assertThat(BinaryEventCodec.encode(full).length)
                .isLessThan(JsonEventEncoder.encode(full).length);
    }

    @Test
    void shouldClassifyEveryKindOfBadBinaryEvent() {
        byte[] good = with(unchanged -> {});
        for (int length = 1; length < good.length; length++) {
            assertReason(Arrays.copyOf(good, length), DeadLetterReason.MALFORMED_BINARY);
        }
        assertReason(Arrays.copyOf(good, good.length + 1), DeadLetterReason.MALFORMED_BINARY);
        byte[] version = good.clone();
        version[1] = 3;
        assertReason(version, DeadLetterReason.UNSUPPORTED_VERSION);
        assertThat(fast.decode("events", 0, 0, 0, null, version).deadLetter().detail)
                .isEqualTo(
                        "Binary event format version 3 is not supported;"
                                + " this learner reads versions 1 and 2.");
        byte[] json = "{\"v\":2}".getBytes(StandardCharsets.UTF_8);
        assertThat(fast.decode("events", 0, 0, 0, null, json).deadLetter().detail)
                .isEqualTo(
                        "Event format version 2 is not supported; this learner reads version 1.");
        byte[] flags = good.clone();
        flags[2] |= (byte) 0x80;
        assertReason(flags, DeadLetterReason.MALFORMED_BINARY);
        byte[] hugeCount = good.clone();
        BinaryEventCodec.INT.set(hugeCount, 3 + 2 + 4, Integer.MAX_VALUE);
        assertReason(hugeCount, DeadLetterReason.MALFORMED_BINARY);
        byte[] negativeCount = good.clone();
        BinaryEventCodec.INT.set(negativeCount, 3 + 2 + 4, -1);
        assertReason(negativeCount, DeadLetterReason.MALFORMED_BINARY);

        assertReason(with(e -> e.reward = Double.NaN), DeadLetterReason.NON_FINITE);
        assertReason(with(e -> e.reward = Double.NEGATIVE_INFINITY), DeadLetterReason.NON_FINITE);
        assertReason(with(e -> e.features[1] = Float.NaN), DeadLetterReason.NON_FINITE);
        assertReason(with(e -> e.propensity = 0f), DeadLetterReason.BAD_PROPENSITY);
        assertReason(with(e -> e.propensity = 1.5f), DeadLetterReason.BAD_PROPENSITY);
        assertReason(
                with(e -> e.propensity = Float.POSITIVE_INFINITY), DeadLetterReason.NON_FINITE);
        assertReason(with(e -> e.policyVersion = -5), DeadLetterReason.WRONG_TYPE);
        assertReason(with(e -> e.policyId = "other"), DeadLetterReason.UNKNOWN_POLICY);
        assertReason(
                with(e -> e.features = new float[] {1, 2}), DeadLetterReason.FEATURE_DIMENSION);
        assertReason(with(e -> e.actions = new int[] {1, 2}), DeadLetterReason.ACTION_COUNT);
        assertReason(with(e -> e.actions = new int[0]), DeadLetterReason.ACTION_COUNT);
        assertReason(with(e -> e.actions = new int[] {10}), DeadLetterReason.ACTION_OUT_OF_RANGE);
        assertReason(with(e -> e.actions = new int[] {-1}), DeadLetterReason.ACTION_OUT_OF_RANGE);
        byte[] badUtf8 = with(e -> e.eventId = "\u00e9\u00e9");
        badUtf8[badUtf8.length - 9] = (byte) 0xC3; // a lead byte where a continuation belongs
        assertReason(badUtf8, DeadLetterReason.MALFORMED_BINARY);
    }

    @Test
    void shouldClassifyRandomBinaryRecordsWithoutEverThrowing() {
        Random random = new Random(5);
        byte[] valid =
                BinaryEventCodec.encode(
                        new LoggedEvent(
                                "recs",
                                new float[] {1, 2, 3},
                                new int[] {1},
                                1.0,
                                0.5f,
                                2,
                                "k",
                                "e",
                                9L));
        for (int k = 0; k < 50_000; k++) {
            byte[] bytes;
            if (k % 2 == 0) {
                bytes = new byte[1 + random.nextInt(80)];
                random.nextBytes(bytes);
                bytes[0] = EventFormat.BINARY_MAGIC;
            } else {
                bytes = valid.clone();
                for (int m = 0; m < 1 + random.nextInt(3); m++) {
                    bytes[1 + random.nextInt(bytes.length - 1)] = (byte) random.nextInt(256);
                }
            }
            DecodedEvent record = fast.decode("events", 0, k, 0, null, bytes);
            assertThat(record.isValid() ^ record.deadLetter() != null).isTrue();
            if (record.isValid()) {
                for (float f : record.event().features()) {
                    assertThat(Float.isFinite(f)).isTrue();
                }
                assertThat(Double.isFinite(record.event().reward())).isTrue();
                assertThat(record.event().actions()[0]).isBetween(0, 9);
            }
        }
    }

    /** Decodes with and without the fast path; true where the fast path alone accepted it. */
    private boolean assertSame(byte[] bytes) {
        DecodedEvent expected = jackson.decode("events", 1, 5, 99, null, bytes);
        DecodedEvent actual = fast.decode("events", 1, 5, 99, null, bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(actual.isValid()).as(text).isEqualTo(expected.isValid());
        if (expected.isValid()) {
            assertThat(actual.event()).as(text).isEqualTo(expected.event());
        } else {
            assertThat(actual.deadLetter().reason).as(text).isEqualTo(expected.deadLetter().reason);
            assertThat(actual.deadLetter().detail).as(text).isEqualTo(expected.deadLetter().detail);
        }
        EventDraft draft = new EventDraft();
        draft.reset(0L);
        return new FastJsonEventReader(POLICIES.keySet()).read(bytes, draft);
    }

    private void assertReason(byte[] bytes, DeadLetterReason reason) {
        DecodedEvent record = fast.decode("events", 0, 0, 0, null, bytes);
        assertThat(record.isValid()).as(Arrays.toString(bytes)).isFalse();
        assertThat(record.deadLetter().reason).as(record.deadLetter().detail).isEqualTo(reason);
    }

    /**
     * The binary encoding of a valid event of policy {@code recs} (features 1, 2, 3, action 1,
     * reward 1, propensity 0.5, version 2, id {@code e}, timestamp 9, no baseline key) after {@code
     * change}, to break one rule at a time.
     */
    private static byte[] with(Consumer<EventFields> change) {
        EventFields event = new EventFields();
        event.policyId = "recs";
        event.features = new float[] {1, 2, 3};
        event.actions = new int[] {1};
        event.reward = 1.0;
        event.propensity = 0.5f;
        event.policyVersion = 2;
        event.eventId = "e";
        event.timestamp = 9L;
        change.accept(event);
        return BinaryEventCodec.encode(event.toLogged());
    }

    /** A number as producers write them: short, long, exponents, integers, extremes. */
    private static String spelling(Random random) {
        double value = random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10);
        switch (random.nextInt(10)) {
            case 0:
                return Float.toString((float) value).replace("Infinity", "1");
            case 1:
                return Double.toString(value);
            case 2:
                return String.format(Locale.ROOT, "%.3f", value);
            case 3:
                return String.format(Locale.ROOT, "%." + random.nextInt(20) + "e", value);
            case 4:
                return Long.toString(random.nextLong() >> random.nextInt(64));
            case 5:
                return new BigDecimal(value).toPlainString();
            case 6:
                return random.nextBoolean() ? "0" : "-0.0";
            case 7:
                return (random.nextBoolean() ? "" : "-")
                        + random.nextInt(10)
                        + "."
                        + random.nextInt(1000)
                        + "E"
                        + (random.nextBoolean() ? "+" : "-")
                        + random.nextInt(50);
            case 8:
                return Double.toString(Double.MIN_VALUE * random.nextInt(1000))
                        .replace("E", random.nextBoolean() ? "e" : "E");
            default:
                return Float.toString(Float.MAX_VALUE * (random.nextFloat() - 0.5f) * 2.01f)
                        .replace("Infinity", "3.5e38");
        }
    }
}
