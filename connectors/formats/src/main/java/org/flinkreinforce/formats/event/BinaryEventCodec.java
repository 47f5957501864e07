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
 * u8  flags                 bit 0 propensity, 1 policyVersion, 2 baselineKey, 3 eventId,
 *                           4 timestamp; the other bits are 0
 * u16 n, n bytes            policyId, UTF-8
 * u32 d, d x f32            features
 * u16 h, h x i32            actions, one per head
 * f64                       reward
 * f32                       propensity      (flag 0)
 * i64                       policyVersion   (flag 1)
 * u16 n, n bytes            baselineKey     (flag 2)
 * u16 n, n bytes            eventId         (flag 3)
 * i64                       timestamp, ms   (flag 4)
 * </pre>
 *
 * Nothing may follow the last field. The decoder applies the same validation as for JSON.
 */
public final class BinaryEventCodec {

    static final int FLAG_PROPENSITY = 1;
    static final int FLAG_POLICY_VERSION = 1 << 1;
    static final int FLAG_BASELINE_KEY = 1 << 2;
    static final int FLAG_EVENT_ID = 1 << 3;
    static final int FLAG_TIMESTAMP = 1 << 4;
    static final int KNOWN_FLAGS = (1 << 5) - 1;

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
        boolean hasBaselineKey =
                event.baselineKey() != null && !event.baselineKey().equals(event.policyId());
        byte[] baselineKey = hasBaselineKey ? utf8(event.baselineKey()) : null;
        byte[] eventId = event.eventId() == null ? null : utf8(event.eventId());
        int flags = FLAG_TIMESTAMP;
        int size = 3 + 2 + policyId.length + 4 + 4 * event.features().length;
        size += 2 + 4 * event.actions().length + 8 + 8;
        if (event.hasPropensity()) {
            flags |= FLAG_PROPENSITY;
            size += 4;
        }
        if (event.policyVersion() != LoggedEvent.UNKNOWN_VERSION) {
            flags |= FLAG_POLICY_VERSION;
            size += 8;
        }
        if (baselineKey != null) {
            flags |= FLAG_BASELINE_KEY;
            size += 2 + baselineKey.length;
        }
        if (eventId != null) {
            flags |= FLAG_EVENT_ID;
            size += 2 + eventId.length;
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
        if (event.hasPropensity()) {
            FLOAT.set(out, at, event.propensity());
            at += 4;
        }
        if (event.policyVersion() != LoggedEvent.UNKNOWN_VERSION) {
            LONG.set(out, at, event.policyVersion());
            at += 8;
        }
        if (baselineKey != null) {
            at = string(out, at, baselineKey);
        }
        if (eventId != null) {
            at = string(out, at, eventId);
        }
        LONG.set(out, at, event.timestamp());
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
