package org.flinkreinforce.formats.ranker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

class RankingCodecTest {

    private static final RankerSpec SHOP =
            new RankerSpec("shop", 18, 7, Interaction.parseList("*:*"), 4, 6);
    private static final Map<String, RankerSpec> POLICIES = Map.of("shop", SHOP);

    private static LoggedRanking ranking(double reward, String eventId) {
        return new LoggedRanking(
                "shop",
                Features.builder()
                        .category("user", "country", "DE")
                        .number("user", "age", 31)
                        .dense("context", new float[] {0.5f, -2f})
                        .build(),
                List.of(
                        new Candidate(
                                "sku-8812",
                                Features.builder()
                                        .category("item", "category", "shoes")
                                        .number("item", "price", 49.9)
                                        .build()),
                        new Candidate(
                                null,
                                Features.builder().category("item", "category", "books").build())),
                1,
                reward,
                0.25,
                12,
                "segment-3",
                eventId,
                1_764_201_600_000L);
    }

    /**
     * The client hashes binary records, the learner hashes JSON ones: both give the same decision,
     * feature for feature, as hashing the described features for the policy does.
     */
    @Test
    void shouldReadTheSameDecisionFromJsonAndFromPreHashedBinary() throws Exception {
        for (boolean decision : new boolean[] {false, true}) {
            LoggedRanking logged = ranking(decision ? LoggedRanking.NO_REWARD : 1.5, "e-1");
            RankedDecision json =
                    RankingCodec.decode(RankingCodec.toJson(logged), POLICIES, decision);
            RankedDecision binary =
                    RankingCodec.decode(RankingCodec.toBinary(logged, SHOP), POLICIES, decision);
            FeatureHasher hasher = new FeatureHasher(SHOP.seed());
            for (RankedDecision read : List.of(json, binary)) {
                assertThat(read.policyId()).isEqualTo("shop");
                assertSame(read.shared(), hasher.hash(logged.shared(), new HashedFeatures()));
                assertThat(read.candidates()).hasSize(2);
                for (int k = 0; k < 2; k++) {
                    assertSame(
                            read.candidates()[k],
                            hasher.hash(
                                    logged.candidates().get(k).features(), new HashedFeatures()));
                }
                assertThat(read.candidateIds()).containsExactly("sku-8812", null);
                assertThat(read.chosen()).isEqualTo(1);
                assertThat(read.hasReward()).isEqualTo(!decision);
                if (!decision) {
                    assertThat(read.reward()).isEqualTo(1.5);
                }
                assertThat(read.propensity()).isEqualTo(0.25);
                assertThat(read.policyVersion()).isEqualTo(12);
                assertThat(read.baselineKey()).isEqualTo("segment-3");
                assertThat(read.eventId()).isEqualTo("e-1");
                assertThat(read.timestamp()).isEqualTo(1_764_201_600_000L);
            }
        }
    }

    /** The binary layout, pinned: a change here breaks every client that already logs it. */
    @Test
    void shouldKeepTheBinaryLayout() {
        LoggedRanking small =
                new LoggedRanking(
                        "s",
                        Features.builder().category("u", "c", "DE").build(),
                        List.of(new Candidate("a", Features.builder().number("i", "p", 2).build())),
                        0,
                        1.0,
                        Double.NaN,
                        -1,
                        null,
                        "e",
                        LoggedRanking.NO_TIMESTAMP);
        assertThat(HexFormat.of().formatHex(RankingCodec.toBinary(small, SHOP)))
                .isEqualTo(GOLDEN_SMALL_EVENT);
    }

    private static final String GOLDEN_SMALL_EVENT =
            String.join(
                    "",
                    "ba", // magic: a ranker event
                    "01", // version
                    "08", // flags: eventId
                    "0100",
                    "73", // policyId "s"
                    "07000000", // seed 7
                    "0100", // shared: one namespace
                    "287773a7",
                    "0100", // its hash ("u"), one feature
                    "e5331a7b",
                    "0000803f", // c=DE, 1.0
                    "0100", // one candidate
                    "0100",
                    "61", // its id "a"
                    "0100", // one namespace
                    "6b486c8b",
                    "0100", // its hash ("i"), one feature
                    "cb51bb93",
                    "00000040", // p, 2.0
                    "0000", // chosen 0
                    "000000000000f03f", // reward 1.0
                    "0100",
                    "65"); // eventId "e"

    @Test
    void shouldRefuseEachKindOfBadRankerRecordWithItsReason() {
        assertReason(
                json("{\"policyId\":\"nope\",\"candidates\":[{}],\"chosen\":0,\"reward\":1}"),
                DeadLetterReason.UNKNOWN_POLICY);
        assertReason(
                json("{\"policyId\":\"shop\",\"candidates\":[],\"chosen\":0,\"reward\":1}"),
                DeadLetterReason.CANDIDATE_COUNT);
        assertReason(
                json(
                        "{\"policyId\":\"shop\",\"candidates\":[{},{},{},{},{}],\"chosen\":0,\"reward\":1}"),
                DeadLetterReason.CANDIDATE_COUNT);
        assertReason(
                json("{\"policyId\":\"shop\",\"candidates\":[{},{}],\"chosen\":2,\"reward\":1}"),
                DeadLetterReason.CHOSEN_OUT_OF_RANGE);
        assertReason(
                json("{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":-1,\"reward\":1}"),
                DeadLetterReason.CHOSEN_OUT_OF_RANGE);
        assertReason(
                json(
                        "{\"policyId\":\"shop\",\"shared\":{\"u\":[1,2,3,4,5,6,7]},\"candidates\":[{}],\"chosen\":0,\"reward\":1}"),
                DeadLetterReason.FEATURE_COUNT);
        assertReason(
                json(
                        "{\"policyId\":\"shop\",\"candidates\":[{\"features\":{\"i\":{\"p\":NaN}}}],\"chosen\":0,\"reward\":1}"),
                DeadLetterReason.NON_FINITE);
        assertReason(
                json(
                        "{\"policyId\":\"shop\",\"candidates\":[{\"features\":{\"i\":{\"p\":1e39}}}],\"chosen\":0,\"reward\":1}"),
                DeadLetterReason.NON_FINITE);
        assertReason(
                json(
                        "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"reward\":1,\"propensity\":0}"),
                DeadLetterReason.BAD_PROPENSITY);
        assertReason(
                json("{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0}"),
                DeadLetterReason.MISSING_FIELD);
        assertReason(
                json("{\"policyId\":\"shop\",\"candidates\":[{}],\"reward\":1}"),
                DeadLetterReason.MISSING_FIELD);
        assertReason(
                json("{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":\"0\",\"reward\":1}"),
                DeadLetterReason.WRONG_TYPE);
        assertReason(
                json("{\"policyId\":\"shop\",\"candidates\":{},\"chosen\":0,\"reward\":1}"),
                DeadLetterReason.WRONG_TYPE);
        assertReason(
                json(
                        "{\"v\":2,\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"reward\":1}"),
                DeadLetterReason.UNSUPPORTED_VERSION);
        assertReason(
                json("{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0,\"reward\":1} {}"),
                DeadLetterReason.MALFORMED_JSON);
        assertReason(
                json("{\"policyId\":\"shop\",\"policyId\":\"shop\"}"),
                DeadLetterReason.MALFORMED_JSON);
        assertThat(
                        catchThrowableOfType(
                                        EventRejection.class,
                                        () ->
                                                RankingCodec.decode(
                                                        json(
                                                                "{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":0}"),
                                                        POLICIES,
                                                        true))
                                .reason())
                .as("a decision without eventId")
                .isEqualTo(DeadLetterReason.MISSING_FIELD);

        byte[] binary = RankingCodec.toBinary(ranking(1.0, "e"), SHOP);
        RankerSpec reseeded = new RankerSpec("shop", 18, 8, SHOP.interactions(), 4, 6);
        assertThat(
                        catchThrowableOfType(
                                        EventRejection.class,
                                        () ->
                                                RankingCodec.decode(
                                                        binary, Map.of("shop", reseeded), false))
                                .reason())
                .isEqualTo(DeadLetterReason.HASH_SEED_MISMATCH);
        assertThat(
                        catchThrowableOfType(
                                        EventRejection.class,
                                        () -> RankingCodec.decode(binary, POLICIES, true))
                                .reason())
                .as("a binary event on the decisions topic")
                .isEqualTo(DeadLetterReason.MALFORMED_BINARY);
        byte[] longer = java.util.Arrays.copyOf(binary, binary.length + 1);
        assertReason(longer, DeadLetterReason.MALFORMED_BINARY);
    }

    /** What the learner's source routes to the ranker learner, told by the id alone. */
    @Test
    void shouldTellARankerRecordByItsPolicyIdAlone() {
        assertThat(RankingCodec.rankerPolicyId(RankingCodec.toBinary(ranking(1.0, "e"), SHOP)))
                .isEqualTo("shop");
        assertThat(RankingCodec.rankerPolicyId(RankingCodec.toJson(ranking(1.0, "e"))))
                .isEqualTo("shop");
        assertThat(RankingCodec.rankerPolicyId(json("{\"policyId\":\"recs\",\"reward\":1}")))
                .isNull();
        assertThat(RankingCodec.rankerPolicyId(json("{\"policyId\":\"recs\",\"candidates\"")))
                .isNull();
        assertThat(RankingCodec.rankerPolicyId(json("{\"candidates\":[{}],\"policyId\":\"shop\"}")))
                .isEqualTo("shop");
        // Read no further than both fields: a record broken after them is the learner's to refuse.
        assertThat(
                        RankingCodec.rankerPolicyId(
                                json("{\"policyId\":\"shop\",\"candidates\":[{}],\"chosen\":")))
                .isEqualTo("shop");
        assertThat(RankingCodec.rankerPolicyId(new byte[] {RankingCodec.BINARY_EVENT_MAGIC, 1}))
                .isNull();
    }

    /**
     * A binary record's strings are UTF-8: ASCII and other text read back as written, and bytes
     * that are not UTF-8 are MALFORMED_BINARY, whichever string they are in.
     */
    @Test
    void shouldReadUtf8StringsOfBinaryRecordsAndRefuseOtherBytes() throws Exception {
        LoggedRanking logged = ranking(1.0, "größe-\u20ac-1");
        byte[] binary = RankingCodec.toBinary(logged, SHOP);
        RankedDecision read = RankingCodec.decode(binary, POLICIES, false);
        assertThat(read.eventId()).isEqualTo("größe-\u20ac-1");
        assertThat(read.candidateIds()).containsExactly("sku-8812", null);
        assertThat(read.baselineKey()).isEqualTo("segment-3");

        byte[] ascii = RankingCodec.toBinary(ranking(1.0, "e-2"), SHOP);
        int eventId = indexOf(ascii, "e-2".getBytes(StandardCharsets.UTF_8));
        for (byte bad : new byte[] {(byte) 0xff, (byte) 0xc3, (byte) 0x80}) {
            byte[] corrupt = ascii.clone();
            corrupt[eventId + 1] = bad;
            assertReason(corrupt, DeadLetterReason.MALFORMED_BINARY);
        }
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int start = bytes.length - part.length; start >= 0; start--) {
            if (java.util.Arrays.equals(bytes, start, start + part.length, part, 0, part.length)) {
                return start;
            }
        }
        throw new IllegalArgumentException("Not found.");
    }

    /** Every truncation and many random corruptions of a binary record: a reason, never a crash. */
    @Test
    void shouldRejectCorruptBinaryRecordsWithoutThrowingAnythingElse() {
        byte[] binary = RankingCodec.toBinary(ranking(1.0, "e"), SHOP);
        for (int length = 0; length < binary.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(binary, length);
            assertThat(
                            catchThrowableOfType(
                                    EventRejection.class,
                                    () -> RankingCodec.decode(cut, POLICIES, false)))
                    .as("cut at %d", length)
                    .isNotNull();
        }
        Random random = new Random(3);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] corrupt = binary.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
            }
            assertThatCode(
                            () -> {
                                try {
                                    RankingCodec.decode(corrupt, POLICIES, false);
                                } catch (EventRejection expected) {
                                    // a reason: what the learner dead-letters
                                }
                            })
                    .doesNotThrowAnyException();
        }
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertReason(byte[] value, DeadLetterReason reason) {
        EventRejection rejection =
                catchThrowableOfType(
                        EventRejection.class, () -> RankingCodec.decode(value, POLICIES, false));
        assertThat(rejection).as(new String(value, StandardCharsets.UTF_8)).isNotNull();
        assertThat(rejection.reason()).as(rejection.getMessage()).isEqualTo(reason);
    }

    private static void assertSame(HashedFeatures actual, HashedFeatures expected) {
        assertThat(actual.namespaceCount()).isEqualTo(expected.namespaceCount());
        assertThat(actual.featureCount()).isEqualTo(expected.featureCount());
        for (int n = 0; n < expected.namespaceCount(); n++) {
            assertThat(actual.namespaceHash(n)).isEqualTo(expected.namespaceHash(n));
            assertThat(actual.namespaceEnd(n)).isEqualTo(expected.namespaceEnd(n));
        }
        for (int f = 0; f < expected.featureCount(); f++) {
            assertThat(actual.featureHash(f)).isEqualTo(expected.featureHash(f));
            assertThat(actual.featureValue(f)).isEqualTo(expected.featureValue(f));
        }
    }
}
