package org.flinkreinforce.formats.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The binary v1 event format: the same fields as JSON v1, little-endian, no field names. Layout
 * (see docs/wire-formats.md):
 *
 * <pre>
 * u8  magic 0xB7            (never the first byte of a JSON text)
 * u8  version 1
 * u8  flags                 bit k set: the k-th optional field is present; the other bits are 0
 * u16 n, n bytes            policyId, UTF-8
 * u32 d, d x f32            features
 * u16 h, h x i32            actions, one per head
 * f64                       reward
 * ...                       the optional fields present, in {@link OptionalField} order: f32,
 *                           i64, or u16 n + n bytes of UTF-8 by their type
 * </pre>
 *
 * Nothing may follow the last field. The decoder applies the same validation as for JSON.
 */
public final class BinaryEventCodec {

    static final VarHandle SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle FLOAT =
            MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle DOUBLE =
            MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    private BinaryEventCodec() {}

    public static byte[] encode(LoggedEvent event) {
        byte[] policyId = utf8(event.policyId());
        byte[][] strings = new byte[OptionalField.ALL.size()][];
        int flags = 0;
        int size = 3 + 2 + policyId.length + 4 + 4 * event.features().length;
        size += 2 + 4 * event.actions().length + 8;
        for (OptionalField field : OptionalField.ALL) {
            if (!field.isSet(event)) {
                continue;
            }
            flags |= field.flag;
            switch (field.type) {
                case FLOAT32:
                    size += 4;
                    break;
                case INT64:
                    size += 8;
                    break;
                default:
                    strings[field.ordinal()] = utf8(field.string(event));
                    size += 2 + strings[field.ordinal()].length;
            }
        }
        byte[] out = new byte[size];
        out[0] = EventFormat.BINARY_MAGIC;
        out[1] = (byte) EventFormat.BINARY.version();
        out[2] = (byte) flags;
        int at = string(out, 3, policyId);
        INT.set(out, at, event.features().length);
        at += 4;
        for (float value : event.features()) {
            FLOAT.set(out, at, value);
            at += 4;
        }
        SHORT.set(out, at, (short) event.actions().length);
        at += 2;
        for (int action : event.actions()) {
            INT.set(out, at, action);
            at += 4;
        }
        DOUBLE.set(out, at, event.reward());
        at += 8;
        for (OptionalField field : OptionalField.ALL) {
            if ((flags & field.flag) == 0) {
                continue;
            }
            switch (field.type) {
                case FLOAT32:
                    FLOAT.set(out, at, (float) field.number(event));
                    at += 4;
                    break;
                case INT64:
                    LONG.set(out, at, field.integer(event));
                    at += 8;
                    break;
                default:
                    at = string(out, at, strings[field.ordinal()]);
            }
        }
        return out;
    }

    private static byte[] utf8(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException(
                    "A string of " + bytes.length + " bytes does not fit the binary format.");
        }
        return bytes;
    }

    private static int string(byte[] out, int at, byte[] text) {
        SHORT.set(out, at, (short) text.length);
        System.arraycopy(text, 0, out, at + 2, text.length);
        return at + 2 + text.length;
    }
}
