package org.flinkreinforce.formats.control;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The policy control topic's format, version 1: one JSON object per policy, keyed by the policy id
 * (UTF-8); a removed policy is a tombstone (no value).
 *
 * <pre>
 * {"v":1, "policyId":"recs", "spec":"recs:16:50", "options":{"learning-rate":"0.1"},
 *  "origin":"operator",
 *  "rollback":{"id":"3f2c...", "toVersion":12, "basedOnVersion":40, "snapshot":"base64"}}
 * {"v":1, "policyId":"shop", "kind":"ranker", "spec":"shop:20",
 *  "options":{"ranker.interactions":"user:item"}, "origin":"operator"}
 * </pre>
 *
 * {@code kind} is {@code ranker} for a ranker policy, absent (or {@code softmax}) for a softmax
 * policy; {@code rollback} is absent until one is asked for; {@code origin} is {@code
 * configuration} or {@code operator}. Unknown fields are skipped, so a later minor addition is read
 * by this version (a reader that predates {@code kind} takes a ranker's spec for a softmax
 * policy's, which does not parse: it refuses the definition).
 */
public final class PolicyControlCodec {

    public static final int FORMAT_VERSION = 1;

    private static final JsonFactory FACTORY = new JsonFactory();

    private PolicyControlCodec() {}

    /** The record key of {@code policyId}'s definitions. */
    public static byte[] key(String policyId) {
        return policyId.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] encode(PolicyDefinition definition) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("v", FORMAT_VERSION);
            json.writeStringField("policyId", definition.policyId());
            if (definition.kind() != PolicyDefinition.Kind.SOFTMAX) {
                json.writeStringField("kind", definition.kind().name().toLowerCase(Locale.ROOT));
            }
            json.writeStringField("spec", definition.spec());
            json.writeObjectFieldStart("options");
            for (Map.Entry<String, String> option : definition.options().entrySet()) {
                json.writeStringField(option.getKey(), option.getValue());
            }
            json.writeEndObject();
            json.writeStringField("origin", definition.origin().name().toLowerCase(Locale.ROOT));
            PolicyDefinition.Rollback rollback = definition.rollback();
            if (rollback != null) {
                json.writeObjectFieldStart("rollback");
                json.writeStringField("id", rollback.id());
                json.writeNumberField("toVersion", rollback.toVersion());
                json.writeNumberField("basedOnVersion", rollback.basedOnVersion());
                json.writeStringField(
                        "snapshot", Base64.getEncoder().encodeToString(rollback.snapshot()));
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The definition in {@code value}.
     *
     * @throws IOException where it is not a version 1 definition: not JSON, another version, a
     *     field missing or of the wrong type
     */
    public static PolicyDefinition decode(byte[] value) throws IOException {
        try (JsonParser parser = FACTORY.createParser(value)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT, "a JSON object");
            int version = -1;
            String policyId = null;
            PolicyDefinition.Kind kind = PolicyDefinition.Kind.SOFTMAX;
            String spec = null;
            Map<String, String> options = new TreeMap<>();
            PolicyDefinition.Origin origin = PolicyDefinition.Origin.OPERATOR;
            PolicyDefinition.Rollback rollback = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                switch (field) {
                    case "v" -> {
                        expect(token, JsonToken.VALUE_NUMBER_INT, "v, an integer,");
                        version = parser.getIntValue();
                    }
                    case "policyId" -> policyId = text(parser, token, field);
                    case "kind" -> kind = kind(text(parser, token, field));
                    case "spec" -> spec = text(parser, token, field);
                    case "options" -> readOptions(parser, token, options);
                    case "origin" -> origin = origin(text(parser, token, field));
                    case "rollback" -> rollback = readRollback(parser, token);
                    default -> parser.skipChildren();
                }
            }
            if (version != FORMAT_VERSION) {
                throw new IOException(
                        "Policy definition version "
                                + version
                                + " is not one this build reads ("
                                + FORMAT_VERSION
                                + ").");
            }
            if (policyId == null || spec == null) {
                throw new IOException("A policy definition needs policyId and spec.");
            }
            return new PolicyDefinition(policyId, kind, spec, options, origin, rollback);
        } catch (IllegalArgumentException e) {
            throw new IOException("Invalid policy definition: " + e.getMessage(), e);
        }
    }

    private static void readOptions(JsonParser parser, JsonToken token, Map<String, String> options)
            throws IOException {
        expect(token, JsonToken.START_OBJECT, "options, an object of strings,");
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            options.put(key, text(parser, parser.nextToken(), "options." + key));
        }
    }

    private static PolicyDefinition.Rollback readRollback(JsonParser parser, JsonToken token)
            throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(token, JsonToken.START_OBJECT, "rollback, an object,");
        String id = null;
        long toVersion = -1;
        long basedOnVersion = -1;
        byte[] snapshot = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "id" -> id = text(parser, value, "rollback.id");
                case "toVersion" -> toVersion = number(parser, value, "rollback.toVersion");
                case "basedOnVersion" ->
                        basedOnVersion = number(parser, value, "rollback.basedOnVersion");
                case "snapshot" ->
                        snapshot =
                                Base64.getDecoder()
                                        .decode(text(parser, value, "rollback.snapshot"));
                default -> parser.skipChildren();
            }
        }
        if (id == null || snapshot == null || toVersion < 0) {
            throw new IOException("A rollback needs id, toVersion and snapshot.");
        }
        return new PolicyDefinition.Rollback(id, toVersion, basedOnVersion, snapshot);
    }

    private static PolicyDefinition.Kind kind(String text) throws IOException {
        for (PolicyDefinition.Kind kind : PolicyDefinition.Kind.values()) {
            if (kind.name().equalsIgnoreCase(text)) {
                return kind;
            }
        }
        throw new IOException("Unknown policy kind '" + text + "' (softmax or ranker).");
    }

    private static PolicyDefinition.Origin origin(String text) throws IOException {
        for (PolicyDefinition.Origin origin : PolicyDefinition.Origin.values()) {
            if (origin.name().equalsIgnoreCase(text)) {
                return origin;
            }
        }
        throw new IOException("Unknown origin '" + text + "' (configuration or operator).");
    }

    private static String text(JsonParser parser, JsonToken token, String field)
            throws IOException {
        expect(token, JsonToken.VALUE_STRING, field + ", a string,");
        return parser.getText();
    }

    private static long number(JsonParser parser, JsonToken token, String field)
            throws IOException {
        expect(token, JsonToken.VALUE_NUMBER_INT, field + ", an integer,");
        return parser.getLongValue();
    }

    private static void expect(JsonToken token, JsonToken expected, String what)
            throws IOException {
        if (token != expected) {
            throw new IOException("A policy definition needs " + what + " here, not " + token);
        }
    }
}
