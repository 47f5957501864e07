package org.flinkreinforce.formats.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The primitives of the formats' fast JSON readers: a cursor over a record's bytes that reads plain
 * strings, integers and numbers straight from them, with no tokens, strings or boxed numbers in
 * between, and answers "not here" (-1, {@link #FAILED}, NaN) for anything outside its strict
 * subset, so that its reader can give the record to Jackson. Numbers are correctly rounded to
 * double as Jackson rounds them: Clinger's fast path where the decimal mantissa and power of ten
 * are exact doubles, else {@link EiselLemire}, else {@link Double#parseDouble}. Not thread-safe.
 */
public abstract class FastJsonReader {

    /** What {@link #integer()} answers for anything but a plain integer of at most 18 digits. */
    protected static final long FAILED = Long.MIN_VALUE;

    private static final VarHandle EIGHT_BYTES =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };

    /** The record being read; null between records. */
    protected byte[] in;

    /** The cursor: the index of the next byte to read. */
    protected int pos;

    /** What {@link #key} answers where no plain string is next. */
    protected static final int NOT_A_KEY = -2;

    /**
     * A key in quotes: its index in {@code keys}, -1 for a name not among them, {@link #NOT_A_KEY}
     * where no plain string is next.
     */
    protected final int key(Utf8Names keys) {
        int start = plainString();
        return start < 0 ? NOT_A_KEY : keys.indexOf(in, start, pos - 1 - start);
    }

    /**
     * Moves past a string in quotes of printable ASCII without escapes and returns the index of its
     * first byte (its closing quote is at {@code pos - 1}); -1 for anything else.
     */
    protected final int plainString() {
        if (!consume('"')) {
            return -1;
        }
        int start = pos;
        return plainStringEnd() < 0 ? -1 : start;
    }

    /**
     * Moves past the closing quote of a string of printable ASCII without escapes and returns the
     * index of that quote; -1 for anything else.
     */
    protected final int plainStringEnd() {
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
    protected final long integer() {
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
    protected final double number() {
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
    protected final boolean ends(int at) {
        if (at >= in.length) {
            return false;
        }
        byte b = in[at];
        return b == ',' || b == ']' || b == '}' || b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }

    /** Moves past a colon and the whitespace around it; false where no colon is next. */
    protected final boolean colon() {
        skipWhitespace();
        if (!consume(':')) {
            return false;
        }
        skipWhitespace();
        return true;
    }

    protected final boolean consume(char expected) {
        if (pos < in.length && in[pos] == expected) {
            pos++;
            return true;
        }
        return false;
    }

    protected final void skipWhitespace() {
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
