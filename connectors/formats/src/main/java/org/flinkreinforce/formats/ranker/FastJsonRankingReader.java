package org.flinkreinforce.formats.ranker;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.flinkreinforce.formats.json.FastJsonReader;
import org.flinkreinforce.formats.json.Utf8Names;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.MurmurHash3;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * The fast path of {@link RankingCodec#decode} for JSON v1 ranker records: reads the common shape
 * straight from the bytes and hashes each feature name from them ({@link FeatureHasher}'s contract
 * over the bytes, which for printable ASCII are the name's UTF-8), with no tokens, strings, {@code
 * Features} or boxed numbers in between. Like the events' fast reader it accepts a strict subset of
 * what the Jackson reader accepts and gives up (returns null) on anything else, which that reader
 * then reads and classifies: unknown or repeated fields, namespaces or feature names; {@code null};
 * escapes or bytes outside printable ASCII in strings; numbers it cannot convert exactly; {@code
 * policyId} after {@code shared} or {@code candidates} (the seed is not known yet); a policy that
 * is not configured; more candidates than the policy takes; an empty namespace. What it accepts it
 * reads exactly as the Jackson reader does, hashes included. Not thread-safe.
 */
final class FastJsonRankingReader extends FastJsonReader {

    private static final int V = 0;
    private static final int POLICY_ID = 1;
    private static final int SHARED = 2;
    private static final int CANDIDATES = 3;
    private static final int CHOSEN = 4;
    private static final int REWARD = 5;
    private static final int PROPENSITY = 6;
    private static final int POLICY_VERSION = 7;
    private static final int BASELINE_KEY = 8;
    private static final int EVENT_ID = 9;
    private static final int TIMESTAMP = 10;

    private static final Utf8Names KEYS =
            new Utf8Names(
                    List.of(
                            "v",
                            "policyId",
                            "shared",
                            "candidates",
                            "chosen",
                            "reward",
                            "propensity",
                            "policyVersion",
                            "baselineKey",
                            "eventId",
                            "timestamp"));

    private static final int CANDIDATE_ID = 0;
    private static final int CANDIDATE_FEATURES = 1;
    private static final Utf8Names CANDIDATE_KEYS = new Utf8Names(List.of("id", "features"));

    /** The top-level fields that route a record: a ranker's two, then the softmax decisions'. */
    private static final Utf8Names ROUTE_KEYS =
            new Utf8Names(List.of("policyId", "candidates", "features", "action", "actions"));

    /** Below this many names an object's names are compared pairwise, else sorted. */
    private static final int PAIRWISE = 16;

    /** {@code name=value} of a string feature, to hash. */
    private byte[] joined = new byte[64];

    /** The names of the object being read: their hashes, then starts and lengths in the record. */
    private int[] nameKeys = new int[16];

    private int[] nameStarts = new int[16];
    private int[] nameLengths = new int[16];

    private HashedFeatures[] candidates = new HashedFeatures[16];
    private String[] candidateIds = new String[16];

    private RankerSpec spec;

    /** The policies of the last read, and their ids looked up by their bytes in the record. */
    private Map<String, RankerSpec> namedPolicies;

    private Utf8Names policyNames;

    /**
     * The record {@code value} read against {@code policies}, or null where it is outside the
     * subset (which says nothing about its validity). The caller validates what it returns as it
     * does the Jackson reader's.
     */
    RankedDecision read(byte[] value, Map<String, RankerSpec> policies, boolean decision) {
        if (policies != namedPolicies) {
            policyNames = new Utf8Names(policies.keySet());
            namedPolicies = policies;
        }
        in = value;
        pos = 0;
        spec = null;
        try {
            return readObject(policies, decision);
        } finally {
            in = null;
            spec = null;
            Arrays.fill(candidates, null);
        }
    }

    /**
     * The policy id of {@code value} where it is a JSON object with a top-level {@code candidates}
     * field, a {@code policyId} of printable ASCII without escapes and none of {@code features},
     * {@code action} or {@code actions} (so that no softmax policy's reader takes it); null where
     * it is anything else or too broken to tell at a glance. Values are skipped, not checked: the
     * ranker's full reading checks them.
     */
    String rankerPolicyId(byte[] value) {
        in = value;
        pos = 0;
        try {
            skipWhitespace();
            if (!consume('{')) {
                return null;
            }
            // The policy id's place: a string is made only for a ranker record.
            int policyStart = -1;
            int policyEnd = -1;
            boolean candidates = false;
            while (true) {
                skipWhitespace();
                int key = key(ROUTE_KEYS);
                if (key == NOT_A_KEY || !colon()) {
                    return null;
                }
                if (key == 0) {
                    if (policyStart >= 0) {
                        return null;
                    }
                    policyStart = plainString();
                    policyEnd = pos - 1;
                    if (policyStart < 0 || policyEnd - policyStart > RankingCodec.MAX_STRING) {
                        return null;
                    }
                } else if (key == 1 && !candidates) {
                    candidates = true;
                    if (!skipValue()) {
                        return null;
                    }
                } else if (key != -1 || !skipValue()) {
                    return null;
                }
                skipWhitespace();
                if (consume('}')) {
                    break;
                }
                if (!consume(',')) {
                    return null;
                }
            }
            skipWhitespace();
            return pos == in.length && candidates && policyStart >= 0
                    ? new String(
                            in, policyStart, policyEnd - policyStart, StandardCharsets.ISO_8859_1)
                    : null;
        } finally {
            in = null;
        }
    }

    /** Moves past a value: a string, an array or object (by its brackets) or a scalar. */
    private boolean skipValue() {
        byte[] bytes = in;
        int depth = 0;
        boolean inString = false;
        for (int at = pos; at < bytes.length; at++) {
            byte b = bytes[at];
            if (inString) {
                if (b == '\\') {
                    at++;
                } else if (b == '"') {
                    inString = false;
                    if (depth == 0) {
                        pos = at + 1;
                        return true;
                    }
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                if (depth == 0) {
                    boolean empty = at == pos;
                    pos = at;
                    return !empty;
                }
                if (--depth == 0) {
                    pos = at + 1;
                    return true;
                }
            } else if (depth == 0
                    && (b == ',' || b == ' ' || b == '\n' || b == '\t' || b == '\r')) {
                boolean empty = at == pos;
                pos = at;
                return !empty;
            }
        }
        return false;
    }

    private RankedDecision readObject(Map<String, RankerSpec> policies, boolean decision) {
        skipWhitespace();
        if (!consume('{')) {
            return null;
        }
        String policyId = null;
        HashedFeatures shared = null;
        int candidateCount = -1;
        long chosen = FAILED;
        double reward = Double.NaN;
        double propensity = Double.NaN;
        long policyVersion = -1;
        String baselineKey = null;
        String eventId = null;
        long timestamp = LoggedRanking.NO_TIMESTAMP;
        int seen = 0;
        while (true) {
            skipWhitespace();
            int key = key(KEYS);
            if (key < 0 || (seen & (1 << key)) != 0) {
                return null;
            }
            seen |= 1 << key;
            if (!colon()) {
                return null;
            }
            switch (key) {
                case V:
                    if (integer() != RankingCodec.VERSION) {
                        return null;
                    }
                    break;
                case POLICY_ID:
                    policyId = policyId();
                    spec = policyId == null ? null : policies.get(policyId);
                    if (spec == null) {
                        return null;
                    }
                    break;
                case SHARED:
                    shared = spec == null ? null : features(new HashedFeatures());
                    if (shared == null) {
                        return null;
                    }
                    break;
                case CANDIDATES:
                    candidateCount = spec == null ? -1 : candidates();
                    if (candidateCount < 0) {
                        return null;
                    }
                    break;
                case CHOSEN:
                    chosen = integer();
                    if (chosen == FAILED) {
                        return null;
                    }
                    break;
                case REWARD:
                    reward = number();
                    if (Double.isNaN(reward)) {
                        return null;
                    }
                    break;
                case PROPENSITY:
                    propensity = number();
                    if (Double.isNaN(propensity)) {
                        return null;
                    }
                    break;
                case POLICY_VERSION:
                    policyVersion = integer();
                    if (policyVersion == FAILED) {
                        return null;
                    }
                    break;
                case BASELINE_KEY:
                    baselineKey = string();
                    if (baselineKey == null) {
                        return null;
                    }
                    break;
                case EVENT_ID:
                    eventId = string();
                    if (eventId == null) {
                        return null;
                    }
                    break;
                default:
                    timestamp = integer();
                    if (timestamp == FAILED) {
                        return null;
                    }
                    break;
            }
            skipWhitespace();
            if (consume(',')) {
                continue;
            }
            if (consume('}')) {
                break;
            }
            return null;
        }
        skipWhitespace();
        if (pos != in.length || policyId == null || candidateCount < 0 || chosen == FAILED) {
            return null;
        }
        return new RankedDecision(
                policyId,
                shared == null ? new HashedFeatures() : shared,
                Arrays.copyOf(candidates, candidateCount),
                Arrays.copyOf(candidateIds, candidateCount),
                (int) Math.max(-1, Math.min(chosen, Integer.MAX_VALUE)),
                decision ? Double.NaN : reward,
                propensity,
                policyVersion,
                baselineKey,
                eventId,
                timestamp);
    }

    /** The candidates into {@link #candidates}: their count, or -1. */
    private int candidates() {
        if (!consume('[')) {
            return -1;
        }
        int count = 0;
        skipWhitespace();
        if (consume(']')) {
            return 0;
        }
        while (true) {
            if (count == spec.maxCandidates()) {
                return -1;
            }
            if (count == candidates.length) {
                candidates = Arrays.copyOf(candidates, 2 * count);
                candidateIds = Arrays.copyOf(candidateIds, 2 * count);
            }
            if (!candidate(count)) {
                return -1;
            }
            count++;
            skipWhitespace();
            if (consume(']')) {
                return count;
            }
            if (!consume(',')) {
                return -1;
            }
            skipWhitespace();
        }
    }

    private boolean candidate(int index) {
        if (!consume('{')) {
            return false;
        }
        String id = null;
        HashedFeatures features = new HashedFeatures();
        skipWhitespace();
        if (!consume('}')) {
            int seen = 0;
            while (true) {
                int key = key(CANDIDATE_KEYS);
                if (key < 0 || (seen & (1 << key)) != 0) {
                    return false;
                }
                seen |= 1 << key;
                if (!colon()) {
                    return false;
                }
                if (key == CANDIDATE_ID) {
                    id = string();
                    if (id == null) {
                        return false;
                    }
                } else if (features(features) == null) {
                    return false;
                }
                skipWhitespace();
                if (consume('}')) {
                    break;
                }
                if (!consume(',')) {
                    return false;
                }
                skipWhitespace();
            }
        }
        candidates[index] = features;
        candidateIds[index] = id;
        return true;
    }

    /**
     * {@code {"ns": {"name": number|string, ...} | [numbers], ...}} hashed into {@code out}; null
     * where it is outside the subset.
     */
    private HashedFeatures features(HashedFeatures out) {
        if (!consume('{')) {
            return null;
        }
        skipWhitespace();
        if (consume('}')) {
            return out;
        }
        int first = out.namespaceCount();
        while (true) {
            int start = plainString();
            if (start < 0) {
                return null;
            }
            int namespace = MurmurHash3.hash(in, start, pos - 1 - start, spec.seed());
            out.namespace(namespace);
            if (!colon()) {
                return null;
            }
            boolean read =
                    pos < in.length && in[pos] == '['
                            ? dense(namespace, out)
                            : named(namespace, out);
            if (!read) {
                return null;
            }
            skipWhitespace();
            if (consume('}')) {
                break;
            }
            if (!consume(',')) {
                return null;
            }
            skipWhitespace();
        }
        // Namespaces are told apart by their hashes: two names of one hash send the record to
        // Jackson, which refuses a repeated name (and reads a true collision as it should).
        int count = out.namespaceCount() - first;
        ensureNames(count);
        for (int k = 0; k < count; k++) {
            nameKeys[k] = out.namespaceHash(first + k);
        }
        return distinct(count) ? out : null;
    }

    /** A non-empty array of numbers, each a finite float32: feature {@code i} is element i. */
    private boolean dense(int namespace, HashedFeatures out) {
        pos++;
        skipWhitespace();
        int index = 0;
        while (true) {
            float value = (float) number();
            if (!Float.isFinite(value)) {
                return false;
            }
            out.add(FeatureHasher.indexed(namespace, index++), value);
            skipWhitespace();
            if (consume(']')) {
                return true;
            }
            if (!consume(',')) {
                return false;
            }
            skipWhitespace();
        }
    }

    /** A non-empty object of named features, each a finite float32 or a plain string. */
    private boolean named(int namespace, HashedFeatures out) {
        if (!consume('{')) {
            return false;
        }
        int count = 0;
        while (true) {
            skipWhitespace();
            int start = plainString();
            if (start < 0) {
                return false;
            }
            int end = pos - 1;
            ensureNames(count + 1);
            nameStarts[count] = start;
            nameLengths[count] = end - start;
            count++;
            if (!colon()) {
                return false;
            }
            if (pos < in.length && in[pos] == '"') {
                int valueStart = plainString();
                if (valueStart < 0) {
                    return false;
                }
                out.add(categorical(namespace, start, end, valueStart, pos - 1), 1f);
            } else {
                float value = (float) number();
                if (!Float.isFinite(value)) {
                    return false;
                }
                out.add(MurmurHash3.hash(in, start, end - start, namespace), value);
            }
            skipWhitespace();
            if (consume('}')) {
                break;
            }
            if (!consume(',')) {
                return false;
            }
        }
        if (count == 1) {
            return true;
        }
        for (int k = 0; k < count; k++) {
            nameKeys[k] = MurmurHash3.hash(in, nameStarts[k], nameLengths[k], namespace);
        }
        return distinct(count);
    }

    /** The hash of {@code name=value}, both in the record. */
    private int categorical(
            int namespace, int nameStart, int nameEnd, int valueStart, int valueEnd) {
        int nameLength = nameEnd - nameStart;
        int valueLength = valueEnd - valueStart;
        int length = nameLength + 1 + valueLength;
        if (length > joined.length) {
            joined = new byte[Math.max(length, 2 * joined.length)];
        }
        System.arraycopy(in, nameStart, joined, 0, nameLength);
        joined[nameLength] = '=';
        System.arraycopy(in, valueStart, joined, nameLength + 1, valueLength);
        return MurmurHash3.hash(joined, 0, length, namespace);
    }

    /** Whether the first {@code count} of {@link #nameKeys} differ from each other. */
    private boolean distinct(int count) {
        if (count <= PAIRWISE) {
            for (int i = 1; i < count; i++) {
                for (int j = 0; j < i; j++) {
                    if (nameKeys[i] == nameKeys[j]) {
                        return false;
                    }
                }
            }
            return true;
        }
        Arrays.sort(nameKeys, 0, count);
        for (int i = 1; i < count; i++) {
            if (nameKeys[i] == nameKeys[i - 1]) {
                return false;
            }
        }
        return true;
    }

    private void ensureNames(int count) {
        if (count > nameKeys.length) {
            int size = Math.max(count, 2 * nameKeys.length);
            nameKeys = Arrays.copyOf(nameKeys, size);
            nameStarts = Arrays.copyOf(nameStarts, size);
            nameLengths = Arrays.copyOf(nameLengths, size);
        }
    }

    /** The id of one of the policies, as a plain string; null for anything else. */
    private String policyId() {
        int start = plainString();
        return start < 0 || pos - 1 - start > RankingCodec.MAX_STRING
                ? null
                : policyNames.find(in, start, pos - 1 - start);
    }

    /** A plain string (printable ASCII, no escapes) of at most 256 characters, or null. */
    private String string() {
        int start = plainString();
        return start < 0 || pos - 1 - start > RankingCodec.MAX_STRING
                ? null
                : new String(in, start, pos - 1 - start, StandardCharsets.ISO_8859_1);
    }
}
