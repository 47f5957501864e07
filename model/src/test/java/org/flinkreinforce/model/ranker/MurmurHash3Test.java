package org.flinkreinforce.model.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MurmurHash3Test {

    /** Published test vectors of MurmurHash3 x86 32-bit (seed 0x9747b28c unless named). */
    @Test
    void shouldMatchThePublishedVectors() {
        int seed = 0x9747b28c;
        assertThat(MurmurHash3.hashUtf8("", 0)).isZero();
        assertThat(MurmurHash3.hashUtf8("", 1)).isEqualTo(0x514e28b7);
        assertThat(MurmurHash3.hashUtf8("", 0xffffffff)).isEqualTo(0x81f16f39);
        assertThat(MurmurHash3.hash(new byte[4], 0, 4, 0)).isEqualTo(0x2362f9de);
        assertThat(MurmurHash3.hashUtf8("a", seed)).isEqualTo(0x7fa09ea6);
        assertThat(MurmurHash3.hashUtf8("ab", seed)).isEqualTo(0x74875592);
        assertThat(MurmurHash3.hashUtf8("abc", seed)).isEqualTo(0xc84a62dd);
        assertThat(MurmurHash3.hashUtf8("abcd", seed)).isEqualTo(0xf0478627);
        assertThat(MurmurHash3.hashUtf8("aaaa", seed)).isEqualTo(0x5a97808a);
        assertThat(MurmurHash3.hashUtf8("Hello, world!", seed)).isEqualTo(0x24884cba);
        assertThat(MurmurHash3.hashUtf8("ππππππππ", seed)).isEqualTo(0xd58063c1);
        assertThat(MurmurHash3.hashUtf8("The quick brown fox jumps over the lazy dog", seed))
                .isEqualTo(0x2fa826cd);
    }

    @Test
    void shouldHashAStringAsItsUtf8BytesWithoutEncodingIt() {
        Random random = new Random(5);
        for (int trial = 0; trial < 20_000; trial++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(24);
            for (int i = 0; i < length; i++) {
                switch (random.nextInt(6)) {
                    case 0 -> text.append((char) random.nextInt(0x80));
                    case 1 -> text.append((char) (0x80 + random.nextInt(0x780)));
                    case 2 -> text.append((char) (0x800 + random.nextInt(0xd800 - 0x800)));
                    case 3 -> text.appendCodePoint(0x10000 + random.nextInt(0x100000));
                    // An unpaired surrogate: String.getBytes writes '?' for it, as hashUtf8 does.
                    case 4 -> text.append((char) (0xd800 + random.nextInt(0x800)));
                    default -> text.append((char) (0xe000 + random.nextInt(0x2000)));
                }
            }
            String string = text.toString();
            int seed = random.nextInt();
            byte[] bytes = string.getBytes(StandardCharsets.UTF_8);
            assertThat(MurmurHash3.hashUtf8(string, seed))
                    .as("%s", string)
                    .isEqualTo(MurmurHash3.hash(bytes, 0, bytes.length, seed));
        }
    }

    @Test
    void shouldHashAnIntAsItsFourLittleEndianBytes() {
        Random random = new Random(9);
        for (int trial = 0; trial < 1000; trial++) {
            int value = random.nextInt();
            int seed = random.nextInt();
            byte[] bytes =
                    ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
            assertThat(MurmurHash3.hashInt(value, seed))
                    .isEqualTo(MurmurHash3.hash(bytes, 0, 4, seed));
        }
    }
}
