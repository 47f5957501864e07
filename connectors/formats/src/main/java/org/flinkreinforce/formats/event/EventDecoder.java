package org.flinkreinforce.formats.event;

import static org.flinkreinforce.model.util.SettingChecks.require;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.model.PolicySpec;

/**
 * Decodes and validates events, JSON v1 or binary v1 ({@link EventFormat#of} tells them apart),
 * against the configured policies. It never throws on any input: every record becomes a valid
 * {@link LoggedEvent} or a {@link DeadLetter} with a {@link DeadLetterReason} and a human detail.
 *
 * <p>One reader per format fills an {@link EventDraft}; {@link EventValidator} then checks it
 * against its policy, the same way for every format. JSON takes a fast path first ({@link
 * FastJsonEventReader}): a strict reader of the common shape that gives up on anything else, which
 * {@link JsonEventReader} (Jackson) then reads and classifies. Both paths give the same event, bit
 * for bit; a test compares them on valid and mutated records.
 *
 * <p>Defaults: the event id is {@code topic-partition-offset}, the timestamp the record's, the
 * baseline key the policy id. Not thread-safe (the readers reuse buffers); create one per task.
 *
 * <p>{@link DecisionDecoder} and {@link RewardDecoder} decode the other {@link RecordKind}s with a
 * decoder of their kind, through the same readers and validation; there the event id has no
 * default. A binary record of another kind than the decoder's is rejected as {@code
 * MALFORMED_BINARY} with a detail that names its kind (it was sent to the wrong topic).
 */
public final class EventDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final RecordKind kind;
    private final Map<String, PolicySpec> policies;

    /** Whether events are checked against {@link #policies}, or only what needs no spec. */
    private final boolean checkSpecs;

    private final int maxEventBytes;
    private final boolean fastPath;
    private transient Readers readers;

    public EventDecoder(Map<String, PolicySpec> policies, int maxEventBytes) {
        this(policies, maxEventBytes, true);
    }

    /** {@code fastPath = false} reads every JSON record with Jackson: for tests that compare. */
    EventDecoder(Map<String, PolicySpec> policies, int maxEventBytes, boolean fastPath) {
        this(RecordKind.EVENT, policies, true, maxEventBytes, fastPath);
    }

    /** A decoder of records of {@code kind}; {@code checkSpecs} as for {@link #withoutSpecs}. */
    EventDecoder(
            RecordKind kind,
            Map<String, PolicySpec> policies,
            boolean checkSpecs,
            int maxEventBytes,
            boolean fastPath) {
        this.kind = kind;
        this.fastPath = fastPath;
        this.checkSpecs = checkSpecs;
        this.policies = Map.copyOf(Objects.requireNonNull(policies, "policies"));
        require(
                maxEventBytes >= 16,
                "maximum event size",
                maxEventBytes,
                "it must be at least 16 bytes");
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * A decoder that checks all but what needs the policy's spec (the policy id is known, the
     * feature count, the action count and range), for a learner whose policies change while it runs
     * and which checks those itself ({@link EventValidator#checkAgainst}). An event without
     * features then has {@code null} features. {@code policies} only speed up reading their ids.
     */
    public static EventDecoder withoutSpecs(Map<String, PolicySpec> policies, int maxEventBytes) {
        return new EventDecoder(RecordKind.EVENT, policies, false, maxEventBytes, true);
    }

    /** Decodes one record's value. Never throws. */
    public DecodedEvent decode(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        // The fields pass through the one reused EventFields: only the LoggedEvent is made.
        return decode(
                topic,
                partition,
                offset,
                timestamp,
                key,
                value,
                readers().reusedFields,
                fields -> DecodedEvent.valid(fields.toLogged()),
                DecodedEvent::rejected);
    }

    /**
     * Decodes one record's value into a caller's own types: {@code events} makes the event that the
     * decoder fills with the valid record's fields (the arrays are exact-size copies of its own)
     * and {@code valid} wraps, or {@code rejected} wraps the dead letter. No {@link LoggedEvent} or
     * {@link DecodedEvent} is made per record on the way. Never throws.
     */
    public <E extends EventFields, T> T decode(
            String topic,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value,
            Supplier<E> events,
            Function<E, T> valid,
            Function<DeadLetter, T> rejected) {
        DeadLetterReason reason;
        String detail;
        try {
            Readers readers = readers();
            EventDraft draft = read(readers, key, value, timestamp);
            if (draft.eventId == null && kind == RecordKind.EVENT) {
                draft.eventId = topic + "-" + partition + "-" + offset;
            }
            readers.validator.validate(draft);
            return valid.apply(draft.fill(events.get(), !checkSpecs));
        } catch (EventRejection rejection) {
            reason = rejection.reason();
            detail = rejection.getMessage();
        } catch (RuntimeException | StackOverflowError unexpected) {
            // A bug or a parser corner case must still not fail the job.
            reason = DeadLetterReason.MALFORMED_JSON;
            detail = "Unreadable " + kind.noun + ": " + unexpected;
        }
        return rejected.apply(
                new DeadLetter(reason, detail, topic, partition, offset, timestamp, key, value));
    }

    /**
     * Decodes one record's value into {@code record} made from the reused fields of a valid one
     * (for {@link DecisionDecoder} and {@link RewardDecoder}). Never throws.
     */
    <R> Decoded<R> decodeRecord(
            String topic,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value,
            Function<EventFields, R> record) {
        return decode(
                topic,
                partition,
                offset,
                timestamp,
                key,
                value,
                readers().reusedFields,
                fields -> Decoded.valid(record.apply(fields)),
                Decoded::rejected);
    }

    private EventDraft read(Readers readers, byte[] key, byte[] value, long recordTimestamp)
            throws EventRejection {
        if (value == null) {
            throw new EventRejection(
                    DeadLetterReason.EMPTY, "The record has no value (a tombstone).");
        }
        long size = (long) value.length + (key == null ? 0 : key.length);
        if (size > maxEventBytes) {
            throw new EventRejection(
                    DeadLetterReason.TOO_LARGE,
                    "The record has "
                            + size
                            + " bytes (key and value), more than the maximum of "
                            + maxEventBytes
                            + ".");
        }
        EventDraft draft = readers.draft;
        draft.reset(recordTimestamp);
        RecordKind binary = RecordKind.ofBinary(value);
        if (binary == kind) {
            readers.binary.read(value, draft);
            return draft;
        }
        if (binary != null) {
            throw kind.wrongKind(binary);
        }
        if (isBlank(value)) {
            throw new EventRejection(DeadLetterReason.EMPTY, "The record value is empty.");
        }
        if (!fastPath || !readers.fastJson.read(value, draft)) {
            draft.reset(recordTimestamp);
            readers.json.read(value, draft);
        }
        return draft;
    }

    private Readers readers() {
        if (readers == null) {
            readers = new Readers(kind, policies, checkSpecs, maxEventBytes);
        }
        return readers;
    }

    private static boolean isBlank(byte[] value) {
        for (byte b : value) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** The per-task parts: readers with their buffers, made on first use after deserialization. */
    private static final class Readers {
        final EventDraft draft = new EventDraft();
        final EventFields fields = new EventFields();
        final Supplier<EventFields> reusedFields = () -> fields;
        final FastJsonEventReader fastJson;
        final JsonEventReader json;
        final BinaryEventReader binary;
        final EventValidator validator;

        Readers(
                RecordKind kind,
                Map<String, PolicySpec> policies,
                boolean checkSpecs,
                int maxEventBytes) {
            fastJson = new FastJsonEventReader(kind, policies.keySet());
            json = new JsonEventReader(kind, maxEventBytes);
            binary = new BinaryEventReader(kind, policies.keySet(), maxEventBytes);
            validator = new EventValidator(kind, checkSpecs ? policies : null);
        }
    }
}
