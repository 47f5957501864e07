package org.flinkreinforce.formats.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes events, decisions and rewards in the JSON v1 formats that {@link EventDecoder}, {@link
 * DecisionDecoder} and {@link RewardDecoder} read: {@code actions} always as an array, optional
 * fields only when set, no {@code features} where the event has none ({@code null}, as a decoder
 * without specs leaves them). A decision is written as an event without the reward.
 */
public final class JsonEventEncoder {

    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonEventEncoder() {}

    public static byte[] encode(LoggedEvent event) {
        return encode(event, true);
    }

    public static byte[] encode(LoggedDecision decision) {
        return encode(decision.withReward(0.0), false);
    }

    /** A reward: event id and reward, the policy id where it has one, the timestamp always. */
    public static byte[] encode(LoggedReward reward) {
        return write(
                96,
                json -> {
                    json.writeStringField("eventId", reward.eventId());
                    json.writeNumberField("reward", reward.reward());
                    if (reward.policyId() != null) {
                        json.writeStringField("policyId", reward.policyId());
                    }
                    json.writeNumberField("timestamp", reward.timestamp());
                });
    }

    /** An event, or a decision made an event ({@code withReward} false: without the reward). */
    private static byte[] encode(LoggedEvent event, boolean withReward) {
        float[] features = event.features();
        return write(
                128 + 12 * (features == null ? 0 : features.length),
                json -> {
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
                    if (withReward) {
                        json.writeNumberField("reward", event.reward());
                    }
                    for (OptionalField field : OptionalField.ALL) {
                        if (field.isSet(event)) {
                            writeOptional(json, field, event);
                        }
                    }
                });
    }

    private static void writeOptional(JsonGenerator json, OptionalField field, LoggedEvent event)
            throws IOException {
        switch (field.type) {
            case FLOAT32:
                double number = field.number(event);
                if (number != 0 && Math.abs(number) < Float.MIN_NORMAL) {
                    // Below float32's range (a propensity of many heads): every digit it has.
                    json.writeNumberField(field.jsonName, number);
                } else {
                    json.writeNumberField(field.jsonName, (float) number);
                }
                break;
            case INT64:
                json.writeNumberField(field.jsonName, field.integer(event));
                break;
            default:
                json.writeStringField(field.jsonName, field.string(event));
        }
    }

    /** One JSON object: the version, then what {@code fields} writes. */
    private static byte[] write(int sizeHint, Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("v", RecordKind.VERSION);
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }
}
