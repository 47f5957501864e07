package org.flinkreinforce.formats.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The fast path of {@link EventDecoder} for JSON v1: reads the common shape of an event straight
 * from the bytes, with no tokens, strings or boxed numbers in between. It accepts a strict subset
 * of what Jackson accepts and gives up (returns {@code false}) on anything else: unknown or
 * repeated fields, {@code null}, escapes or non-ASCII bytes in strings, numbers it cannot convert
 * exactly, values the validation would reject. The decoder then reads the record with Jackson,
 * which classifies it. So the fast path never decides that a record is bad, and what it accepts it
 * decodes exactly as Jackson would: numbers are correctly rounded to double (Clinger's fast path
 * where the decimal mantissa and power of ten are exact doubles, else {@link EiselLemire}, else
 * {@link Double#parseDouble}), then to float, as the Jackson path does. A field that its {@link
 * RecordKind} does not read (a decision's reward, say) is unknown here. Not thread-safe.
 */
final class FastJsonEventReader {

    private static final long FAILED = Long.MIN_VALUE;

    private static final VarHandle EIGHT_BYTES =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };

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

    private byte[] in;
    private int pos;

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
            int key = key();
            if (key < 0 || (seen & (1 << key)) != 0 || (readKeys & (1 << key)) == 0) {
                return false;
            }
            seen |= 1 << key;
            skipWhitespace();
            if (!consume(':')) {
                return false;
            }
            skipWhitespace();
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

    /** A key in quotes: its index in {@link #KEYS}, or -1. */
    private int key() {
        if (!consume('"')) {
            return -1;
        }
        int start = pos;
        int end = plainStringEnd();
        if (end < 0) {
            return -1;
        }
        return KEYS.indexOf(in, start, end - start);
    }

    /** A string of printable ASCII without escapes; null where it is anything else. */
    private String string(boolean policyId) {
        if (!consume('"')) {
            return null;
        }
        int start = pos;
        int end = plainStringEnd();
        if (end < 0) {
            return null;
        }
        String known = policyId ? policyIds.find(in, start, end - start) : null;
        return known != null
                ? known
                : new String(in, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * Moves past the closing quote of a string of printable ASCII without escapes and returns the
     * index of that quote; -1 for anything else.
     */
    private int plainStringEnd() {
        byte[] bytes = in;
        for (int k = pos; k < bytes.length; k++) {
            byte b = bytes[k];
            if (b == '"') {
                pos = k + 1;
                return k;
            }
            if (b < 0x20 || b > 0x7E || b == '\\') {
                return -1;
            }
        }
        return -1;
    }

    /** A JSON integer of at most 18 digits; {@link #FAILED} for anything else. */
    private long integer() {
        byte[] bytes = in;
        int at = pos;
        boolean negative = at < bytes.length && bytes[at] == '-';
        if (negative) {
            at++;
        }
        int start = at;
        long value = 0;
        while (at < bytes.length && bytes[at] >= '0' && bytes[at] <= '9') {
            value = value * 10 + (bytes[at] - '0');
            at++;
        }
        int digits = at - start;
        if (digits == 0 || digits > 18 || (digits > 1 && bytes[start] == '0') || !ends(at)) {
            return FAILED;
        }
        pos = at;
        return negative ? -value : value;
    }

    /** A finite JSON number as the nearest double; NaN for anything else. */
    private double number() {
        byte[] bytes = in;
        int start = pos;
        int at = pos;
        boolean negative = at < bytes.length && bytes[at] == '-';
        if (negative) {
            at++;
        }
        // The decimal mantissa of at most 18 significant digits and its power of ten; digits
        // beyond 18 make the number inexact here and leave it to Double.parseDouble.
        long mantissa = 0;
        int significant = 0;
        int exponent = 0;
        boolean inexact = false;
        int integerStart = at;
        while (at < bytes.length && isDigit(bytes[at])) {
            int digit = bytes[at] - '0';
            if (mantissa != 0 || digit != 0) {
                if (significant < 18) {
                    mantissa = mantissa * 10 + digit;
                    significant++;
                } else {
                    inexact = true;
                    exponent++;
                }
            }
            at++;
        }
        int integerDigits = at - integerStart;
        if (integerDigits == 0 || (integerDigits > 1 && bytes[integerStart] == '0')) {
            return Double.NaN;
        }
        boolean integerToken = true;
        if (at < bytes.length && bytes[at] == '.') {
            integerToken = false;
            at++;
            int fractionStart = at;
            // Up to eight fraction digits at a time (SWAR) while they fit the 18 significant ones:
            // a short run is padded with zeros, which in a fraction only add trailing zeros.
            while (significant <= 10 && at + 8 <= bytes.length) {
                long digits = (long) EIGHT_BYTES.get(bytes, at) ^ 0x3030303030303030L;
                long nonDigits =
                        (((digits & 0x7F7F7F7F7F7F7F7FL) + 0x7676767676767676L) | digits)
                                & 0x8080808080808080L;
                int count = Long.numberOfTrailingZeros(nonDigits) >>> 3;
                if (count == 0) {
                    break;
                }
                if (count < 8) {
                    digits &= (1L << (count << 3)) - 1;
                }
                long value = eightDigits(digits);
                if (mantissa != 0 || value != 0) {
                    significant += 8;
                }
                mantissa = mantissa * 100_000_000L + value;
                exponent -= 8;
                at += count;
                if (count < 8) {
                    break;
                }
            }
            while (at < bytes.length && isDigit(bytes[at])) {
                int digit = bytes[at] - '0';
                if (mantissa != 0 || digit != 0) {
                    if (significant < 18) {
                        mantissa = mantissa * 10 + digit;
                        significant++;
                        exponent--;
                    } else {
                        inexact = true;
                    }
                } else {
                    exponent--;
                }
                at++;
            }
            if (at == fractionStart) {
                return Double.NaN;
            }
        }
        if (at < bytes.length && (bytes[at] == 'e' || bytes[at] == 'E')) {
            integerToken = false;
            at++;
            boolean negativeExponent = false;
            if (at < bytes.length && (bytes[at] == '+' || bytes[at] == '-')) {
                negativeExponent = bytes[at] == '-';
                at++;
            }
            int exponentStart = at;
            int explicit = 0;
            while (at < bytes.length && isDigit(bytes[at])) {
                explicit = explicit * 10 + (bytes[at] - '0');
                at++;
            }
            if (at == exponentStart || at - exponentStart > 4) {
                return Double.NaN;
            }
            exponent += negativeExponent ? -explicit : explicit;
        }
        if (!ends(at)) {
            return Double.NaN;
        }
        double value = Double.NaN;
        if (!inexact && mantissa <= (1L << 53) && exponent >= -22 && exponent <= 22) {
            // Clinger's fast path: both factors are exact doubles, one rounding.
            value = mantissa;
            value =
                    exponent < 0
                            ? value / POWERS_OF_TEN[-exponent]
                            : value * POWERS_OF_TEN[exponent];
            // Jackson reads an integer token as a long, so "-0" is +0.0 there.
            value = negative && !(integerToken && mantissa == 0) ? -value : value;
        } else if (!inexact) {
            value = EiselLemire.toDouble(mantissa, exponent, negative);
        }
        if (Double.isNaN(value)) {
            if (at - start > 100) {
                return Double.NaN;
            }
            value =
                    Double.parseDouble(
                            new String(bytes, start, at - start, StandardCharsets.ISO_8859_1));
        }
        if (!Double.isFinite(value)) {
            return Double.NaN;
        }
        pos = at;
        return value;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /**
     * The value of eight decimal digits, one per byte (0 to 9, the first in the lowest byte), by
     * fast_float's three multiplications.
     */
    private static long eightDigits(long digits) {
        long value = (digits * 10) + (digits >>> 8);
        value =
                (((value & 0x000000FF000000FFL) * (100 + (1000000L << 32)))
                                + (((value >>> 16) & 0x000000FF000000FFL) * (1 + (10000L << 32))))
                        >>> 32;
        return value;
    }

    /** Whether a number ending before {@code at} is properly delimited. */
    private boolean ends(int at) {
        if (at >= in.length) {
            return false;
        }
        byte b = in[at];
        return b == ',' || b == ']' || b == '}' || b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    private boolean consume(char expected) {
        if (pos < in.length && in[pos] == expected) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipWhitespace() {
        byte[] bytes = in;
        while (pos < bytes.length) {
            byte b = bytes[pos];
            if (b != ' ' && b != '\n' && b != '\t' && b != '\r') {
                return;
            }
            pos++;
        }
    }
}
