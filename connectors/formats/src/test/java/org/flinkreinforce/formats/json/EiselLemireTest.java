package org.flinkreinforce.formats.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Eisel-Lemire against {@link Double#parseDouble}, bit for bit, wherever it answers. */
class EiselLemireTest {

    @Test
    void shouldRoundEveryDecimalAsParseDoubleDoes() {
        Random random = new Random(3);
        int decided = 0;
        int cases = 1_000_000;
        for (int k = 0; k < cases; k++) {
            long mantissa;
            int exponent;
            switch (k % 4) {
                case 0:
                    // Shortest decimals of random doubles: what Double.toString writes.
                    double value = Double.longBitsToDouble(random.nextLong() & 0x7FEFFFFFFFFFFFFFL);
                    java.math.BigDecimal decimal = new java.math.BigDecimal(Double.toString(value));
                    mantissa = decimal.unscaledValue().longValue();
                    exponent = -decimal.scale();
                    break;
                case 1:
                    mantissa = random.nextLong() >>> (1 + random.nextInt(63));
                    exponent = random.nextInt(60) - 30;
                    break;
                case 2:
                    mantissa = 1 + random.nextInt(999_999_999);
                    exponent = random.nextInt(700) - 350;
                    break;
                default:
                    // Halfway and near-halfway cases: 17 to 19 digits.
                    mantissa =
                            Long.parseUnsignedLong(
                                    Long.toString(
                                                            100_000_000_000_000_000L
                                                                    + (random.nextLong() >>> 8))
                                                    .substring(0, 17)
                                            + (random.nextBoolean() ? "5" : "49"));
                    exponent = random.nextInt(40) - 330 + random.nextInt(2) * 320;
            }
            boolean negative = random.nextBoolean();
            double expected =
                    Double.parseDouble(
                            (negative ? "-" : "")
                                    + Long.toUnsignedString(mantissa)
                                    + "e"
                                    + exponent);
            double actual = EiselLemire.toDouble(mantissa, exponent, negative);
            if (!Double.isNaN(actual)) {
                decided++;
                assertThat(Double.doubleToRawLongBits(actual))
                        .as(
                                "%s%se%d",
                                negative ? "-" : "", Long.toUnsignedString(mantissa), exponent)
                        .isEqualTo(Double.doubleToRawLongBits(expected));
            }
        }
        // It leaves only a sliver (and what over- or underflows) to parseDouble.
        assertThat(decided).isGreaterThan(cases * 8 / 10);
    }
}
