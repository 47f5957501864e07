package org.flinkreinforce.formats.ranker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * The ranker records, JSON v1 and binary v1, of an event (with its reward, the events topic) and of
 * a decision (without, the decisions topic; {@code eventId} required), as docs/wire-formats.md
 * specifies them. JSON names the features; binary carries them hashed with the policy's seed
 * ({@link FeatureHasher}) and the seed itself, so the learner does not hash them again. Either way
 * {@link #decode} gives the same {@link RankedDecision}, checked against the policy's limits; a
 * record it refuses throws an {@link EventRejection} with the dead-letter reason.
 */
public final class RankingCodec {

    /** First byte of a binary ranker event. */
    public static final byte BINARY_EVENT_MAGIC = (byte) 0xBA;

    /** First byte of a binary ranker decision. */
    public static final byte BINARY_DECISION_MAGIC = (byte) 0xBB;

    static final int VERSION = 1;
    static final int MAX_STRING = 256;
    private static final int MAX_NESTING = 16;

    private static final int PROPENSITY = 1;
    private static final int POLICY_VERSION = 1 << 1;
    private static final int BASELINE_KEY = 1 << 2;
    private static final int EVENT_ID = 1 << 3;
    private static final int TIMESTAMP = 1 << 4;
    private static final int KNOWN_FLAGS = 0x1f;

    private static final JsonFactory WRITER = new JsonFactory();
    private static final JsonFactory READER =
            JsonFactory.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    // Correctly rounded as Double.parseDouble, without its String: a third of a
                    // JSON ranker's decoding went there.
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(MAX_NESTING)
                                    .maxNumberLength(400)
                                    .build())
                    .build();

    /** The JSON fast path's reader and its buffers, one per thread that decodes. */
    private static final ThreadLocal<FastJsonRankingReader> FAST_JSON =
            ThreadLocal.withInitial(FastJsonRankingReader::new);

    private RankingCodec() {}

    /** Whether {@code value} is a binary ranker record (event or decision). */
    public static boolean isBinary(byte[] value) {
        return value.length > 0
                && (value[0] == BINARY_EVENT_MAGIC || value[0] == BINARY_DECISION_MAGIC);
    }

    /**
     * The policy id of a ranker record, without decoding the rest: of a binary one (by its first
     * byte), or of a JSON object with a top-level {@code candidates} field (read up to where both
     * fields are known: what follows is left to the full decode); null for anything else, including
     * a record too broken to tell.
     */
    public static String rankerPolicyId(byte[] value) {
        if (value == null || value.length == 0) {
            return null;
        }
        if (isBinary(value)) {
            if (value.length < 5) {
                return null;
            }
            int length = (value[3] & 0xff) | (value[4] & 0xff) << 8;
            return value.length < 5 + length
                    ? null
                    : new String(value, 5, length, StandardCharsets.UTF_8);
        }
        String policyId = null;
        boolean candidates = false;
        try (JsonParser parser = READER.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                if (field.equals("policyId") && token == JsonToken.VALUE_STRING) {
                    policyId = parser.getText();
                    if (candidates) {
                        return policyId;
                    }
                } else if (field.equals("candidates")) {
                    if (policyId != null) {
                        // Both known: the rest is the learner's to read and check.
                        return policyId;
                    }
                    candidates = true;
                    parser.skipChildren();
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return candidates ? policyId : null;
    }

    /**
     * The policy id of a JSON record that is a ranker policy's at a glance, for the sources to
     * route it without trying a softmax policy's reader first: an object with a top-level {@code
     * candidates} field, a plain {@code policyId} (printable ASCII, no escapes) and none of a
     * softmax decision's {@code features}, {@code action} and {@code actions}, which no softmax
     * reader takes. One pass over the bytes that skips the values without checking them (the
     * ranker's {@link #decode} does); null where that does not settle it, for the caller's full
     * reading and {@link #rankerPolicyId}.
     */
    public static String plainRankerPolicyId(byte[] value) {
        return value == null
                        || value.length == 0
                        || value[0] == BINARY_EVENT_MAGIC
                        || value[0] == BINARY_DECISION_MAGIC
                ? null
                : FAST_JSON.get().rankerPolicyId(value);
    }

    /** The JSON v1 record of {@code ranking}: an event where it has a reward, else a decision. */
    public static byte[] toJson(LoggedRanking ranking) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = WRITER.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("v", VERSION);
            json.writeStringField("policyId", ranking.policyId());
            json.writeFieldName("shared");
            writeFeatures(json, ranking.shared());
            json.writeArrayFieldStart("candidates");
            for (Candidate candidate : ranking.candidates()) {
                json.writeStartObject();
                if (candidate.id() != null) {
                    json.writeStringField("id", candidate.id());
                }
                json.writeFieldName("features");
                writeFeatures(json, candidate.features());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeNumberField("chosen", ranking.chosen());
            if (ranking.hasReward()) {
                json.writeNumberField("reward", ranking.reward());
            }
            if (ranking.hasPropensity()) {
                json.writeNumberField("propensity", ranking.propensity());
            }
            if (ranking.policyVersion() >= 0) {
                json.writeNumberField("policyVersion", ranking.policyVersion());
            }
            if (ranking.baselineKey() != null) {
                json.writeStringField("baselineKey", ranking.baselineKey());
            }
            if (ranking.eventId() != null) {
                json.writeStringField("eventId", ranking.eventId());
            }
            if (ranking.timestamp() != LoggedRanking.NO_TIMESTAMP) {
                json.writeNumberField("timestamp", ranking.timestamp());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The binary v1 record of {@code ranking}, its features hashed for {@code spec} (its seed): an
     * event where it has a reward, else a decision.
     */
    public static byte[] toBinary(LoggedRanking ranking, RankerSpec spec) {
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        int count = ranking.candidates().size();
        HashedFeatures[] candidates = new HashedFeatures[count];
        String[] ids = new String[count];
        for (int k = 0; k < count; k++) {
            Candidate candidate = ranking.candidates().get(k);
            candidates[k] = hasher.hash(candidate.features(), new HashedFeatures());
            ids[k] = candidate.id();
        }
        RankedDecision hashed =
                new RankedDecision(
                        ranking.policyId(),
                        hasher.hash(ranking.shared(), new HashedFeatures()),
                        candidates,
                        ids,
                        ranking.chosen(),
                        ranking.reward(),
                        ranking.propensity(),
                        ranking.policyVersion(),
                        ranking.baselineKey(),
                        ranking.eventId(),
                        ranking.timestamp());
        return writeBinary(hashed, spec.seed(), !ranking.hasReward());
    }

    /**
     * The binary v1 record of a decision read from any ranker record ({@link #decode}), its
     * features as they were hashed for a policy of seed {@code seed}: the sources pass JSON records
     * on to the learner in it, which then reads each without hashing or parsing again. {@link
     * #decode} of it gives {@code read} back field for field. Null where binary cannot carry it
     * exactly: a candidate id that is empty (binary's "no id") or a string that is not valid
     * UTF-16.
     *
     * @param decision whether {@code read} is a decision (no reward, magic {@code 0xBB}) or an
     *     event
     */
    public static byte[] toBinary(RankedDecision read, int seed, boolean decision) {
        if (!decision && !read.hasReward()) {
            throw new IllegalArgumentException("An event needs its reward.");
        }
        for (String id : read.candidateIds()) {
            if (id != null && (id.isEmpty() || !isWellFormed(id))) {
                return null;
            }
        }
        if (!isWellFormed(read.policyId())
                || (read.baselineKey() != null && !isWellFormed(read.baselineKey()))
                || (read.eventId() != null && !isWellFormed(read.eventId()))) {
            return null;
        }
        return writeBinary(read, seed, decision);
    }

    /** The binary v1 record of {@code read}, an event or a {@code decision}; a null id as none. */
    private static byte[] writeBinary(RankedDecision read, int seed, boolean decision) {
        boolean hasPropensity = !Double.isNaN(read.propensity());
        byte[] policyId = read.policyId().getBytes(StandardCharsets.UTF_8);
        byte[] baselineKey = utf8(read.baselineKey());
        byte[] eventId = utf8(read.eventId());
        int count = read.candidates().length;
        byte[][] ids = new byte[count][];
        int size =
                3
                        + 2
                        + policyId.length
                        + 4
                        + binarySize(read.shared())
                        + 2
                        + 2
                        + (decision ? 0 : 8)
                        + (hasPropensity ? 8 : 0)
                        + (read.policyVersion() >= 0 ? 8 : 0)
                        + (baselineKey == null ? 0 : 2 + baselineKey.length)
                        + (eventId == null ? 0 : 2 + eventId.length)
                        + (read.timestamp() != LoggedRanking.NO_TIMESTAMP ? 8 : 0);
        for (int k = 0; k < count; k++) {
            String id = read.candidateIds()[k];
            ids[k] = id == null ? new byte[0] : id.getBytes(StandardCharsets.UTF_8);
            size += 2 + ids[k].length + binarySize(read.candidates()[k]);
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(decision ? BINARY_DECISION_MAGIC : BINARY_EVENT_MAGIC);
        out.put((byte) VERSION);
        out.put(
                (byte)
                        ((hasPropensity ? PROPENSITY : 0)
                                | (read.policyVersion() >= 0 ? POLICY_VERSION : 0)
                                | (baselineKey != null ? BASELINE_KEY : 0)
                                | (eventId != null ? EVENT_ID : 0)
                                | (read.timestamp() != LoggedRanking.NO_TIMESTAMP
                                        ? TIMESTAMP
                                        : 0)));
        putString(out, policyId);
        out.putInt(seed);
        putFeatures(out, read.shared());
        putU16(out, count);
        for (int k = 0; k < count; k++) {
            putString(out, ids[k]);
            putFeatures(out, read.candidates()[k]);
        }
        putU16(out, read.chosen());
        if (!decision) {
            out.putDouble(read.reward());
        }
        if (hasPropensity) {
            out.putDouble(read.propensity());
        }
        if (read.policyVersion() >= 0) {
            out.putLong(read.policyVersion());
        }
        if (baselineKey != null) {
            putString(out, baselineKey);
        }
        if (eventId != null) {
            putString(out, eventId);
        }
        if (read.timestamp() != LoggedRanking.NO_TIMESTAMP) {
            out.putLong(read.timestamp());
        }
        return out.array();
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** The bytes of {@code features} in the binary layout. */
    private static int binarySize(HashedFeatures features) {
        return 2 + 6 * features.namespaceCount() + 8 * features.featureCount();
    }

    private static void putU16(ByteBuffer out, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(value + " does not fit the binary format's u16.");
        }
        out.putShort((short) value);
    }

    private static void putString(ByteBuffer out, byte[] utf8) {
        putU16(out, utf8.length);
        out.put(utf8);
    }

    /** u16 namespaces; each i32 hash, u16 n, n x (i32 hash, f32 value). */
    private static void putFeatures(ByteBuffer out, HashedFeatures features) {
        putU16(out, features.namespaceCount());
        for (int n = 0; n < features.namespaceCount(); n++) {
            out.putInt(features.namespaceHash(n));
            putU16(out, features.namespaceEnd(n) - features.namespaceStart(n));
            for (int f = features.namespaceStart(n); f < features.namespaceEnd(n); f++) {
                out.putInt(features.featureHash(f));
                out.putFloat(features.featureValue(f));
            }
        }
    }

    /** Whether {@code text} has no unpaired surrogate, so that UTF-8 carries it exactly. */
    private static boolean isWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a ranker record, JSON v1 or binary v1, and checks it against its policy.
     *
     * @param value the record's bytes
     * @param policies the ranker policies by id
     * @param decision whether the record is a decision (the decisions topic: no reward, {@code
     *     eventId} required) or an event (the events topic: {@code reward} required)
     * @throws EventRejection with the dead-letter reason of a record it refuses
     */
    public static RankedDecision decode(
            byte[] value, Map<String, RankerSpec> policies, boolean decision)
            throws EventRejection {
        if (value == null || value.length == 0) {
            throw new EventRejection(DeadLetterReason.EMPTY, "The record is empty.");
        }
        RankedDecision read =
                isBinary(value)
                        ? readBinary(value, policies, decision)
                        : readJson(value, policies, decision);
        return validate(read, policies.get(read.policyId()), decision);
    }

    /**
     * Reads a ranker record of a policy whose spec the reader does not have (one defined after the
     * reader started), for its fields: its features hashed with the record's own seed (binary) or
     * seed 0 (JSON), and checked against the widest limits a ranker may have. Its policy's learner
     * decodes it again against the policy.
     *
     * @throws EventRejection where no ranker policy would take it (malformed, no policy id, a
     *     chosen candidate out of range, ...)
     */
    public static RankedDecision decodeWithoutPolicy(byte[] value, boolean decision)
            throws EventRejection {
        String policyId = rankerPolicyId(value);
        if (policyId == null) {
            return decode(value, Map.of(), decision);
        }
        RankerSpec widest;
        try {
            widest =
                    new RankerSpec(
                            policyId,
                            1,
                            isBinary(value) ? binarySeed(value) : 0,
                            List.of(),
                            RankerSpec.MAX_CANDIDATES,
                            RankerSpec.MAX_FEATURES);
        } catch (IllegalArgumentException e) {
            throw new EventRejection(
                    DeadLetterReason.UNKNOWN_POLICY,
                    "No ranker policy " + abbreviate(policyId) + " is defined.");
        }
        return decode(value, Map.of(policyId, widest), decision);
    }

    /** The seed of a binary record whose policy id {@link #rankerPolicyId} read; 0 if cut short. */
    private static int binarySeed(byte[] value) {
        int at = 5 + ((value[3] & 0xff) | (value[4] & 0xff) << 8);
        return value.length < at + 4
                ? 0
                : ByteBuffer.wrap(value, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /**
     * {@link #decode} of a JSON record where its fast path reads it, which it does only for a
     * ranker record of one of {@code policies} (a record no softmax policy's reader takes); null
     * where it does not, saying nothing about the record: the sources try it first, so that a JSON
     * ranker record is read once.
     *
     * @throws EventRejection where the fast path read it and the policy refuses it
     */
    public static RankedDecision decodeIfPlainJson(
            byte[] value, Map<String, RankerSpec> policies, boolean decision)
            throws EventRejection {
        if (value == null || value.length == 0 || isBinary(value) || policies.isEmpty()) {
            return null;
        }
        RankedDecision read = FAST_JSON.get().read(value, policies, decision);
        return read == null ? null : validate(read, policies.get(read.policyId()), decision);
    }

    private static RankedDecision validate(RankedDecision read, RankerSpec spec, boolean decision)
            throws EventRejection {
        int count = read.candidates().length;
        if (count < 1) {
            throw new EventRejection(
                    DeadLetterReason.CANDIDATE_COUNT, "The decision has no candidates.");
        }
        requireCandidateCount(count, spec);
        if (read.chosen() < 0 || read.chosen() >= count) {
            throw new EventRejection(
                    DeadLetterReason.CHOSEN_OUT_OF_RANGE,
                    "The chosen candidate " + read.chosen() + " is not one of " + count + ".");
        }
        requireFeatureCount(read.shared(), "The shared context", spec);
        for (int k = 0; k < count; k++) {
            requireFeatureCount(read.candidates()[k], "Candidate " + k, spec);
        }
        if (!decision && !read.hasReward()) {
            throw new EventRejection(DeadLetterReason.MISSING_FIELD, "The event has no reward.");
        }
        if (decision && read.eventId() == null) {
            throw new EventRejection(
                    DeadLetterReason.MISSING_FIELD,
                    "The decision has no eventId: its rewards name it.");
        }
        double propensity = read.propensity();
        if (!Double.isNaN(propensity) && !(propensity > 0 && propensity <= 1)) {
            throw new EventRejection(
                    DeadLetterReason.BAD_PROPENSITY,
                    "The propensity " + propensity + " is not in (0, 1].");
        }
        return read;
    }

    private static void requireCandidateCount(int count, RankerSpec spec) throws EventRejection {
        if (count > spec.maxCandidates()) {
            throw new EventRejection(
                    DeadLetterReason.CANDIDATE_COUNT,
                    "The decision has "
                            + count
                            + " candidates; ranker policy "
                            + spec.id()
                            + " takes 1 to "
                            + spec.maxCandidates()
                            + ".");
        }
    }

    private static void requireFeatureCount(HashedFeatures features, String what, RankerSpec spec)
            throws EventRejection {
        if (features.featureCount() > spec.maxFeatures()) {
            throw new EventRejection(
                    DeadLetterReason.FEATURE_COUNT,
                    what
                            + " has "
                            + features.featureCount()
                            + " features; ranker policy "
                            + spec.id()
                            + " takes at most "
                            + spec.maxFeatures()
                            + ".");
        }
    }

    private static RankerSpec policy(String policyId, Map<String, RankerSpec> policies)
            throws EventRejection {
        RankerSpec spec = policies.get(policyId);
        if (spec == null) {
            throw new EventRejection(
                    DeadLetterReason.UNKNOWN_POLICY,
                    "No ranker policy " + abbreviate(policyId) + " is defined.");
        }
        return spec;
    }

    // ---------------------------------------------------------------------------------------
    // JSON

    private static void writeFeatures(JsonGenerator json, Features features) throws IOException {
        json.writeStartObject();
        for (Features.Namespace namespace : features.namespaces()) {
            json.writeFieldName(namespace.name());
            if (namespace.dense() != null && namespace.features().isEmpty()) {
                json.writeStartArray();
                for (float value : namespace.dense()) {
                    json.writeNumber(value);
                }
                json.writeEndArray();
                continue;
            }
            if (namespace.dense() != null) {
                throw new IllegalArgumentException(
                        "Namespace "
                                + namespace.name()
                                + " has named features and a dense array: JSON v1 carries one"
                                + " or the other per namespace.");
            }
            json.writeStartObject();
            for (Features.Feature feature : namespace.features()) {
                if (feature.isCategorical()) {
                    json.writeStringField(feature.name(), feature.category());
                } else {
                    json.writeNumberField(feature.name(), feature.value());
                }
            }
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    private static RankedDecision readJson(
            byte[] value, Map<String, RankerSpec> policies, boolean decision)
            throws EventRejection {
        RankedDecision fast = FAST_JSON.get().read(value, policies, decision);
        return fast != null ? fast : readJsonWithJackson(value, policies, decision);
    }

    /** The general JSON reader: everything the fast one gives up on, bad records included. */
    static RankedDecision readJsonWithJackson(
            byte[] value, Map<String, RankerSpec> policies, boolean decision)
            throws EventRejection {
        JsonRanking read = new JsonRanking();
        try (JsonParser parser = READER.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new EventRejection(
                        DeadLetterReason.MALFORMED_JSON, "A ranker record must be a JSON object.");
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                read.field(parser, field, parser.nextToken());
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new EventRejection(
                        DeadLetterReason.MALFORMED_JSON,
                        "The ranker record is truncated or followed by other content.");
            }
        } catch (JsonProcessingException e) {
            throw new EventRejection(DeadLetterReason.MALFORMED_JSON, firstLine(e));
        } catch (IOException e) {
            throw new EventRejection(DeadLetterReason.MALFORMED_JSON, firstLine(e));
        }
        if (read.policyId == null || read.candidates == null) {
            throw new EventRejection(
                    DeadLetterReason.MISSING_FIELD,
                    "A ranker record needs policyId and candidates.");
        }
        if (read.chosen == null) {
            throw new EventRejection(DeadLetterReason.MISSING_FIELD, "The record has no chosen.");
        }
        RankerSpec spec = policy(read.policyId, policies);
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        int count = read.candidates.size();
        requireCandidateCount(count, spec);
        HashedFeatures[] candidates = new HashedFeatures[count];
        String[] ids = new String[count];
        for (int k = 0; k < count; k++) {
            candidates[k] = hasher.hash(read.candidates.get(k).features(), new HashedFeatures());
            ids[k] = read.candidates.get(k).id();
        }
        return new RankedDecision(
                read.policyId,
                hasher.hash(read.shared, new HashedFeatures()),
                candidates,
                ids,
                read.chosen,
                decision ? Double.NaN : read.reward,
                read.propensity,
                read.policyVersion,
                read.baselineKey,
                read.eventId,
                read.timestamp);
    }

    /** The fields of a JSON ranker record as they are read. */
    private static final class JsonRanking {
        String policyId;
        Features shared = Features.empty();
        List<Candidate> candidates;
        Integer chosen;
        double reward = Double.NaN;
        double propensity = Double.NaN;
        long policyVersion = -1;
        String baselineKey;
        String eventId;
        long timestamp = LoggedRanking.NO_TIMESTAMP;

        void field(JsonParser parser, String field, JsonToken token)
                throws IOException, EventRejection {
            switch (field) {
                case "v" -> {
                    long version = integer(parser, token, field);
                    if (version != VERSION) {
                        throw new EventRejection(
                                DeadLetterReason.UNSUPPORTED_VERSION,
                                "Ranker records of version " + version + " are not read here.");
                    }
                }
                case "policyId" -> policyId = string(parser, token, field);
                case "shared" -> shared = features(parser, token, "shared");
                case "candidates" -> candidates = candidates(parser, token);
                case "chosen" -> {
                    long value = integer(parser, token, field);
                    chosen = (int) Math.max(-1, Math.min(value, Integer.MAX_VALUE));
                }
                case "reward" -> reward = finite(parser, token, field);
                case "propensity" -> propensity = finite(parser, token, field);
                case "policyVersion" -> policyVersion = integer(parser, token, field);
                case "baselineKey" -> baselineKey = string(parser, token, field);
                case "eventId" -> eventId = string(parser, token, field);
                case "timestamp" -> timestamp = integer(parser, token, field);
                default -> parser.skipChildren();
            }
        }

        private static List<Candidate> candidates(JsonParser parser, JsonToken token)
                throws IOException, EventRejection {
            if (token != JsonToken.START_ARRAY) {
                throw new EventRejection(
                        DeadLetterReason.WRONG_TYPE, "The candidates must be an array of objects.");
            }
            List<Candidate> list = new ArrayList<>();
            JsonToken element;
            while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (element != JsonToken.START_OBJECT) {
                    throw new EventRejection(
                            DeadLetterReason.WRONG_TYPE, "A candidate must be an object.");
                }
                String id = null;
                Features features = null;
                JsonToken token2;
                while ((token2 = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken valueToken = parser.nextToken();
                    switch (name) {
                        case "id" -> id = string(parser, valueToken, "id");
                        case "features" -> features = features(parser, valueToken, "features");
                        default -> parser.skipChildren();
                    }
                }
                if (token2 != JsonToken.END_OBJECT) {
                    throw new EventRejection(DeadLetterReason.MALFORMED_JSON, "Truncated.");
                }
                list.add(new Candidate(id, features == null ? Features.empty() : features));
            }
            return list;
        }

        /** {@code {"ns": {"name": number|string, ...} | [numbers], ...}}. */
        private static Features features(JsonParser parser, JsonToken token, String field)
                throws IOException, EventRejection {
            if (token != JsonToken.START_OBJECT) {
                throw new EventRejection(
                        DeadLetterReason.WRONG_TYPE,
                        "The field " + field + " must be an object of namespaces.");
            }
            Features.Builder builder = Features.builder();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String namespace = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_ARRAY) {
                    List<Float> dense = new ArrayList<>();
                    JsonToken element;
                    while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                        dense.add(float32(finite(parser, element, namespace), namespace));
                    }
                    float[] values = new float[dense.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = dense.get(i);
                    }
                    builder.dense(namespace, values);
                } else if (value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String name = parser.currentName();
                        JsonToken feature = parser.nextToken();
                        if (feature == JsonToken.VALUE_STRING) {
                            builder.category(namespace, name, parser.getText());
                        } else {
                            builder.number(
                                    namespace, name, float32(finite(parser, feature, name), name));
                        }
                    }
                } else {
                    throw new EventRejection(
                            DeadLetterReason.WRONG_TYPE,
                            "Namespace "
                                    + abbreviate(namespace)
                                    + " must be an object of features or an array of numbers.");
                }
            }
            return builder.build();
        }

        private static float float32(double value, String field) throws EventRejection {
            float single = (float) value;
            if (!Float.isFinite(single)) {
                throw new EventRejection(
                        DeadLetterReason.NON_FINITE,
                        "The feature " + abbreviate(field) + " (" + value + ") overflows float32.");
            }
            return single;
        }

        private static double finite(JsonParser parser, JsonToken token, String field)
                throws IOException, EventRejection {
            if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new EventRejection(
                        DeadLetterReason.WRONG_TYPE,
                        "The field " + abbreviate(field) + " must be a number.");
            }
            double value = parser.getDoubleValue();
            if (!Double.isFinite(value)) {
                throw new EventRejection(
                        DeadLetterReason.NON_FINITE,
                        "The field " + abbreviate(field) + " is not finite (" + value + ").");
            }
            return value;
        }

        private static long integer(JsonParser parser, JsonToken token, String field)
                throws IOException, EventRejection {
            if (token != JsonToken.VALUE_NUMBER_INT
                    || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new EventRejection(
                        DeadLetterReason.WRONG_TYPE, "The field " + field + " must be an integer.");
            }
            return parser.getLongValue();
        }

        private static String string(JsonParser parser, JsonToken token, String field)
                throws IOException, EventRejection {
            if (token != JsonToken.VALUE_STRING) {
                throw new EventRejection(
                        DeadLetterReason.WRONG_TYPE, "The field " + field + " must be a string.");
            }
            String text = parser.getText();
            if (text.length() > MAX_STRING) {
                throw new EventRejection(
                        DeadLetterReason.WRONG_TYPE,
                        "The field " + field + " has more than " + MAX_STRING + " characters.");
            }
            return text;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Binary

    private static RankedDecision readBinary(
            byte[] value, Map<String, RankerSpec> policies, boolean decision)
            throws EventRejection {
        byte expected = decision ? BINARY_DECISION_MAGIC : BINARY_EVENT_MAGIC;
        if (value[0] != expected) {
            throw new EventRejection(
                    DeadLetterReason.MALFORMED_BINARY,
                    "A binary ranker "
                            + (decision ? "event" : "decision")
                            + " on the "
                            + (decision ? "decisions" : "events")
                            + " topic.");
        }
        ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        try {
            in.get();
            int version = in.get() & 0xff;
            if (version != VERSION) {
                throw new EventRejection(
                        DeadLetterReason.UNSUPPORTED_VERSION,
                        "Binary ranker records of version " + version + " are not read here.");
            }
            int flags = in.get() & 0xff;
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw new EventRejection(
                        DeadLetterReason.MALFORMED_BINARY, "Unknown flags " + flags + ".");
            }
            String policyId = string(in);
            RankerSpec spec = policy(policyId, policies);
            int seed = in.getInt();
            if (seed != spec.seed()) {
                throw new EventRejection(
                        DeadLetterReason.HASH_SEED_MISMATCH,
                        "The features were hashed with seed "
                                + seed
                                + "; ranker policy "
                                + spec.id()
                                + " has seed "
                                + spec.seed()
                                + ".");
            }
            HashedFeatures shared = features(in, spec);
            int count = in.getShort() & 0xffff;
            requireCandidateCount(count, spec);
            HashedFeatures[] candidates = new HashedFeatures[count];
            String[] ids = new String[count];
            for (int k = 0; k < count; k++) {
                String id = string(in);
                ids[k] = id.isEmpty() ? null : id;
                candidates[k] = features(in, spec);
            }
            int chosen = in.getShort() & 0xffff;
            double reward = decision ? Double.NaN : finite(in.getDouble(), "reward");
            double propensity =
                    (flags & PROPENSITY) != 0 ? finite(in.getDouble(), "propensity") : Double.NaN;
            long policyVersion = (flags & POLICY_VERSION) != 0 ? in.getLong() : -1;
            String baselineKey = (flags & BASELINE_KEY) != 0 ? string(in) : null;
            String eventId = (flags & EVENT_ID) != 0 ? string(in) : null;
            long timestamp = (flags & TIMESTAMP) != 0 ? in.getLong() : LoggedRanking.NO_TIMESTAMP;
            if (in.hasRemaining()) {
                throw new EventRejection(
                        DeadLetterReason.MALFORMED_BINARY,
                        in.remaining() + " bytes follow the ranker record.");
            }
            return new RankedDecision(
                    policyId,
                    shared,
                    candidates,
                    ids,
                    chosen,
                    reward,
                    propensity,
                    policyVersion,
                    baselineKey,
                    eventId,
                    timestamp);
        } catch (BufferUnderflowException e) {
            throw new EventRejection(
                    DeadLetterReason.MALFORMED_BINARY, "The binary ranker record is truncated.");
        }
    }

    /**
     * u16 namespaces; each i32 hash, u16 n, n x (i32 hash, f32 value); counts are checked early.
     */
    private static HashedFeatures features(ByteBuffer in, RankerSpec spec) throws EventRejection {
        HashedFeatures features = new HashedFeatures();
        int namespaces = in.getShort() & 0xffff;
        for (int n = 0; n < namespaces; n++) {
            features.namespace(in.getInt());
            int count = in.getShort() & 0xffff;
            if (features.featureCount() + count > spec.maxFeatures()) {
                throw new EventRejection(
                        DeadLetterReason.FEATURE_COUNT,
                        "More than "
                                + spec.maxFeatures()
                                + " features in a record of ranker policy "
                                + spec.id()
                                + ".");
            }
            for (int f = 0; f < count; f++) {
                int hash = in.getInt();
                float value = in.getFloat();
                if (!Float.isFinite(value)) {
                    throw new EventRejection(
                            DeadLetterReason.NON_FINITE, "A feature's value is " + value + ".");
                }
                features.add(hash, value);
            }
        }
        return features;
    }

    private static double finite(double value, String field) throws EventRejection {
        if (!Double.isFinite(value)) {
            throw new EventRejection(
                    DeadLetterReason.NON_FINITE, "The field " + field + " is " + value + ".");
        }
        return value;
    }

    private static String string(ByteBuffer in) throws EventRejection {
        int length = in.getShort() & 0xffff;
        if (length > 4 * MAX_STRING) {
            throw new EventRejection(
                    DeadLetterReason.MALFORMED_BINARY, "A string of " + length + " bytes.");
        }
        if (length == 0) {
            return "";
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        if (isAscii(bytes)) {
            // ASCII is valid UTF-8 as it is: no decoder to make, the common case.
            return new String(bytes, StandardCharsets.US_ASCII);
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new EventRejection(
                    DeadLetterReason.MALFORMED_BINARY, "A string is not valid UTF-8.");
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static String firstLine(Exception e) {
        String message =
                e instanceof JsonProcessingException json
                        ? json.getOriginalMessage()
                        : e.getMessage();
        if (message == null) {
            return "Malformed JSON.";
        }
        int newline = message.indexOf('\n');
        return abbreviate(newline < 0 ? message : message.substring(0, newline));
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 117) + "...";
    }
}
