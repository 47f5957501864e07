package org.flinkreinforce.connectors.event;

import static org.flinkreinforce.connectors.event.BinaryEventCodec.DOUBLE;
import static org.flinkreinforce.connectors.event.BinaryEventCodec.FLOAT;
import static org.flinkreinforce.connectors.event.BinaryEventCodec.INT;
import static org.flinkreinforce.connectors.event.BinaryEventCodec.LONG;
import static org.flinkreinforce.connectors.event.BinaryEventCodec.SHORT;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.flinkreinforce.connectors.deadletter.DeadLetterReason;

/**
 * Reads binary v1 events ({@link BinaryEventCodec}) for {@link EventDecoder}: bounds-checked before
 * every read, so a truncated or lying record is {@code MALFORMED_BINARY}, never an exception;
 * strings must be valid UTF-8; NaN and infinite numbers are {@code NON_FINITE}. Not thread-safe.
 */
final class BinaryEventReader {

    private final Utf8Names policyIds;
    private final int maxEventBytes;
    private final CharsetDecoder utf8 =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] in;
    private int pos;

    BinaryEventReader(Collection<String> policyIds, int maxEventBytes) {
        this.policyIds = new Utf8Names(policyIds);
        this.maxEventBytes = maxEventBytes;
    }

    void read(byte[] value, PolicyEvent event, EventFields fields) throws EventDecoder.Rejection {
        in = value;
        pos = 0;
        try {
            readEvent(event, fields);
        } finally {
            in = null;
        }
    }

    private void readEvent(PolicyEvent event, EventFields fields) throws EventDecoder.Rejection {
        need(3);
        int version = in[1] & 0xFF;
        if (version != BinaryEventCodec.FORMAT_VERSION) {
            throw new EventDecoder.Rejection(
                    DeadLetterReason.UNSUPPORTED_VERSION,
                    "Binary event format version "
                            + version
                            + " is not supported; this learner reads version "
                            + BinaryEventCodec.FORMAT_VERSION
                            + ".");
        }
        int flags = in[2] & 0xFF;
        if ((flags & ~BinaryEventCodec.KNOWN_FLAGS) != 0) {
            throw malformed("Unknown flags " + Integer.toBinaryString(flags) + ".");
        }
        pos = 3;
        event.policyId = string(true);

        need(4);
        int featureCount = (int) INT.get(in, pos);
        pos += 4;
        if (featureCount < 0 || featureCount > (in.length - pos) / 4) {
            throw malformed("The feature count " + featureCount + " exceeds the record.");
        }
        float[] features = fields.features;
        while (features.length < featureCount) {
            features = fields.growFeatures(maxEventBytes);
        }
        for (int k = 0; k < featureCount; k++) {
            float feature = (float) FLOAT.get(in, pos);
            pos += 4;
            if (!Float.isFinite(feature)) {
                throw new EventDecoder.Rejection(
                        DeadLetterReason.NON_FINITE,
                        "Feature " + k + " is not finite (" + feature + ").");
            }
            features[k] = feature;
        }
        fields.featureCount = featureCount;

        need(2);
        int actionCount = Short.toUnsignedInt((short) SHORT.get(in, pos));
        pos += 2;
        if (actionCount > (in.length - pos) / 4) {
            throw malformed("The action count " + actionCount + " exceeds the record.");
        }
        int[] actions = fields.actions;
        while (actions.length < actionCount) {
            actions = fields.growActions();
        }
        for (int h = 0; h < actionCount; h++) {
            actions[h] = (int) INT.get(in, pos);
            pos += 4;
        }
        fields.actionCount = actionCount;
        fields.singleAction = false;

        need(8);
        event.reward = (double) DOUBLE.get(in, pos);
        pos += 8;
        if (!Double.isFinite(event.reward)) {
            throw new EventDecoder.Rejection(
                    DeadLetterReason.NON_FINITE,
                    "The reward is not finite (" + event.reward + ").");
        }
        fields.hasReward = true;
        if ((flags & BinaryEventCodec.FLAG_PROPENSITY) != 0) {
            need(4);
            float propensity = (float) FLOAT.get(in, pos);
            pos += 4;
            if (Float.isNaN(propensity) || Float.isInfinite(propensity)) {
                throw new EventDecoder.Rejection(
                        DeadLetterReason.NON_FINITE,
                        "The propensity is not finite (" + propensity + ").");
            }
            event.propensity = EventDecoder.propensity(propensity);
        }
        if ((flags & BinaryEventCodec.FLAG_POLICY_VERSION) != 0) {
            need(8);
            event.policyVersion = (long) LONG.get(in, pos);
            pos += 8;
            if (event.policyVersion < 0) {
                throw new EventDecoder.Rejection(
                        DeadLetterReason.WRONG_TYPE, "The policyVersion must not be negative.");
            }
        }
        if ((flags & BinaryEventCodec.FLAG_BASELINE_KEY) != 0) {
            event.baselineKey = string(false);
        }
        if ((flags & BinaryEventCodec.FLAG_EVENT_ID) != 0) {
            event.eventId = string(false);
        }
        if ((flags & BinaryEventCodec.FLAG_TIMESTAMP) != 0) {
            need(8);
            event.timestamp = (long) LONG.get(in, pos);
            pos += 8;
        }
        if (pos != in.length) {
            throw malformed((in.length - pos) + " unexpected bytes after the event.");
        }
    }

    private String string(boolean policyId) throws EventDecoder.Rejection {
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

    private void need(int bytes) throws EventDecoder.Rejection {
        if (bytes > in.length - pos) {
            throw malformed("The event is truncated.");
        }
    }

    private static EventDecoder.Rejection malformed(String detail) {
        return new EventDecoder.Rejection(DeadLetterReason.MALFORMED_BINARY, detail);
    }
}
