package org.flinkreinforce.formats.event;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.flinkreinforce.formats.json.FastJsonReader;
import org.flinkreinforce.formats.json.Utf8Names;

/**
 * The fast path of {@link EventDecoder} for JSON v1: reads the common shape of an event straight
 * from the bytes, with no tokens, strings or boxed numbers in between. It accepts a strict subset
 * of what Jackson accepts and gives up (returns {@code false}) on anything else: unknown or
 * repeated fields, {@code null}, escapes or non-ASCII bytes in strings, numbers it cannot convert
 * exactly, values the validation would reject. The decoder then reads the record with Jackson,
 * which classifies it. So the fast path never decides that a record is bad, and what it accepts it
 * decodes exactly as Jackson would: numbers are correctly rounded to double ({@link
 * FastJsonReader}), then to float, as the Jackson path does. A field that its {@link RecordKind}
 * does not read (a decision's reward, say) is unknown here. Not thread-safe.
 */
final class FastJsonEventReader extends FastJsonReader {

    private static final int V = 0;
    private static final int POLICY_ID = 1;
    private static final int FEATURES = 2;
    private static final int ACTION = 3;
    private static final int ACTIONS = 4;
    private static final int REWARD = 5;

    /** The index of the first {@link OptionalField} in {@link #KEYS}. */
    private static final int FIRST_OPTIONAL = 6;

    /** The field names: the required ones in the order of the constants above, then the others. */
    private static final Utf8Names KEYS = new Utf8Names(keys());

    private final Utf8Names policyIds;

    /** Bit k set: the kind reads the k-th of {@link #KEYS}. */
    private final int readKeys;

    FastJsonEventReader(Collection<String> policyIds) {
        this(RecordKind.EVENT, policyIds);
    }

    FastJsonEventReader(RecordKind kind, Collection<String> policyIds) {
        this.policyIds = new Utf8Names(policyIds);
        List<String> keys = keys();
        int read = 0;
        for (int k = 0; k < keys.size(); k++) {
            read |= kind.reads(keys.get(k)) ? 1 << k : 0;
        }
        this.readKeys = read;
    }

    /**
     * Reads {@code value} into {@code draft}; {@code false} where the record is outside the fast
     * path's subset (which says nothing about its validity).
     */
    boolean read(byte[] value, EventDraft draft) {
        in = value;
        pos = 0;
        try {
            return readObject(draft);
        } finally {
            in = null;
        }
    }

    private boolean readObject(EventDraft draft) {
        skipWhitespace();
        if (!consume('{')) {
            return false;
        }
        int seen = 0;
        while (true) {
            skipWhitespace();
            int key = key(KEYS);
            if (key < 0 || (seen & (1 << key)) != 0 || (readKeys & (1 << key)) == 0) {
                return false;
            }
            seen |= 1 << key;
            if (!colon()) {
                return false;
            }
            if (!value(key, draft)) {
                return false;
            }
            skipWhitespace();
            if (consume(',')) {
                continue;
            }
            if (consume('}')) {
                break;
            }
            return false;
        }
        skipWhitespace();
        return pos == in.length;
    }

    private boolean value(int key, EventDraft draft) {
        switch (key) {
            case V:
                return integer() == RecordKind.VERSION;
            case POLICY_ID:
                draft.policyId = string(true);
                return draft.policyId != null;
            case FEATURES:
                return features(draft);
            case ACTION:
                {
                    long action = integer();
                    if (draft.actionsField != EventDraft.ActionsField.MISSING
                            || action == FAILED
                            || action < Integer.MIN_VALUE
                            || action > Integer.MAX_VALUE) {
                        return false;
                    }
                    draft.singleAction((int) action);
                    return true;
                }
            case ACTIONS:
                return draft.actionsField == EventDraft.ActionsField.MISSING && actions(draft);
            case REWARD:
                draft.reward = number();
                draft.hasReward = true;
                return !Double.isNaN(draft.reward);
            default:
                return optional(OptionalField.ALL.get(key - FIRST_OPTIONAL), draft);
        }
    }

    /** An optional field's value; false where the field would reject it. */
    private boolean optional(OptionalField field, EventDraft draft) {
        try {
            switch (field.type) {
                case FLOAT32:
                    {
                        double value = number();
                        if (Double.isNaN(value)) {
                            return false;
                        }
                        field.setNumber(draft, value);
                        return true;
                    }
                case INT64:
                    {
                        long value = integer();
                        if (value == FAILED) {
                            return false;
                        }
                        field.setInteger(draft, value);
                        return true;
                    }
                default:
                    {
                        String value = string(false);
                        if (value == null) {
                            return false;
                        }
                        field.setString(draft, value);
                        return true;
                    }
            }
        } catch (EventRejection invalid) {
            return false;
        }
    }

    private static List<String> keys() {
        List<String> keys =
                new ArrayList<>(
                        List.of("v", "policyId", "features", "action", "actions", "reward"));
        for (OptionalField field : OptionalField.ALL) {
            keys.add(field.jsonName);
        }
        return keys;
    }

    private boolean features(EventDraft draft) {
        if (!consume('[')) {
            return false;
        }
        float[] buffer = draft.features;
        int count = 0;
        skipWhitespace();
        if (!consume(']')) {
            while (true) {
                double value = number();
                float single = (float) value;
                if (!Float.isFinite(single)) {
                    return false;
                }
                if (count == buffer.length) {
                    if (count >= in.length) {
                        return false;
                    }
                    buffer = Arrays.copyOf(buffer, count * 2);
                    draft.features = buffer;
                }
                buffer[count++] = single;
                skipWhitespace();
                if (consume(']')) {
                    break;
                }
                if (!consume(',')) {
                    return false;
                }
                skipWhitespace();
            }
        }
        draft.features(count);
        return true;
    }

    private boolean actions(EventDraft draft) {
        if (!consume('[')) {
            return false;
        }
        int[] buffer = draft.actions;
        int count = 0;
        skipWhitespace();
        if (!consume(']')) {
            while (true) {
                long action = integer();
                if (action == FAILED
                        || action < Integer.MIN_VALUE
                        || action > Integer.MAX_VALUE
                        || count == buffer.length) {
                    return false;
                }
                buffer[count++] = (int) action;
                skipWhitespace();
                if (consume(']')) {
                    break;
                }
                if (!consume(',')) {
                    return false;
                }
                skipWhitespace();
            }
        }
        draft.actionArray(count);
        return true;
    }

    /** A string of printable ASCII without escapes; null where it is anything else. */
    private String string(boolean policyId) {
        int start = plainString();
        if (start < 0) {
            return null;
        }
        int end = pos - 1;
        String known = policyId ? policyIds.find(in, start, end - start) : null;
        return known != null
                ? known
                : new String(in, start, end - start, StandardCharsets.ISO_8859_1);
    }
}
