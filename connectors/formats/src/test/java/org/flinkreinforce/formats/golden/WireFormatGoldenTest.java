package org.flinkreinforce.formats.golden;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterCodec;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.DecodedEvent;
import org.flinkreinforce.formats.event.EventDecoder;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotSamples;
import org.flinkreinforce.formats.snapshot.ValidationStatistics;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.Test;

/**
 * The bytes of every version-1 wire format, pinned: each sample value must encode to the stored
 * file byte for byte, and each stored file must decode to the sample. A change that alters a format
 * (a field's order, a number's rendering, the byte order) fails here, whatever its round trips say.
 * Regenerate the files only for a new format version, with {@code -Dgolden.update=true}, and keep
 * the old version's files as they are.
 */
class WireFormatGoldenTest {

    private static final String FOLDER = "golden/";

    private static final PolicySpec RECS = PolicySpec.parse("recs:3:5");
    private static final PolicySpec NAS = PolicySpec.parse("nas-\u00fc:0:4,2,3");

    private static LoggedEvent fullEvent() {
        return new LoggedEvent(
                "recs",
                new float[] {1.5f, -0.0f, 3.4028235e38f},
                new int[] {4},
                -2.75,
                0.125f,
                17,
                "user-\u00e9",
                "evt-\u4e16-1",
                1_764_201_600_123L);
    }

    private static LoggedEvent minimalEvent() {
        return new LoggedEvent(
                "nas-\u00fc",
                new float[0],
                new int[] {3, 1, 2},
                0.1,
                LoggedEvent.ON_POLICY,
                LoggedEvent.UNKNOWN_VERSION,
                "nas-\u00fc",
                "nas-1",
                0L);
    }

    private static ParameterSnapshot snapshot() {
        return SnapshotSamples.twoHeads();
    }

    private static DeadLetter deadLetter() {
        return new DeadLetter(
                DeadLetterReason.NON_FINITE,
                "The field reward is not finite (NaN).",
                "reinforce-events",
                2,
                42,
                1_764_201_600_000L,
                new byte[] {'k', 0, (byte) 0xff},
                "{\"policyId\":\"recs\",\"reward\":NaN}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteAndReadTheJsonEventBytesOfVersion1() {
        assertEventFormat(EventFormat.JSON, fullEvent(), "event-v1-full.json");
        assertEventFormat(EventFormat.JSON, minimalEvent(), "event-v1-minimal.json");
    }

    @Test
    void shouldWriteAndReadTheBinaryEventBytesOfVersion1() {
        assertEventFormat(EventFormat.BINARY, fullEvent(), "event-v1-full.bin");
        assertEventFormat(EventFormat.BINARY, minimalEvent(), "event-v1-minimal.bin");
    }

    @Test
    void shouldReadAHandWrittenJsonEventWithSingleActionAndUnknownFields() {
        byte[] bytes = golden("event-v1-handwritten.json");
        DecodedEvent record = decoder().decode("events", 0, 7, 99L, null, bytes);
        assertThat(record.isValid()).as(String.valueOf(record)).isTrue();
        LoggedEvent full = fullEvent();
        LoggedEvent expected =
                new LoggedEvent(
                        full.policyId(),
                        full.features(),
                        full.actions(),
                        full.reward(),
                        full.propensity(),
                        LoggedEvent.UNKNOWN_VERSION,
                        full.baselineKey(),
                        full.eventId(),
                        full.timestamp());
        assertThat(record.event()).isEqualTo(expected);
    }

    @Test
    void shouldWriteAndReadTheSnapshotBytesOfVersion1() throws Exception {
        assertSnapshotFormat(snapshot(), "snapshot-v1.bin");
    }

    @Test
    void shouldWriteAndReadTheSnapshotBytesOfVersion1WithValidation() throws Exception {
        ParameterSnapshot snapshot =
                SnapshotSamples.twoHeads(
                        snapshot()
                                .statistics()
                                .withValidation(
                                        new ValidationStatistics(
                                                5000, 0.71, 0.02, 0.7, 0.015, 0.52, 0.004)));
        byte[] expected = assertSnapshotFormat(snapshot, "snapshot-v1-validation.bin");
        // The first eleven statistics and everything around them are those of the plain snapshot.
        assertThat(expected).hasSize(golden("snapshot-v1.bin").length + 7 * 8);
    }

    private static byte[] assertSnapshotFormat(ParameterSnapshot snapshot, String file)
            throws Exception {
        byte[] expected = goldenOrUpdate(file, SnapshotCodec.encode(snapshot));
        assertThat(SnapshotCodec.encode(snapshot)).isEqualTo(expected);
        assertThat(SnapshotCodec.decode(expected)).isEqualTo(snapshot);
        return expected;
    }

    @Test
    void shouldWriteAndReadTheDeadLetterBytesOfVersion1() throws Exception {
        DeadLetter letter = deadLetter();
        byte[] expected = goldenOrUpdate("dead-letter-v1.json", DeadLetterCodec.encode(letter));
        assertThat(DeadLetterCodec.encode(letter)).isEqualTo(expected);
        DeadLetter decoded = DeadLetterCodec.decode(expected);
        assertThat(decoded).usingRecursiveComparison().isEqualTo(letter);
    }

    private static EventDecoder decoder() {
        return new EventDecoder(Map.of(RECS.id(), RECS, NAS.id(), NAS), 4096);
    }

    private static void assertEventFormat(EventFormat format, LoggedEvent event, String file) {
        byte[] expected = goldenOrUpdate(file, format.encode(event));
        assertThat(format.encode(event)).isEqualTo(expected);
        DecodedEvent record = decoder().decode("events", 0, 1, 5L, null, expected);
        assertThat(record.isValid()).as(String.valueOf(record)).isTrue();
        assertThat(record.event()).isEqualTo(event);
    }

    private static byte[] goldenOrUpdate(String name, byte[] encoded) {
        if (Boolean.getBoolean("golden.update")) {
            try {
                Path path = Path.of("src/test/resources", FOLDER, name);
                Files.createDirectories(path.getParent());
                Files.write(path, encoded);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return encoded;
        }
        return golden(name);
    }

    private static byte[] golden(String name) {
        try (InputStream in =
                WireFormatGoldenTest.class.getClassLoader().getResourceAsStream(FOLDER + name)) {
            assertThat(in).as("test resource " + FOLDER + name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
