package org.flinkreinforce.formats.event;

import static org.flinkreinforce.formats.event.BinaryEventCodec.DOUBLE;
import static org.flinkreinforce.formats.event.BinaryEventCodec.FLOAT;
import static org.flinkreinforce.formats.event.BinaryEventCodec.INT;
import static org.flinkreinforce.formats.event.BinaryEventCodec.LONG;
import static org.flinkreinforce.formats.event.BinaryEventCodec.SHORT;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.json.Utf8Names;

/**
 * Reads binary v1 records of one {@link RecordKind} ({@link BinaryEventCodec}) for {@link
 * EventDecoder}: bounds-checked before every read, so a truncated or lying record is {@code
 * MALFORMED_BINARY}, never an exception; strings must be valid UTF-8; NaN and infinite numbers are
 * {@code NON_FINITE}. A decision is read as an event without the reward. Not thread-safe.
 */
final class BinaryEventReader {

    private final RecordKind kind;
    private final Utf8Names policyIds;
    private final int maxEventBytes;
    private final CharsetDecoder utf8 =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] in;
    private int pos;
    private boolean widePropensity;

    BinaryEventReader(RecordKind kind, Collection<String> policyIds, int maxEventBytes) {
        this.kind = kind;
        this.policyIds = new Utf8Names(policyIds);
        this.maxEventBytes = maxEventBytes;
    }

    void read(byte[] value, EventDraft draft) throws EventRejection {
        in = value;
        pos = 0;
        try {
            readEvent(draft);
        } finally {
            in = null;
        }
    }

    private void readEvent(EventDraft draft) throws EventRejection {
        need(3);
        kind.requireVersion(true, in[1] & 0xFF);
        widePropensity = (in[1] & 0xFF) == RecordKind.WIDE_PROPENSITY_VERSION;
        int flags = in[2] & 0xFF;
        int knownFlags =
                kind == RecordKind.REWARD
                        ? BinaryEventCodec.REWARD_KNOWN_FLAGS
                        : OptionalField.KNOWN_FLAGS;
        if ((flags & ~knownFlags) != 0) {
            throw malformed("Unknown flags " + Integer.toBinaryString(flags) + ".");
        }
        pos = 3;
        if (kind == RecordKind.REWARD) {
            readRewardRecord(flags, draft);
        } else {
            draft.policyId = string(true);
            readFeatures(draft);
            readActions(draft);
            if (kind == RecordKind.EVENT) {
                readReward(draft);
            }
            readOptionalFields(flags, draft);
        }
        if (pos != in.length) {
            throw malformed((in.length - pos) + " unexpected bytes after the " + kind.noun + ".");
        }
    }

    /** The fields of a reward after the flags: event id, reward, then policy id and timestamp. */
    private void readRewardRecord(int flags, EventDraft draft) throws EventRejection {
        draft.eventId = string(false);
        readReward(draft);
        if ((flags & BinaryEventCodec.REWARD_POLICY_ID) != 0) {
            draft.policyId = string(true);
        }
        if ((flags & BinaryEventCodec.REWARD_TIMESTAMP) != 0) {
            need(8);
            draft.timestamp = (long) LONG.get(in, pos);
            pos += 8;
        }
    }

    private void readFeatures(EventDraft draft) throws EventRejection {
        need(4);
        int featureCount = (int) INT.get(in, pos);
        pos += 4;
        if (featureCount < 0 || featureCount > (in.length - pos) / 4) {
            throw malformed("The feature count " + featureCount + " exceeds the record.");
        }
        float[] features = draft.features;
        while (features.length < featureCount) {
            features = draft.growFeatures(maxEventBytes);
        }
        for (int k = 0; k < featureCount; k++) {
            float feature = (float) FLOAT.get(in, pos);
            pos += 4;
            if (!Float.isFinite(feature)) {
                throw new EventRejection(
                        DeadLetterReason.NON_FINITE,
                        "Feature " + k + " is not finite (" + feature + ").");
            }
            features[k] = feature;
        }
        draft.features(featureCount);
    }

    private void readActions(EventDraft draft) throws EventRejection {
        need(2);
        int actionCount = Short.toUnsignedInt((short) SHORT.get(in, pos));
        pos += 2;
        if (actionCount > (in.length - pos) / 4) {
            throw malformed("The action count " + actionCount + " exceeds the record.");
        }
        int[] actions = draft.actions;
        while (actions.length < actionCount) {
            actions = draft.growActions();
        }
        for (int h = 0; h < actionCount; h++) {
            actions[h] = (int) INT.get(in, pos);
            pos += 4;
        }
        draft.actionArray(actionCount);
    }

    private void readReward(EventDraft draft) throws EventRejection {
        need(8);
        draft.reward = (double) DOUBLE.get(in, pos);
        pos += 8;
        if (!Double.isFinite(draft.reward)) {
            throw new EventRejection(
                    DeadLetterReason.NON_FINITE,
                    "The reward is not finite (" + draft.reward + ").");
        }
        draft.hasReward = true;
    }

    private void readOptionalFields(int flags, EventDraft draft) throws EventRejection {
        for (OptionalField field : OptionalField.ALL) {
            if ((flags & field.flag) == 0) {
                continue;
            }
            switch (field.type) {
                case FLOAT32:
                    boolean wide = widePropensity && field == OptionalField.PROPENSITY;
                    need(wide ? 8 : 4);
                    double number =
                            wide ? (double) DOUBLE.get(in, pos) : (float) FLOAT.get(in, pos);
                    pos += wide ? 8 : 4;
                    if (!Double.isFinite(number)) {
                        throw new EventRejection(
                                DeadLetterReason.NON_FINITE,
                                "The " + field.jsonName + " is not finite (" + number + ").");
                    }
                    field.setNumber(draft, number);
                    break;
                case INT64:
                    need(8);
                    long integer = (long) LONG.get(in, pos);
                    pos += 8;
                    field.setInteger(draft, integer);
                    break;
                default:
                    field.setString(draft, string(false));
            }
        }
    }

    private String string(boolean policyId) throws EventRejection {
        need(2);
        int length = Short.toUnsignedInt((short) SHORT.get(in, pos));
        pos += 2;
        need(length);
        int start = pos;
        pos += length;
        String known = policyId ? policyIds.find(in, start, length) : null;
        if (known != null) {
            return known;
        }
        boolean ascii = true;
        for (int k = start; k < pos; k++) {
            if (in[k] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(in, start, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return utf8.decode(ByteBuffer.wrap(in, start, length)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("A string is not valid UTF-8.");
        }
    }

    private void need(int bytes) throws EventRejection {
        if (bytes > in.length - pos) {
            throw malformed("The " + kind.noun + " is truncated.");
        }
    }

    private static EventRejection malformed(String detail) {
        return new EventRejection(DeadLetterReason.MALFORMED_BINARY, detail);
    }
}
