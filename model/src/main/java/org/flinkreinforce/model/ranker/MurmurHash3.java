package org.flinkreinforce.model.ranker;

/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby, public domain), over bytes and over the UTF-8
 * bytes of a string without encoding it first. Part of the wire contract of ranker policies: the
 * serving client and the learner hash every feature with it ({@link FeatureHasher}), so its output
 * for given bytes and seed must never change.
 */
public final class MurmurHash3 {

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private MurmurHash3() {}

    /** The hash of {@code length} bytes of {@code data} from {@code offset}. */
    public static int hash(byte[] data, int offset, int length, int seed) {
        int h = seed;
        int blocks = length >>> 2;
        for (int i = 0; i < blocks; i++) {
            int p = offset + (i << 2);
            int k =
                    (data[p] & 0xff)
                            | (data[p + 1] & 0xff) << 8
                            | (data[p + 2] & 0xff) << 16
                            | (data[p + 3] & 0xff) << 24;
            h = mixHash(h, k);
        }
        int tail = offset + (blocks << 2);
        int k = 0;
        switch (length & 3) {
            case 3:
                k ^= (data[tail + 2] & 0xff) << 16;
            // fall through
            case 2:
                k ^= (data[tail + 1] & 0xff) << 8;
            // fall through
            case 1:
                k ^= data[tail] & 0xff;
                h ^= mixKey(k);
            // fall through
            default:
        }
        return finish(h, length);
    }

    /** The hash of the UTF-8 bytes of {@code text} (unpaired surrogates as {@code '?'}). */
    public static int hashUtf8(CharSequence text, int seed) {
        Utf8Blocks blocks = new Utf8Blocks(seed);
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                blocks.add(c);
            } else if (c < 0x800) {
                blocks.add(0xc0 | (c >>> 6));
                blocks.add(0x80 | (c & 0x3f));
            } else if (Character.isSurrogate(c)) {
                int codePoint =
                        Character.isHighSurrogate(c)
                                        && i + 1 < length
                                        && Character.isLowSurrogate(text.charAt(i + 1))
                                ? Character.toCodePoint(c, text.charAt(++i))
                                : '?';
                if (codePoint == '?') {
                    blocks.add('?');
                } else {
                    blocks.add(0xf0 | (codePoint >>> 18));
                    blocks.add(0x80 | ((codePoint >>> 12) & 0x3f));
                    blocks.add(0x80 | ((codePoint >>> 6) & 0x3f));
                    blocks.add(0x80 | (codePoint & 0x3f));
                }
            } else {
                blocks.add(0xe0 | (c >>> 12));
                blocks.add(0x80 | ((c >>> 6) & 0x3f));
                blocks.add(0x80 | (c & 0x3f));
            }
        }
        return blocks.finish();
    }

    /** The hash of the four little-endian bytes of {@code value}. */
    public static int hashInt(int value, int seed) {
        return finish(mixHash(seed, value), 4);
    }

    /**
     * {@code hashInt(value, seed)} from {@code key = mixKey(value)}: for hashing one value with
     * many seeds, its key made once.
     */
    public static int hashIntWithKey(int key, int seed) {
        int h = Integer.rotateLeft(seed ^ key, 13) * 5 + 0xe6546b64;
        return finish(h, 4);
    }

    /** The mixed key of a 4-byte block, for {@link #hashIntWithKey}. */
    public static int mixKey(int k) {
        k *= C1;
        k = Integer.rotateLeft(k, 15);
        return k * C2;
    }

    /** MurmurHash3's 32-bit finalizer: a bijection that spreads every input bit. */
    public static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int mixHash(int h, int k) {
        h ^= mixKey(k);
        h = Integer.rotateLeft(h, 13);
        return h * 5 + 0xe6546b64;
    }

    private static int finish(int h, int length) {
        return fmix(h ^ length);
    }

    /** Feeds bytes one at a time, mixing each full 4-byte block; a stack object, no array. */
    private static final class Utf8Blocks {
        private int h;
        private int block;
        private int length;

        Utf8Blocks(int seed) {
            this.h = seed;
        }

        void add(int b) {
            block |= (b & 0xff) << ((length & 3) << 3);
            length++;
            if ((length & 3) == 0) {
                h = mixHash(h, block);
                block = 0;
            }
        }

        int finish() {
            if ((length & 3) != 0) {
                h ^= mixKey(block);
            }
            return MurmurHash3.finish(h, length);
        }
    }
}
