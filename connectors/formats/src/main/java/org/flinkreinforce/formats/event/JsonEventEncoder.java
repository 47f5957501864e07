package org.flinkreinforce.formats.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes events in the JSON v1 format that {@link EventDecoder} reads: {@code actions} always as an
 * array, optional fields only when set, no {@code features} where the event has none ({@code null},
 * as a decoder without specs leaves them).
 */
public final class JsonEventEncoder {

    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonEventEncoder() {}

    public static byte[] encode(LoggedEvent event) {
        float[] features = event.features();
        ByteArrayOutputStream out =
                new ByteArrayOutputStream(128 + 12 * (features == null ? 0 : features.length));
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("v", EventFormat.JSON.version());
            json.writeStringField("policyId", event.policyId());
            if (features != null) {
                json.writeFieldName("features");
                json.writeStartArray();
                for (float value : features) {
                    json.writeNumber(value);
                }
                json.writeEndArray();
            }
            json.writeFieldName("actions");
            json.writeStartArray();
            for (int action : event.actions()) {
                json.writeNumber(action);
            }
            json.writeEndArray();
            json.writeNumberField("reward", event.reward());
            for (OptionalField field : OptionalField.ALL) {
                if (!field.isSet(event)) {
                    continue;
                }
                switch (field.type) {
                    case FLOAT32:
                        json.writeNumberField(field.jsonName, (float) field.number(event));
                        break;
                    case INT64:
                        json.writeNumberField(field.jsonName, field.integer(event));
                        break;
                    default:
                        json.writeStringField(field.jsonName, field.string(event));
                }
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
