package org.flinkreinforce.formats.event;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;

/**
 * The optional fields of an event, in one table that every reader and writer of both formats
 * follows: the JSON name, the binary type, the binary flag bit (the constant's ordinal) and the
 * binary order (the declaration order), what a value must satisfy, where it goes in an {@link
 * EventDraft} and when a {@link LoggedEvent} writes it. In JSON, {@code null} is the same as an
 * absent field. Adding an optional field to the event takes a constant here, a component of {@link
 * LoggedEvent} and a field of {@link EventDraft}.
 */
enum OptionalField {
    /** The logged propensity in (0, 1]; absent on-policy. */
    PROPENSITY(
            "propensity",
            OptionalField::propensity,
            LoggedEvent::hasPropensity,
            LoggedEvent::propensity),
    /** The parameter version that decided, not negative. */
    POLICY_VERSION(
            "policyVersion",
            OptionalField::policyVersion,
            event -> event.policyVersion() != LoggedEvent.UNKNOWN_VERSION,
            LoggedEvent::policyVersion),
    /** The baseline key; written only where it differs from the policy id, its default. */
    BASELINE_KEY(
            "baselineKey",
            (draft, value) -> draft.baselineKey = value,
            event ->
                    event.baselineKey() == null || event.baselineKey().equals(event.policyId())
                            ? null
                            : event.baselineKey()),
    /** The event id. */
    EVENT_ID("eventId", (draft, value) -> draft.eventId = value, LoggedEvent::eventId),
    /** Milliseconds since the epoch; always written. */
    TIMESTAMP(
            "timestamp",
            (EventDraft draft, long value) -> draft.timestamp = value,
            event -> true,
            LoggedEvent::timestamp);

    /** How a value is written: JSON number or string; binary f32, i64 or u16-length UTF-8. */
    enum Type {
        FLOAT32,
        INT64,
        STRING
    }

    /** All of them, in binary order. */
    static final List<OptionalField> ALL = List.of(values());

    /** The binary flags that name a field; every other bit must be 0. */
    static final int KNOWN_FLAGS = (1 << ALL.size()) - 1;

    private static final Map<String, OptionalField> BY_NAME = new HashMap<>();

    static {
        for (OptionalField field : ALL) {
            BY_NAME.put(field.jsonName, field);
        }
    }

    final String jsonName;
    final Type type;
    final int flag;
    private final NumberSetter numberSetter;
    private final IntegerSetter integerSetter;
    private final StringSetter stringSetter;
    private final Predicate<LoggedEvent> isSet;
    private final ToDoubleFunction<LoggedEvent> number;
    private final ToLongFunction<LoggedEvent> integer;
    private final Function<LoggedEvent, String> string;

    OptionalField(
            String jsonName,
            NumberSetter setter,
            Predicate<LoggedEvent> isSet,
            ToDoubleFunction<LoggedEvent> getter) {
        this(jsonName, Type.FLOAT32, setter, null, null, isSet, getter, null, null);
    }

    OptionalField(
            String jsonName,
            IntegerSetter setter,
            Predicate<LoggedEvent> isSet,
            ToLongFunction<LoggedEvent> getter) {
        this(jsonName, Type.INT64, null, setter, null, isSet, null, getter, null);
    }

    /** A string field, written where the getter gives one. */
    OptionalField(String jsonName, StringSetter setter, Function<LoggedEvent, String> getter) {
        this(
                jsonName,
                Type.STRING,
                null,
                null,
                setter,
                event -> getter.apply(event) != null,
                null,
                null,
                getter);
    }

    OptionalField(
            String jsonName,
            Type type,
            NumberSetter numberSetter,
            IntegerSetter integerSetter,
            StringSetter stringSetter,
            Predicate<LoggedEvent> isSet,
            ToDoubleFunction<LoggedEvent> number,
            ToLongFunction<LoggedEvent> integer,
            Function<LoggedEvent, String> string) {
        this.jsonName = jsonName;
        this.type = type;
        this.flag = 1 << ordinal();
        this.numberSetter = numberSetter;
        this.integerSetter = integerSetter;
        this.stringSetter = stringSetter;
        this.isSet = isSet;
        this.number = number;
        this.integer = integer;
        this.string = string;
    }

    /** The field of this JSON name, or null. */
    static OptionalField named(String jsonName) {
        return BY_NAME.get(jsonName);
    }

    /** Stores a finite number (a {@link Type#FLOAT32} field), or says why it is invalid. */
    void setNumber(EventDraft draft, double value) throws EventRejection {
        numberSetter.set(draft, value);
    }

    /** Stores an integer (a {@link Type#INT64} field), or says why it is invalid. */
    void setInteger(EventDraft draft, long value) throws EventRejection {
        integerSetter.set(draft, value);
    }

    /** Stores a string (a {@link Type#STRING} field). */
    void setString(EventDraft draft, String value) {
        stringSetter.set(draft, value);
    }

    /** Whether a writer writes this field of {@code event}. */
    boolean isSet(LoggedEvent event) {
        return isSet.test(event);
    }

    double number(LoggedEvent event) {
        return number.applyAsDouble(event);
    }

    long integer(LoggedEvent event) {
        return integer.applyAsLong(event);
    }

    String string(LoggedEvent event) {
        return string.apply(event);
    }

    private static void propensity(EventDraft draft, double value) throws EventRejection {
        if (!(value > 0.0 && value <= 1.0)) {
            throw new EventRejection(
                    DeadLetterReason.BAD_PROPENSITY,
                    "The propensity " + value + " is outside (0, 1].");
        }
        // Float32's precision, as the binary format of version 1 carries it, where float32 holds
        // the value; below its range (the joint probability of many heads) the double itself.
        draft.propensity = value >= Float.MIN_NORMAL ? (float) value : value;
    }

    private static void policyVersion(EventDraft draft, long value) throws EventRejection {
        if (value < 0) {
            throw new EventRejection(
                    DeadLetterReason.WRONG_TYPE, "The policyVersion must not be negative.");
        }
        draft.policyVersion = value;
    }

    private interface NumberSetter {
        void set(EventDraft draft, double value) throws EventRejection;
    }

    private interface IntegerSetter {
        void set(EventDraft draft, long value) throws EventRejection;
    }

    private interface StringSetter {
        void set(EventDraft draft, String value);
    }
}
