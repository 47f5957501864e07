package org.flinkreinforce.formats.deadletter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The dead-letter JSON format: one object per record, keyed like the original record. Version 1
 * carries the original key and value whole:
 *
 * <pre>
 * {"v":1, "reason":"NON_FINITE", "detail":"The field reward is not finite (NaN).",
 *  "topic":"reinforce-events", "partition":0, "offset":42, "timestamp":1764201600000,
 *  "key":"base64 or null", "value":"base64 or null"}
 * </pre>
 *
 * <p>Version 2 is written when the key or the value is longer than {@link #MAX_BYTES}, so that a
 * dead letter always fits the broker's default record size: that field holds the first {@link
 * #MAX_BYTES} bytes, and {@code keyLength}/{@code valueLength} and {@code keySha256}/{@code
 * valueSha256} (hex) describe the original. Both versions are read. A detail longer than {@link
 * #MAX_DETAIL_CHARS} is cut there.
 *
 * <p>The reason is a {@link DeadLetterReason}'s name. A later release may add reasons: {@link
 * #decode} throws an {@link IOException} for a name it does not know, as for any dead letter it
 * cannot read, rather than guess.
 */
public final class DeadLetterCodec {

    public static final int FORMAT_VERSION = 1;

    /** The version of a dead letter whose key or value was cut. */
    public static final int TRUNCATED_VERSION = 2;

    /** The most bytes of the original key, and of the value, a dead letter carries. */
    public static final int MAX_BYTES = 64 * 1024;

    /** The longest detail a dead letter carries. */
    public static final int MAX_DETAIL_CHARS = 1024;

    private static final JsonFactory FACTORY = new JsonFactory();

    private DeadLetterCodec() {}

    public static byte[] encode(DeadLetter letter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            boolean cut = longer(letter.key) || longer(letter.value);
            json.writeNumberField("v", cut ? TRUNCATED_VERSION : FORMAT_VERSION);
            json.writeStringField("reason", letter.reason.name());
            json.writeStringField(
                    "detail",
                    letter.detail == null || letter.detail.length() <= MAX_DETAIL_CHARS
                            ? letter.detail
                            : letter.detail.substring(0, MAX_DETAIL_CHARS) + "...");
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
                        letter.reason = reason(parser.getText());
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
                    case "keyLength":
                        letter.keyLength = parser.getIntValue();
                        break;
                    case "valueLength":
                        letter.valueLength = parser.getIntValue();
                        break;
                    case "keySha256":
                        letter.keySha256 = parser.getText();
                        break;
                    case "valueSha256":
                        letter.valueSha256 = parser.getText();
                        break;
                    default:
                        parser.skipChildren();
                }
            }
        }
        return letter;
    }

    /** The reason of that name; one this release does not know (a later one's) is an error. */
    private static DeadLetterReason reason(String name) throws IOException {
        try {
            return DeadLetterReason.valueOf(name);
        } catch (IllegalArgumentException unknown) {
            throw new IOException(
                    "Unknown dead-letter reason '"
                            + name
                            + "': the dead letter was written by a later release.");
        }
    }

    /** The SHA-256 of {@code bytes}, in lower-case hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256.", e);
        }
    }

    private static boolean longer(byte[] bytes) {
        return bytes != null && bytes.length > MAX_BYTES;
    }

    private static byte[] base64(JsonParser parser) throws IOException {
        return Base64.getDecoder().decode(parser.getText());
    }

    /** {@code bytes} in base64; longer than {@link #MAX_BYTES}, the first ones, length and hash. */
    private static void writeBytes(JsonGenerator json, String field, byte[] bytes)
            throws IOException {
        if (bytes == null) {
            json.writeNullField(field);
        } else if (!longer(bytes)) {
            json.writeStringField(field, Base64.getEncoder().encodeToString(bytes));
        } else {
            json.writeStringField(
                    field, Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, MAX_BYTES)));
            json.writeNumberField(field + "Length", bytes.length);
            json.writeStringField(field + "Sha256", sha256(bytes));
        }
    }
}
