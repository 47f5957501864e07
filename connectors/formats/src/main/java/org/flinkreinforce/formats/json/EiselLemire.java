package org.flinkreinforce.formats.json;

import java.math.BigInteger;

/**
 * Decimal to double, correctly rounded, by the Eisel-Lemire algorithm (D. Lemire, "Number Parsing
 * at a Gigabyte per Second", 2021; as in Go's strconv and fast_float): one or two 64 x 64-bit
 * products with a 128-bit truncated power of ten decide the rounding of all but the rarest inputs,
 * for which it answers NaN and the caller falls back to {@link Double#parseDouble}.
 */
final class EiselLemire {

    static final int MIN_EXPONENT = -348;
    static final int MAX_EXPONENT = 347;

    /** The 128-bit mantissa of 10^e, most significant bit set, rounded down: high, low words. */
    private static final long[] HIGH = new long[MAX_EXPONENT - MIN_EXPONENT + 1];

    private static final long[] LOW = new long[MAX_EXPONENT - MIN_EXPONENT + 1];

    static {
        BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        for (int e = MIN_EXPONENT; e <= MAX_EXPONENT; e++) {
            BigInteger mantissa;
            if (e >= 0) {
                BigInteger power = BigInteger.TEN.pow(e);
                int bits = power.bitLength();
                mantissa = bits > 128 ? power.shiftRight(bits - 128) : power.shiftLeft(128 - bits);
            } else {
                BigInteger power = BigInteger.TEN.pow(-e);
                mantissa = BigInteger.ONE.shiftLeft(power.bitLength() + 127).divide(power);
            }
            HIGH[e - MIN_EXPONENT] = mantissa.shiftRight(64).longValue();
            LOW[e - MIN_EXPONENT] = mantissa.and(mask).longValue();
        }
    }

    private EiselLemire() {}

    /**
     * {@code mantissa x 10^exponent} (mantissa read as unsigned) as the nearest double, negated if
     * {@code negative}; NaN where this method cannot decide (then use {@link Double#parseDouble}).
     */
    static double toDouble(long mantissa, int exponent, boolean negative) {
        if (mantissa == 0) {
            return negative ? -0.0 : 0.0;
        }
        if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
            return Double.NaN;
        }
        int leadingZeros = Long.numberOfLeadingZeros(mantissa);
        long man = mantissa << leadingZeros;
        long exponent2 = ((217706L * exponent) >> 16) + 64 + 1023 - leadingZeros;
        int index = exponent - MIN_EXPONENT;
        long xHigh = unsignedMultiplyHigh(man, HIGH[index]);
        long xLow = man * HIGH[index];
        if ((xHigh & 0x1FF) == 0x1FF && Long.compareUnsigned(xLow + man, man) < 0) {
            long yHigh = unsignedMultiplyHigh(man, LOW[index]);
            long yLow = man * LOW[index];
            long mergedHigh = xHigh;
            long mergedLow = xLow + yHigh;
            if (Long.compareUnsigned(mergedLow, xLow) < 0) {
                mergedHigh++;
            }
            if ((mergedHigh & 0x1FF) == 0x1FF
                    && mergedLow + 1 == 0
                    && Long.compareUnsigned(yLow + man, man) < 0) {
                return Double.NaN;
            }
            xHigh = mergedHigh;
            xLow = mergedLow;
        }
        long msb = xHigh >>> 63;
        long result = xHigh >>> (msb + 9);
        exponent2 -= 1 ^ msb;
        if (xLow == 0 && (xHigh & 0x1FF) == 0 && (result & 3) == 1) {
            return Double.NaN;
        }
        result += result & 1;
        result >>>= 1;
        if ((result >>> 53) > 0) {
            result >>>= 1;
            exponent2++;
        }
        if (Long.compareUnsigned(exponent2 - 1, 0x7FF - 1) >= 0) {
            return Double.NaN;
        }
        long bits = (exponent2 << 52) | (result & 0x000FFFFFFFFFFFFFL);
        if (negative) {
            bits |= 0x8000000000000000L;
        }
        return Double.longBitsToDouble(bits);
    }

    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }
}
