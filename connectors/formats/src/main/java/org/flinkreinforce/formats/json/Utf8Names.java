package org.flinkreinforce.formats.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;

/**
 * A small fixed set of names looked up by their UTF-8 bytes straight in a record, so that the
 * readers neither decode nor allocate a string for a field name or a configured policy id.
 */
public final class Utf8Names {

    private final String[] names;
    private final byte[][] bytes;

    public Utf8Names(Collection<String> names) {
        this.names = names.toArray(new String[0]);
        this.bytes = new byte[this.names.length][];
        for (int k = 0; k < this.names.length; k++) {
            bytes[k] = this.names[k].getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The index of the name whose bytes are {@code in[start, start + length)}, or -1. */
    public int indexOf(byte[] in, int start, int length) {
        for (int k = 0; k < bytes.length; k++) {
            byte[] candidate = bytes[k];
            if (candidate.length == length
                    && Arrays.equals(in, start, start + length, candidate, 0, length)) {
                return k;
            }
        }
        return -1;
    }

    /** The name (the same instance every time) whose bytes are those, or null. */
    public String find(byte[] in, int start, int length) {
        int index = indexOf(in, start, length);
        return index < 0 ? null : names[index];
    }
}
