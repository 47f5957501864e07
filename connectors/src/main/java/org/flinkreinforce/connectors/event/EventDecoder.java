package org.flinkreinforce.connectors.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.flinkreinforce.connectors.deadletter.DeadLetter;
import org.flinkreinforce.connectors.deadletter.DeadLetterReason;
import org.flinkreinforce.model.PolicySpec;

/**
 * Decodes and validates events, JSON v1 or binary v1 (see the README's wire formats; a record whose
 * first byte is {@link BinaryEventCodec#MAGIC} is binary), against the configured policies. It
 * never throws on any input: every record becomes a valid {@link PolicyEvent} or a {@link
 * DeadLetter} with a {@link DeadLetterReason} and a human detail.
 *
 * <p>JSON takes a fast path first ({@link FastJsonEventReader}): a strict reader of the common
 * shape (known fields once each, plain ASCII strings, plain numbers) that gives up on anything
 * else, which Jackson then reads and classifies. Both paths give the same event, bit for bit; a
 * test compares them on valid and mutated records.
 *
 * <p>Strict where leniency would let bad data reach the parameters: duplicate fields, trailing
 * content, nesting deeper than {@value #MAX_NESTING} and invalid UTF-8 are malformed; {@code NaN}
 * and {@code Infinity} literals and numbers that overflow are read and then rejected as {@code
 * NON_FINITE}. Unknown fields are skipped, so producers can add fields. Not thread-safe only in
 * that it reuses a feature buffer; create one per task.
 */
public final class EventDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The event format version this decoder reads (field {@code "v"}, optional). */
    public static final int FORMAT_VERSION = 1;

    static final int MAX_NESTING = 16;

    private final Map<String, PolicySpec> policies;
    private final int maxEventBytes;
    private final boolean fastPath;
    private transient JsonFactory factory;
    private transient EventFields fields;
    private transient FastJsonEventReader fastReader;
    private transient BinaryEventReader binaryReader;

    public EventDecoder(Map<String, PolicySpec> policies, int maxEventBytes) {
        this(policies, maxEventBytes, true);
    }

    /** {@code fastPath = false} reads every JSON record with Jackson: for tests that compare. */
    EventDecoder(Map<String, PolicySpec> policies, int maxEventBytes, boolean fastPath) {
        this.fastPath = fastPath;
        this.policies = Map.copyOf(Objects.requireNonNull(policies, "policies"));
        if (maxEventBytes < 16) {
            throw new IllegalArgumentException(
                    "Invalid value "
                            + maxEventBytes
                            + " for the maximum event size: it must be"
                            + " at least 16 bytes.");
        }
        this.maxEventBytes = maxEventBytes;
    }

    /** Decodes one record's value. Never throws. */
    public DecodedRecord decode(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        try {
            PolicyEvent event = parse(value, timestamp);
            if (event.eventId == null) {
                event.eventId = topic + "-" + partition + "-" + offset;
            }
            return DecodedRecord.valid(event);
        } catch (Rejection rejection) {
            return DecodedRecord.rejected(
                    new DeadLetter(
                            rejection.reason,
                            rejection.getMessage(),
                            topic,
                            partition,
                            offset,
                            timestamp,
                            key,
                            value));
        } catch (RuntimeException | StackOverflowError unexpected) {
            // A bug or a parser corner case must still not fail the job.
            return DecodedRecord.rejected(
                    new DeadLetter(
                            DeadLetterReason.MALFORMED_JSON,
                            "Unreadable event: " + unexpected,
                            topic,
                            partition,
                            offset,
                            timestamp,
                            key,
                            value));
        }
    }

    private PolicyEvent parse(byte[] value, long recordTimestamp) throws Rejection {
        if (value == null) {
            throw new Rejection(DeadLetterReason.EMPTY, "The record has no value (a tombstone).");
        }
        if (value.length > maxEventBytes) {
            throw new Rejection(
                    DeadLetterReason.TOO_LARGE,
                    "The event has "
                            + value.length
                            + " bytes, more than the maximum of "
                            + maxEventBytes
                            + ".");
        }
        EventFields fields = fields();
        PolicyEvent event = new PolicyEvent();
        event.timestamp = recordTimestamp;
        fields.reset();
        if (value.length > 0 && value[0] == BinaryEventCodec.MAGIC) {
            binaryReader().read(value, event, fields);
            return validate(event, fields);
        }
        if (isBlank(value)) {
            throw new Rejection(DeadLetterReason.EMPTY, "The record value is empty.");
        }
        if (!fastPath || !fastReader().read(value, event, fields)) {
            event = new PolicyEvent();
            event.timestamp = recordTimestamp;
            fields.reset();
            parseJson(value, event, fields);
        }
        return validate(event, fields);
    }

    private void parseJson(byte[] value, PolicyEvent event, EventFields fields) throws Rejection {
        try (JsonParser parser = factory().createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new Rejection(
                        DeadLetterReason.MALFORMED_JSON, "An event must be a JSON object.");
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken valueToken = parser.nextToken();
                switch (field) {
                    case "v":
                        long version = integer(parser, valueToken, field);
                        if (version != FORMAT_VERSION) {
                            throw new Rejection(
                                    DeadLetterReason.UNSUPPORTED_VERSION,
                                    "Event format version "
                                            + version
                                            + " is not supported;"
                                            + " this learner reads version "
                                            + FORMAT_VERSION
                                            + ".");
                        }
                        break;
                    case "policyId":
                        event.policyId = string(parser, valueToken, field);
                        break;
                    case "features":
                        fields.featureCount = features(parser, valueToken, fields);
                        break;
                    case "action":
                        fields.actions[0] = action(parser, valueToken, field);
                        fields.actionCount = fields.actionCount == -1 ? 1 : -2;
                        fields.singleAction = true;
                        break;
                    case "actions":
                        if (fields.actionCount == -1) {
                            fields.actionCount = actions(parser, valueToken, fields);
                        } else {
                            parser.skipChildren();
                            fields.actionCount = -2;
                        }
                        break;
                    case "reward":
                        event.reward = finite(parser, valueToken, field);
                        fields.hasReward = true;
                        break;
                    case "propensity":
                        if (valueToken != JsonToken.VALUE_NULL) {
                            event.propensity = propensity(finite(parser, valueToken, field));
                        }
                        break;
                    case "policyVersion":
                        if (valueToken != JsonToken.VALUE_NULL) {
                            event.policyVersion = integer(parser, valueToken, field);
                            if (event.policyVersion < 0) {
                                throw new Rejection(
                                        DeadLetterReason.WRONG_TYPE,
                                        "The policyVersion must not be negative.");
                            }
                        }
                        break;
                    case "baselineKey":
                        event.baselineKey = nullableString(parser, valueToken, field);
                        break;
                    case "eventId":
                        event.eventId = nullableString(parser, valueToken, field);
                        break;
                    case "timestamp":
                        if (valueToken != JsonToken.VALUE_NULL) {
                            event.timestamp = integer(parser, valueToken, field);
                        }
                        break;
                    default:
                        parser.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw new Rejection(DeadLetterReason.MALFORMED_JSON, "The event is truncated.");
            }
            if (parser.nextToken() != null) {
                throw new Rejection(
                        DeadLetterReason.MALFORMED_JSON,
                        "Unexpected content after the event object.");
            }
        } catch (JsonProcessingException e) {
            throw new Rejection(DeadLetterReason.MALFORMED_JSON, firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new Rejection(DeadLetterReason.MALFORMED_JSON, firstLine(e.getMessage()));
        }
    }

    /** Checks a propensity and keeps tiny valid ones representable in float32. */
    static float propensity(double propensity) throws Rejection {
        if (!(propensity > 0.0 && propensity <= 1.0)) {
            throw new Rejection(
                    DeadLetterReason.BAD_PROPENSITY,
                    "The propensity " + propensity + " is outside (0, 1].");
        }
        return (float) Math.max(propensity, Float.MIN_NORMAL);
    }

    /** The checks against the policy, the same for every format. */
    private PolicyEvent validate(PolicyEvent event, EventFields fields) throws Rejection {
        int featureCount = fields.featureCount;
        int actionCount = fields.actionCount;
        boolean singleAction = fields.singleAction;
        int[] actionBuffer = fields.actions;
        if (event.policyId == null) {
            throw new Rejection(DeadLetterReason.MISSING_FIELD, "The field policyId is missing.");
        }
        PolicySpec spec = policies.get(event.policyId);
        if (spec == null) {
            throw new Rejection(
                    DeadLetterReason.UNKNOWN_POLICY,
                    "No policy '" + abbreviate(event.policyId) + "' is configured.");
        }
        if (!fields.hasReward) {
            throw new Rejection(DeadLetterReason.MISSING_FIELD, "The field reward is missing.");
        }
        if (actionCount == -1) {
            throw new Rejection(
                    DeadLetterReason.MISSING_FIELD, "The field action (or actions) is missing.");
        }
        if (actionCount == -2) {
            throw new Rejection(
                    DeadLetterReason.ACTION_COUNT, "Give either action or actions, once.");
        }
        if (featureCount == -1) {
            if (spec.features() > 0) {
                throw new Rejection(
                        DeadLetterReason.MISSING_FIELD,
                        "The field features is missing; policy "
                                + spec.id()
                                + " needs "
                                + spec.features()
                                + ".");
            }
            featureCount = 0;
        }
        if (featureCount != spec.features()) {
            throw new Rejection(
                    DeadLetterReason.FEATURE_DIMENSION,
                    "Policy "
                            + spec.id()
                            + " needs "
                            + spec.features()
                            + " features, the event"
                            + " has "
                            + featureCount
                            + ".");
        }
        if (actionCount != spec.headCount()) {
            throw new Rejection(
                    DeadLetterReason.ACTION_COUNT,
                    "Policy "
                            + spec.id()
                            + " has "
                            + spec.headCount()
                            + " heads, the event has "
                            + actionCount
                            + (singleAction ? " action." : " actions."));
        }
        for (int h = 0; h < actionCount; h++) {
            int action = actionBuffer[h];
            if (action < 0 || action >= spec.actions(h)) {
                throw new Rejection(
                        DeadLetterReason.ACTION_OUT_OF_RANGE,
                        "Action "
                                + action
                                + " of head "
                                + h
                                + " is outside [0, "
                                + spec.actions(h)
                                + ").");
            }
        }
        event.features = Arrays.copyOf(fields.features, featureCount);
        event.actions = Arrays.copyOf(actionBuffer, actionCount);
        if (event.baselineKey == null) {
            event.baselineKey = event.policyId;
        }
        return event;
    }

    private int features(JsonParser parser, JsonToken token, EventFields fields)
            throws IOException, Rejection {
        if (token == JsonToken.VALUE_NULL) {
            return -1;
        }
        if (token != JsonToken.START_ARRAY) {
            throw new Rejection(DeadLetterReason.WRONG_TYPE, "The features must be an array.");
        }
        float[] buffer = fields.features;
        int count = 0;
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
            double value = finite(parser, element, "features");
            float single = (float) value;
            if (!Float.isFinite(single)) {
                throw new Rejection(
                        DeadLetterReason.NON_FINITE,
                        "Feature " + count + " (" + value + ") overflows float32.");
            }
            if (count == buffer.length) {
                buffer = fields.growFeatures(maxEventBytes);
            }
            buffer[count++] = single;
        }
        return count;
    }

    private int actions(JsonParser parser, JsonToken token, EventFields fields)
            throws IOException, Rejection {
        if (token != JsonToken.START_ARRAY) {
            throw new Rejection(
                    DeadLetterReason.WRONG_TYPE, "The actions must be an array of integers.");
        }
        int[] buffer = fields.actions;
        int count = 0;
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
            int action = action(parser, element, "actions");
            if (count == buffer.length) {
                buffer = fields.growActions();
            }
            buffer[count++] = action;
        }
        return count;
    }

    private static int action(JsonParser parser, JsonToken token, String field)
            throws IOException, Rejection {
        long value = integer(parser, token, field);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new Rejection(
                    DeadLetterReason.ACTION_OUT_OF_RANGE,
                    "The action " + value + " is out of range.");
        }
        return (int) value;
    }

    private static long integer(JsonParser parser, JsonToken token, String field)
            throws IOException, Rejection {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw new Rejection(
                    DeadLetterReason.WRONG_TYPE, "The field " + field + " must be an integer.");
        }
        JsonParser.NumberType type = parser.getNumberType();
        if (type == JsonParser.NumberType.BIG_INTEGER) {
            throw new Rejection(
                    field.startsWith("action")
                            ? DeadLetterReason.ACTION_OUT_OF_RANGE
                            : DeadLetterReason.NON_FINITE,
                    "The field " + field + " overflows a 64-bit integer.");
        }
        return parser.getLongValue();
    }

    private static double finite(JsonParser parser, JsonToken token, String field)
            throws IOException, Rejection {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new Rejection(
                    DeadLetterReason.WRONG_TYPE, "The field " + field + " must be a number.");
        }
        double value = parser.getDoubleValue();
        if (!Double.isFinite(value)) {
            throw new Rejection(
                    DeadLetterReason.NON_FINITE,
                    "The field " + field + " is not finite (" + value + ").");
        }
        return value;
    }

    private static String string(JsonParser parser, JsonToken token, String field)
            throws IOException, Rejection {
        if (token != JsonToken.VALUE_STRING) {
            throw new Rejection(
                    DeadLetterReason.WRONG_TYPE, "The field " + field + " must be a string.");
        }
        return parser.getText();
    }

    private static String nullableString(JsonParser parser, JsonToken token, String field)
            throws IOException, Rejection {
        return token == JsonToken.VALUE_NULL ? null : string(parser, token, field);
    }

    private JsonFactory factory() {
        if (factory == null) {
            factory =
                    JsonFactory.builder()
                            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                            .streamReadConstraints(
                                    StreamReadConstraints.builder()
                                            .maxNestingDepth(MAX_NESTING)
                                            .maxNumberLength(400)
                                            .maxStringLength(maxEventBytes)
                                            .build())
                            .build();
        }
        return factory;
    }

    private EventFields fields() {
        if (fields == null) {
            fields = new EventFields();
        }
        return fields;
    }

    private FastJsonEventReader fastReader() {
        if (fastReader == null) {
            fastReader = new FastJsonEventReader(policies.keySet());
        }
        return fastReader;
    }

    private BinaryEventReader binaryReader() {
        if (binaryReader == null) {
            binaryReader = new BinaryEventReader(policies.keySet(), maxEventBytes);
        }
        return binaryReader;
    }

    private static boolean isBlank(byte[] value) {
        for (byte b : value) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "Malformed JSON.";
        }
        int newline = message.indexOf('\n');
        return abbreviate(newline < 0 ? message : message.substring(0, newline));
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    /** A validation failure: control flow inside the decoder, never thrown out of it. */
    static final class Rejection extends Exception {
        private static final long serialVersionUID = 1L;
        final DeadLetterReason reason;

        Rejection(DeadLetterReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }
}
