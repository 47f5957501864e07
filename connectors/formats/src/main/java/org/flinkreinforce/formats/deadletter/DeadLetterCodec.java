package org.flinkreinforce.formats.deadletter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * The dead-letter JSON format, version 1: one object per record, keyed like the original record:
 *
 * <pre>
 * {"v":1, "reason":"NON_FINITE", "detail":"The field reward is not finite (NaN).",
 *  "topic":"reinforce-events", "partition":0, "offset":42, "timestamp":1764201600000,
 *  "key":"base64 or null", "value":"base64 or null"}
 * </pre>
 */
public final class DeadLetterCodec {

    public static final int FORMAT_VERSION = 1;

    private static final JsonFactory FACTORY = new JsonFactory();

    private DeadLetterCodec() {}

    public static byte[] encode(DeadLetter letter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("v", FORMAT_VERSION);
            json.writeStringField("reason", letter.reason.name());
            json.writeStringField("detail", letter.detail);
            json.writeStringField("topic", letter.topic);
            json.writeNumberField("partition", letter.partition);
            json.writeNumberField("offset", letter.offset);
            json.writeNumberField("timestamp", letter.timestamp);
            writeBytes(json, "key", letter.key);
            writeBytes(json, "value", letter.value);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static DeadLetter decode(byte[] bytes) throws IOException {
        DeadLetter letter = new DeadLetter();
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("A dead letter must be a JSON object.");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                switch (field) {
                    case "reason":
                        letter.reason = DeadLetterReason.valueOf(parser.getText());
                        break;
                    case "detail":
                        letter.detail = parser.getText();
                        break;
                    case "topic":
                        letter.topic = parser.getText();
                        break;
                    case "partition":
                        letter.partition = parser.getIntValue();
                        break;
                    case "offset":
                        letter.offset = parser.getLongValue();
                        break;
                    case "timestamp":
                        letter.timestamp = parser.getLongValue();
                        break;
                    case "key":
                        letter.key = token == JsonToken.VALUE_NULL ? null : base64(parser);
                        break;
                    case "value":
                        letter.value = token == JsonToken.VALUE_NULL ? null : base64(parser);
                        break;
                    default:
                        parser.skipChildren();
                }
            }
        }
        return letter;
    }

    private static byte[] base64(JsonParser parser) throws IOException {
        return Base64.getDecoder().decode(parser.getText());
    }

    private static void writeBytes(JsonGenerator json, String field, byte[] bytes)
            throws IOException {
        if (bytes == null) {
            json.writeNullField(field);
        } else {
            json.writeStringField(field, Base64.getEncoder().encodeToString(bytes));
        }
    }
}
