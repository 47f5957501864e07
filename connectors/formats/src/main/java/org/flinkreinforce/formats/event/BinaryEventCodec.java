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
 * <p>Version 2 of an event or a decision is version 1 with the propensity as an f64: written only
 * where the propensity is below the smallest normal float32 (the joint probability of many heads),
 * so that a learner reading version 1 reads every other record.
 *
 * <p>Nothing may follow the last field. The decoder applies the same validation as for JSON.
 *
 * <p>A binary decision is laid out as an event without the reward, with its own magic {@code 0xB8}
 * and the event id's flag always set. A binary reward:
 *
 * <pre>
 * u8  magic 0xB9
 * u8  version 1
 * u8  flags                 bit 0: policyId present, bit 1: timestamp present; the others 0
 * u16 n, n bytes            eventId, UTF-8
 * f64                       reward
 * u16 n, n bytes            policyId, UTF-8 (bit 0)
 * i64                       timestamp, ms since the epoch (bit 1)
 * </pre>
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

    /** The flag of a binary reward's policy id. */
    static final int REWARD_POLICY_ID = 1;

    /** The flag of a binary reward's timestamp. */
    static final int REWARD_TIMESTAMP = 2;

    /** The flags of a binary reward that name a field; every other bit must be 0. */
    static final int REWARD_KNOWN_FLAGS = REWARD_POLICY_ID | REWARD_TIMESTAMP;

    private BinaryEventCodec() {}

    public static byte[] encode(LoggedEvent event) {
        return encode(event, RecordKind.EVENT);
    }

    /** A decision: laid out as an event without the reward, the event id always present. */
    public static byte[] encode(LoggedDecision decision) {
        return encode(decision.withReward(0.0), RecordKind.DECISION);
    }

    /** A reward; the policy id where it has one, the timestamp always. */
    public static byte[] encode(LoggedReward reward) {
        byte[] eventId = utf8(reward.eventId());
        byte[] policyId = reward.policyId() == null ? null : utf8(reward.policyId());
        int size = 3 + 2 + eventId.length + 8 + (policyId == null ? 0 : 2 + policyId.length) + 8;
        byte[] out = new byte[size];
        out[0] = RecordKind.REWARD.magic;
        out[1] = (byte) RecordKind.VERSION;
        out[2] = (byte) (REWARD_TIMESTAMP | (policyId == null ? 0 : REWARD_POLICY_ID));
        int at = string(out, 3, eventId);
        DOUBLE.set(out, at, reward.reward());
        at += 8;
        if (policyId != null) {
            at = string(out, at, policyId);
        }
        LONG.set(out, at, reward.timestamp());
        return out;
    }

    /** An event, or a decision ({@code kind}) made an event: written without its reward. */
    private static byte[] encode(LoggedEvent event, RecordKind kind) {
        boolean withReward = kind == RecordKind.EVENT;
        byte[] policyId = utf8(event.policyId());
        byte[][] strings = new byte[OptionalField.ALL.size()][];
        int flags = 0;
        boolean wide = event.hasPropensity() && event.propensity() < Float.MIN_NORMAL;
        int size = 3 + 2 + policyId.length + 4 + 4 * event.features().length;
        size += 2 + 4 * event.actions().length + (withReward ? 8 : 0);
        for (OptionalField field : OptionalField.ALL) {
            if (!field.isSet(event)) {
                continue;
            }
            flags |= field.flag;
            switch (field.type) {
                case FLOAT32:
                    size += wide && field == OptionalField.PROPENSITY ? 8 : 4;
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
        out[0] = kind.magic;
        out[1] = (byte) (wide ? RecordKind.WIDE_PROPENSITY_VERSION : RecordKind.VERSION);
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
        if (withReward) {
            DOUBLE.set(out, at, event.reward());
            at += 8;
        }
        for (OptionalField field : OptionalField.ALL) {
            if ((flags & field.flag) == 0) {
                continue;
            }
            switch (field.type) {
                case FLOAT32:
                    if (wide && field == OptionalField.PROPENSITY) {
                        DOUBLE.set(out, at, field.number(event));
                        at += 8;
                    } else {
                        FLOAT.set(out, at, (float) field.number(event));
                        at += 4;
                    }
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
