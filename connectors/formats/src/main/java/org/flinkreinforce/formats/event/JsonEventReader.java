package org.flinkreinforce.formats.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;

/**
 * Reads any JSON v1 event with Jackson's streaming parser and classifies what is wrong with it: the
 * general path behind {@link FastJsonEventReader}. Strict where leniency would let bad data reach
 * the parameters: duplicate fields, trailing content, nesting deeper than {@link
 * EventFormat#MAX_JSON_NESTING} and invalid UTF-8 are malformed; {@code NaN} and {@code Infinity}
 * literals and numbers that overflow are read and then rejected as {@code NON_FINITE}. Unknown
 * fields, and the event's fields that a {@link RecordKind} does not have (a decision's reward,
 * say), are skipped, so producers can add fields. Not thread-safe.
 */
final class JsonEventReader {

    private final RecordKind kind;
    private final JsonFactory factory;
    private final int maxEventBytes;

    JsonEventReader(RecordKind kind, int maxEventBytes) {
        this.kind = kind;
        this.maxEventBytes = maxEventBytes;
        this.factory =
                JsonFactory.builder()
                        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .streamReadConstraints(
                                StreamReadConstraints.builder()
                                        .maxNestingDepth(EventFormat.MAX_JSON_NESTING)
                                        .maxNumberLength(400)
                                        .maxStringLength(maxEventBytes)
                                        .build())
                        .build();
    }

    void read(byte[] value, EventDraft draft) throws EventRejection {
        try (JsonParser parser = factory.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new EventRejection(
                        DeadLetterReason.MALFORMED_JSON,
                        RecordKind.capitalised(kind.withArticle()) + " must be a JSON object.");
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                field(parser, field, parser.nextToken(), draft);
            }
            if (token != JsonToken.END_OBJECT) {
                throw new EventRejection(
                        DeadLetterReason.MALFORMED_JSON, "The " + kind.noun + " is truncated.");
            }
            if (parser.nextToken() != null) {
                throw new EventRejection(
                        DeadLetterReason.MALFORMED_JSON,
                        "Unexpected content after the " + kind.noun + " object.");
            }
        } catch (JsonProcessingException e) {
            throw new EventRejection(
                    DeadLetterReason.MALFORMED_JSON, firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new EventRejection(DeadLetterReason.MALFORMED_JSON, firstLine(e.getMessage()));
        }
    }

    private void field(JsonParser parser, String field, JsonToken token, EventDraft draft)
            throws IOException, EventRejection {
        if (!kind.reads(field)) {
            parser.skipChildren();
            return;
        }
        switch (field) {
            case "v":
                kind.requireVersion(false, integer(parser, token, field));
                break;
            case "policyId":
                // A reward's policy id is optional, and null is absent as for optional fields.
                if (kind != RecordKind.REWARD || token != JsonToken.VALUE_NULL) {
                    draft.policyId = string(parser, token, field);
                }
                break;
            case "features":
                features(parser, token, draft);
                break;
            case "action":
                draft.singleAction(action(parser, token, field));
                break;
            case "actions":
                if (draft.actionsField == EventDraft.ActionsField.MISSING) {
                    actions(parser, token, draft);
                } else {
                    parser.skipChildren();
                    draft.actionsField = EventDraft.ActionsField.CONFLICTING;
                }
                break;
            case "reward":
                draft.reward = finite(parser, token, field);
                draft.hasReward = true;
                break;
            default:
                OptionalField optional = OptionalField.named(field);
                if (optional == null) {
                    parser.skipChildren();
                } else if (token != JsonToken.VALUE_NULL) {
                    optional(parser, token, optional, draft);
                }
        }
    }

    private static void optional(
            JsonParser parser, JsonToken token, OptionalField field, EventDraft draft)
            throws IOException, EventRejection {
        switch (field.type) {
            case FLOAT32:
                field.setNumber(draft, finite(parser, token, field.jsonName));
                break;
            case INT64:
                field.setInteger(draft, integer(parser, token, field.jsonName));
                break;
            case STRING:
                field.setString(draft, string(parser, token, field.jsonName));
                break;
            default:
                throw new IllegalStateException(field.type.name());
        }
    }

    private void features(JsonParser parser, JsonToken token, EventDraft draft)
            throws IOException, EventRejection {
        if (token == JsonToken.VALUE_NULL) {
            draft.hasFeatures = false;
            return;
        }
        if (token != JsonToken.START_ARRAY) {
            throw new EventRejection(DeadLetterReason.WRONG_TYPE, "The features must be an array.");
        }
        float[] buffer = draft.features;
        int count = 0;
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
            double value = finite(parser, element, "features");
            float single = (float) value;
            if (!Float.isFinite(single)) {
                throw new EventRejection(
                        DeadLetterReason.NON_FINITE,
                        "Feature " + count + " (" + value + ") overflows float32.");
            }
            if (count == buffer.length) {
                buffer = draft.growFeatures(maxEventBytes);
            }
            buffer[count++] = single;
        }
        draft.features(count);
    }

    private static void actions(JsonParser parser, JsonToken token, EventDraft draft)
            throws IOException, EventRejection {
        if (token != JsonToken.START_ARRAY) {
            throw new EventRejection(
                    DeadLetterReason.WRONG_TYPE, "The actions must be an array of integers.");
        }
        int[] buffer = draft.actions;
        int count = 0;
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
            int action = action(parser, element, "actions");
            if (count == buffer.length) {
                buffer = draft.growActions();
            }
            buffer[count++] = action;
        }
        draft.actionArray(count);
    }

    private static int action(JsonParser parser, JsonToken token, String field)
            throws IOException, EventRejection {
        long value = integer(parser, token, field);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new EventRejection(
                    DeadLetterReason.ACTION_OUT_OF_RANGE,
                    "The action " + value + " is out of range.");
        }
        return (int) value;
    }

    private static long integer(JsonParser parser, JsonToken token, String field)
            throws IOException, EventRejection {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw new EventRejection(
                    DeadLetterReason.WRONG_TYPE, "The field " + field + " must be an integer.");
        }
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new EventRejection(
                    field.startsWith("action")
                            ? DeadLetterReason.ACTION_OUT_OF_RANGE
                            : DeadLetterReason.NON_FINITE,
                    "The field " + field + " overflows a 64-bit integer.");
        }
        return parser.getLongValue();
    }

    private static double finite(JsonParser parser, JsonToken token, String field)
            throws IOException, EventRejection {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new EventRejection(
                    DeadLetterReason.WRONG_TYPE, "The field " + field + " must be a number.");
        }
        double value = parser.getDoubleValue();
        if (!Double.isFinite(value)) {
            throw new EventRejection(
                    DeadLetterReason.NON_FINITE,
                    "The field " + field + " is not finite (" + value + ").");
        }
        return value;
    }

    private static String string(JsonParser parser, JsonToken token, String field)
            throws IOException, EventRejection {
        if (token != JsonToken.VALUE_STRING) {
            throw new EventRejection(
                    DeadLetterReason.WRONG_TYPE, "The field " + field + " must be a string.");
        }
        return parser.getText();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "Malformed JSON.";
        }
        int newline = message.indexOf('\n');
        return EventValidator.abbreviate(newline < 0 ? message : message.substring(0, newline));
    }
}
