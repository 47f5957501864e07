package org.flinkreinforce.formats.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

/**
 * The JSON fast path against the Jackson reader it stands in for: whatever it accepts it reads
 * exactly as Jackson does (hashes, float bits, every field), it accepts everything the client
 * writes, and it leaves every doubtful record to Jackson.
 */
class FastJsonRankingReaderTest {

    private static final RankerSpec SHOP =
            new RankerSpec("shop", 18, 7, Interaction.parseList("*:*"), 8, 64);
    private static final RankerSpec NEWS =
            new RankerSpec("news", 20, -3, Interaction.parseList("*:*"), 8, 64);
    private static final Map<String, RankerSpec> POLICIES = Map.of("shop", SHOP, "news", NEWS);

    private static final String ALPHANUMERIC =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";

    @Test
    void shouldReadEverythingTheClientWritesExactlyAsJacksonDoes() throws Exception {
        Random random = new Random(11);
        FastJsonRankingReader reader = new FastJsonRankingReader();
        for (int trial = 0; trial < 2_000; trial++) {
            LoggedRanking ranking = randomRanking(random);
            for (boolean decision : new boolean[] {false, true}) {
                if (decision && ranking.eventId() == null) {
                    continue;
                }
                byte[] json = RankingCodec.toJson(ranking);
                for (byte[] value : List.of(json, spaced(json, random))) {
                    RankedDecision fast = reader.read(value, POLICIES, decision);
                    assertThat(fast).as(new String(value, StandardCharsets.UTF_8)).isNotNull();
                    assertThat(describe(fast))
                            .isEqualTo(
                                    describe(
                                            RankingCodec.readJsonWithJackson(
                                                    value, POLICIES, decision)));
                }
            }
        }
    }

    /**
     * Random edits of valid records: wherever the fast path still reads one, Jackson reads it too,
     * to the same decision; the rest it leaves to Jackson.
     */
    @Test
    void shouldReadAnEditedRecordOnlyWhereJacksonReadsItTheSame() {
        Random random = new Random(5);
        FastJsonRankingReader reader = new FastJsonRankingReader();
        byte[] edits = "{}[]\",:0123456789.eE-+ naxyz\\".getBytes(StandardCharsets.US_ASCII);
        int accepted = 0;
        int trials = 20_000;
        for (int trial = 0; trial < trials; trial++) {
            byte[] value = RankingCodec.toJson(randomRanking(random));
            for (int k = 1 + random.nextInt(2); k > 0; k--) {
                value = edit(value, random, edits);
            }
            RankedDecision fast = reader.read(value, POLICIES, false);
            if (fast == null) {
                continue;
            }
            accepted++;
            byte[] edited = value;
            String text = new String(edited, StandardCharsets.UTF_8);
            EventRejection rejection =
                    catchThrowableOfType(
                            EventRejection.class,
                            () -> RankingCodec.readJsonWithJackson(edited, POLICIES, false));
            assertThat(rejection).as(text).isNull();
            try {
                assertThat(describe(fast))
                        .as(text)
                        .isEqualTo(
                                describe(
                                        RankingCodec.readJsonWithJackson(edited, POLICIES, false)));
            } catch (EventRejection e) {
                throw new AssertionError(e);
            }
        }
        // Edits inside names, values and whitespace keep many records readable.
        assertThat(accepted).isBetween(trials / 20, trials - trials / 20);
    }

    @Test
    void shouldLeaveDoubtfulRecordsToJackson() throws Exception {
        FastJsonRankingReader reader = new FastJsonRankingReader();
        String candidates = "\"candidates\":[{\"features\":{\"item\":{\"id\":\"1\"}}}]";
        String[] doubtful = {
            // The seed is not known when the features come.
            "{" + candidates + ",\"policyId\":\"shop\",\"chosen\":0,\"reward\":1}",
            // Unknown fields, escapes, non-ASCII, a policy not configured.
            "{\"policyId\":\"shop\",\"extra\":[1],\"candidates\":[{}],\"chosen\":0,\"reward\":1}",
            "{\"policyId\":\"shop\",\"shared\":{\"u\":{\"c\\u0041\":\"DE\"}},\"candidates\":[{}],"
                    + "\"chosen\":0,\"reward\":1}",
            "{\"policyId\":\"shop\",\"shared\":{\"u\":{\"city\":\"Köln\"}},\"candidates\":[{}],"
                    + "\"chosen\":0,\"reward\":1}",
            "{\"policyId\":\"other\",\"candidates\":[{}],\"chosen\":0,\"reward\":1}",
            // Repeated fields, namespaces and feature names; empty namespaces.
            "{\"policyId\":\"shop\",\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,"
                    + "\"reward\":1}",
            "{\"policyId\":\"shop\",\"shared\":{\"u\":[1],\"u\":[2]},\"candidates\":[{}],"
                    + "\"chosen\":0,\"reward\":1}",
            "{\"policyId\":\"shop\",\"shared\":{\"u\":{\"a\":1,\"b\":2,\"a\":3}},"
                    + "\"candidates\":[{}],\"chosen\":0,\"reward\":1}",
            "{\"policyId\":\"shop\",\"shared\":{\"u\":{}},\"candidates\":[{}],\"chosen\":0,"
                    + "\"reward\":1}",
            "{\"policyId\":\"shop\",\"shared\":{\"u\":[]},\"candidates\":[{}],\"chosen\":0,"
                    + "\"reward\":1}",
            // More candidates than the policy takes; numbers past float32, null, a float chosen.
            "{\"policyId\":\"shop\",\"candidates\":[{},{},{},{},{},{},{},{},{}],\"chosen\":0,"
                    + "\"reward\":1}",
            "{\"policyId\":\"shop\",\"shared\":{\"u\":[1e39]},\"candidates\":[{}],\"chosen\":0,"
                    + "\"reward\":1}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"reward\":null}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0.0,\"reward\":1}",
            // Missing required fields, trailing content.
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"reward\":1}",
            "{\"policyId\":\"shop\",\"chosen\":0,\"reward\":1}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"reward\":1} {}",
        };
        for (String text : doubtful) {
            assertThat(reader.read(text.getBytes(StandardCharsets.UTF_8), POLICIES, false))
                    .as(text)
                    .isNull();
        }
        // What decode makes of some of them: Jackson's reading, as before the fast path.
        assertThat(describe(RankingCodec.decode(doubtful[0].getBytes(), POLICIES, false)))
                .isEqualTo(
                        describe(
                                RankingCodec.decode(
                                        ("{\"policyId\":\"shop\","
                                                        + candidates
                                                        + ",\"chosen\":0,\"reward\":1}")
                                                .getBytes(),
                                        POLICIES,
                                        false)));
        assertReason(doubtful[4], DeadLetterReason.UNKNOWN_POLICY);
        assertReason(doubtful[6], DeadLetterReason.MALFORMED_JSON);
        assertReason(doubtful[7], DeadLetterReason.MALFORMED_JSON);
        assertReason(doubtful[10], DeadLetterReason.CANDIDATE_COUNT);
        assertReason(doubtful[11], DeadLetterReason.NON_FINITE);
        assertReason(doubtful[15], DeadLetterReason.MISSING_FIELD);
    }

    /**
     * What the sources try first: a ranker record of the common shape read and checked at once, a
     * softmax policy's record never, even under a ranker's id.
     */
    @Test
    void shouldDecodeOnlyRankerRecordsOfTheCommonShapeAtOnce() throws Exception {
        Random random = new Random(29);
        for (int trial = 0; trial < 500; trial++) {
            LoggedRanking ranking = randomRanking(random);
            byte[] json = RankingCodec.toJson(ranking);
            assertThat(describe(RankingCodec.decodeIfPlainJson(json, POLICIES, false)))
                    .isEqualTo(describe(RankingCodec.decode(json, POLICIES, false)));
        }
        String[] notRankers = {
            "{\"v\":1,\"policyId\":\"shop\",\"features\":[0.5,1],\"action\":1,\"reward\":1}",
            "{\"policyId\":\"shop\",\"features\":[0.5],\"actions\":[1],\"reward\":1}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"action\":0}",
            "{\"policyId\":\"recs\",\"candidates\":[{}],\"chosen\":0,\"reward\":1}",
        };
        for (String text : notRankers) {
            assertThat(
                            RankingCodec.decodeIfPlainJson(
                                    text.getBytes(StandardCharsets.UTF_8), POLICIES, false))
                    .as(text)
                    .isNull();
        }
        EventRejection refused =
                catchThrowableOfType(
                        EventRejection.class,
                        () ->
                                RankingCodec.decodeIfPlainJson(
                                        "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":1,\"reward\":1}"
                                                .getBytes(StandardCharsets.UTF_8),
                                        POLICIES,
                                        false));
        assertThat(refused.reason()).isEqualTo(DeadLetterReason.CHOSEN_OUT_OF_RANGE);
    }

    /** Past 16 names an object's names are told apart by sorting their hashes. */
    @Test
    void shouldTellRepeatedNamesApartInLargeNamespaces() throws Exception {
        FastJsonRankingReader reader = new FastJsonRankingReader();
        StringBuilder features = new StringBuilder();
        for (int k = 0; k < 40; k++) {
            features.append(k == 0 ? "" : ",").append("\"f").append(k).append("\":").append(k);
        }
        String distinct =
                "{\"policyId\":\"shop\",\"shared\":{\"u\":{"
                        + features
                        + "}},\"candidates\":[{}],\"chosen\":0,\"reward\":1}";
        byte[] value = distinct.getBytes(StandardCharsets.UTF_8);
        RankedDecision fast = reader.read(value, POLICIES, false);
        assertThat(fast).isNotNull();
        assertThat(fast.shared().featureCount()).isEqualTo(40);
        assertThat(describe(fast))
                .isEqualTo(describe(RankingCodec.readJsonWithJackson(value, POLICIES, false)));
        String repeated = distinct.replace("\"f39\"", "\"f7\"");
        assertThat(reader.read(repeated.getBytes(StandardCharsets.UTF_8), POLICIES, false))
                .isNull();
        assertReason(repeated, DeadLetterReason.MALFORMED_JSON);
    }

    /**
     * The sources' glance: a ranker record's policy id for every record the client writes, null for
     * softmax records and for anything a softmax reader might take; where it names a policy in an
     * edited record, Jackson's reading of the head names the same one or the ranker's full reading
     * refuses the record as malformed.
     */
    @Test
    void shouldRouteRankerRecordsAtAGlanceAndNothingASoftmaxReaderMightTake() {
        Random random = new Random(17);
        for (int trial = 0; trial < 2_000; trial++) {
            LoggedRanking ranking = randomRanking(random);
            byte[] json = RankingCodec.toJson(ranking);
            assertThat(RankingCodec.plainRankerPolicyId(json)).isEqualTo(ranking.policyId());
            assertThat(RankingCodec.plainRankerPolicyId(spaced(json, random)))
                    .isEqualTo(ranking.policyId());
        }
        String[] notAtAGlance = {
            "{\"v\":1,\"policyId\":\"shop\",\"features\":[0.5,1],\"action\":1,\"reward\":1}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"action\":0}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"actions\":[0]}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"features\":[1],\"chosen\":0}",
            "{\"policyId\":\"sh\\u006fp\",\"candidates\":[{}],\"chosen\":0}",
            "{\"policyId\":7,\"candidates\":[{}],\"chosen\":0}",
            "{\"policyId\":\"shop\",\"chosen\":0}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"candidates\":[{}]}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":}",
            "[\"policyId\",\"candidates\"]",
            "",
        };
        for (String text : notAtAGlance) {
            assertThat(RankingCodec.plainRankerPolicyId(text.getBytes(StandardCharsets.UTF_8)))
                    .as(text)
                    .isNull();
        }
        assertThat(
                        RankingCodec.plainRankerPolicyId(
                                ("{\"x\":\"a\\\"}\",\"candidates\":[{\"id\":\"]\"}],"
                                                + "\"policyId\":\"shop\",\"chosen\":-1e3}")
                                        .getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("shop");
        byte[] edits = "{}[]\",:0123456789.eE-+ naxyz\\".getBytes(StandardCharsets.US_ASCII);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] value = RankingCodec.toJson(randomRanking(random));
            for (int k = 1 + random.nextInt(2); k > 0; k--) {
                value = edit(value, random, edits);
            }
            String routed = RankingCodec.plainRankerPolicyId(value);
            if (routed == null || routed.equals(RankingCodec.rankerPolicyId(value))) {
                continue;
            }
            byte[] edited = value;
            EventRejection rejection =
                    catchThrowableOfType(
                            EventRejection.class,
                            () -> RankingCodec.decode(edited, POLICIES, false));
            // Broken past what the glance checks: refused, by the ranker's reading now.
            assertThat(rejection).as(new String(value, StandardCharsets.UTF_8)).isNotNull();
        }
    }

    /**
     * The sources pass a JSON ranker record on as its binary record: decoding that gives the same
     * decision, field for field, events and decisions alike; what binary cannot carry exactly stays
     * JSON.
     */
    @Test
    void shouldPassAJsonRecordOnAsTheBinaryRecordOfTheSameDecision() throws Exception {
        Random random = new Random(23);
        for (int trial = 0; trial < 2_000; trial++) {
            LoggedRanking ranking = randomRanking(random);
            for (boolean decision : new boolean[] {false, true}) {
                if (decision && ranking.eventId() == null) {
                    continue;
                }
                RankedDecision read =
                        RankingCodec.decode(RankingCodec.toJson(ranking), POLICIES, decision);
                byte[] binary =
                        RankingCodec.toBinary(read, POLICIES.get(read.policyId()).seed(), decision);
                assertThat(RankingCodec.isBinary(binary)).isTrue();
                assertThat(describe(RankingCodec.decode(binary, POLICIES, decision)))
                        .isEqualTo(describe(read));
            }
        }
        String[] inexact = {
            "{\"policyId\":\"shop\",\"candidates\":[{\"id\":\"\"}],\"chosen\":0,\"reward\":1}",
            "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"reward\":1,"
                    + "\"eventId\":\"e-\\ud800\"}",
        };
        for (String text : inexact) {
            RankedDecision read =
                    RankingCodec.decode(text.getBytes(StandardCharsets.UTF_8), POLICIES, false);
            assertThat(RankingCodec.toBinary(read, SHOP.seed(), false)).as(text).isNull();
        }
    }

    private static void assertReason(String text, DeadLetterReason reason) {
        EventRejection rejection =
                catchThrowableOfType(
                        EventRejection.class,
                        () ->
                                RankingCodec.decode(
                                        text.getBytes(StandardCharsets.UTF_8), POLICIES, false));
        assertThat(rejection).as(text).isNotNull();
        assertThat(rejection.reason()).as(rejection.getMessage()).isEqualTo(reason);
    }

    private static LoggedRanking randomRanking(Random random) {
        List<Candidate> candidates = new ArrayList<>();
        int count = 1 + random.nextInt(6);
        for (int k = 0; k < count; k++) {
            candidates.add(
                    new Candidate(
                            random.nextBoolean() ? "item-" + random.nextInt(1000) : null,
                            randomFeatures(random)));
        }
        return new LoggedRanking(
                random.nextBoolean() ? "shop" : "news",
                randomFeatures(random),
                candidates,
                random.nextInt(count),
                randomNumber(random),
                random.nextBoolean() ? Double.NaN : 0.001 + random.nextDouble() * 0.999,
                random.nextBoolean() ? -1 : random.nextInt(1_000_000),
                random.nextBoolean() ? null : "segment-" + random.nextInt(10),
                random.nextInt(4) == 0 ? null : "e-" + random.nextLong(),
                random.nextBoolean()
                        ? LoggedRanking.NO_TIMESTAMP
                        : 1_764_201_600_000L + random.nextInt());
    }

    private static Features randomFeatures(Random random) {
        Features.Builder builder = Features.builder();
        List<String> namespaces = new ArrayList<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            String namespace = name(random);
            if (namespaces.contains(namespace)) {
                continue;
            }
            namespaces.add(namespace);
            if (random.nextInt(3) == 0) {
                float[] dense = new float[1 + random.nextInt(8)];
                for (int i = 0; i < dense.length; i++) {
                    dense[i] = (float) randomNumber(random);
                }
                builder.dense(namespace, dense);
                continue;
            }
            List<String> names = new ArrayList<>();
            for (int f = 1 + random.nextInt(random.nextInt(8) == 0 ? 30 : 5); f > 0; f--) {
                String name = name(random);
                if (names.contains(name)) {
                    continue;
                }
                names.add(name);
                if (random.nextBoolean()) {
                    builder.category(namespace, name, name(random));
                } else {
                    builder.number(namespace, name, (float) randomNumber(random));
                }
            }
        }
        return builder.build();
    }

    private static String name(Random random) {
        StringBuilder name = new StringBuilder();
        for (int k = 1 + random.nextInt(random.nextInt(4) == 0 ? 40 : 6); k > 0; k--) {
            name.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return name.toString();
    }

    private static double randomNumber(Random random) {
        switch (random.nextInt(5)) {
            case 0:
                return random.nextInt(2000) - 1000;
            case 1:
                return random.nextGaussian();
            case 2:
                return random.nextGaussian() * Math.pow(10, random.nextInt(60) - 30);
            case 3:
                return (float) random.nextGaussian();
            default:
                return random.nextInt(3) - 1 == 0 ? -0.0 : 0.1 * random.nextInt(100);
        }
    }

    /** The record with whitespace after each structural character outside strings. */
    private static byte[] spaced(byte[] json, Random random) {
        StringBuilder out = new StringBuilder();
        boolean inString = false;
        String text = new String(json, StandardCharsets.UTF_8);
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            out.append(c);
            if (c == '"' && (k == 0 || text.charAt(k - 1) != '\\')) {
                inString = !inString;
            }
            if (!inString && "{[,:".indexOf(c) >= 0) {
                out.append(" \n\t\r".charAt(random.nextInt(4)));
            }
        }
        return ("\n" + out + " ").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] edit(byte[] value, Random random, byte[] edits) {
        int at = random.nextInt(value.length);
        switch (random.nextInt(4)) {
            case 0: // delete a byte
                {
                    byte[] out = new byte[value.length - 1];
                    System.arraycopy(value, 0, out, 0, at);
                    System.arraycopy(value, at + 1, out, at, value.length - at - 1);
                    return out;
                }
            case 1: // insert a byte
                {
                    byte[] out = new byte[value.length + 1];
                    System.arraycopy(value, 0, out, 0, at);
                    out[at] = edits[random.nextInt(edits.length)];
                    System.arraycopy(value, at, out, at + 1, value.length - at);
                    return out;
                }
            case 2: // repeat a stretch
                {
                    int length = Math.min(1 + random.nextInt(30), value.length - at);
                    byte[] out = new byte[value.length + length];
                    System.arraycopy(value, 0, out, 0, at + length);
                    System.arraycopy(value, at, out, at + length, value.length - at);
                    return out;
                }
            default: // replace a byte
                {
                    byte[] out = value.clone();
                    out[at] = edits[random.nextInt(edits.length)];
                    return out;
                }
        }
    }

    /** Every field of a decision, floats by their bits. */
    static String describe(RankedDecision read) {
        StringBuilder out = new StringBuilder();
        out.append(read.policyId()).append(" shared ").append(describe(read.shared()));
        for (int k = 0; k < read.candidates().length; k++) {
            out.append(" candidate ")
                    .append(read.candidateIds()[k])
                    .append(' ')
                    .append(describe(read.candidates()[k]));
        }
        return out.append(" chosen ")
                .append(read.chosen())
                .append(" reward ")
                .append(Double.doubleToRawLongBits(read.reward()))
                .append(" propensity ")
                .append(Double.doubleToRawLongBits(read.propensity()))
                .append(" version ")
                .append(read.policyVersion())
                .append(" baseline ")
                .append(read.baselineKey())
                .append(" event ")
                .append(read.eventId())
                .append(" at ")
                .append(read.timestamp())
                .toString();
    }

    private static String describe(HashedFeatures features) {
        StringBuilder out = new StringBuilder("[");
        for (int n = 0; n < features.namespaceCount(); n++) {
            out.append(Integer.toHexString(features.namespaceHash(n))).append('{');
            for (int f = features.namespaceStart(n); f < features.namespaceEnd(n); f++) {
                out.append(Integer.toHexString(features.featureHash(f)))
                        .append(':')
                        .append(
                                Integer.toHexString(
                                        Float.floatToRawIntBits(features.featureValue(f))))
                        .append(' ');
            }
            out.append('}');
        }
        return out.append(']').toString();
    }
}
