package org.flinkreinforce.formats.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeadLetterCodecTest {

    @Test
    void shouldCarryTheReasonTheSourceAndTheOriginalBytes() throws Exception {
        byte[] original = {(byte) 0xff, 0, '{', '"'};
        DeadLetter letter =
                new DeadLetter(
                        DeadLetterReason.MALFORMED_JSON,
                        "Invalid UTF-8",
                        "events",
                        3,
                        41,
                        1_700_000_000_000L,
                        "k".getBytes(StandardCharsets.UTF_8),
                        original);
        byte[] json = DeadLetterCodec.encode(letter);
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"reason\":\"MALFORMED_JSON\"", "\"offset\":41", "\"v\":1");
        DeadLetter decoded = DeadLetterCodec.decode(json);
        assertThat(decoded.reason).isEqualTo(DeadLetterReason.MALFORMED_JSON);
        assertThat(decoded.detail).isEqualTo("Invalid UTF-8");
        assertThat(decoded.topic).isEqualTo("events");
        assertThat(decoded.partition).isEqualTo(3);
        assertThat(decoded.timestamp).isEqualTo(1_700_000_000_000L);
        assertThat(decoded.key).containsExactly('k');
        assertThat(decoded.value).containsExactly(original);
    }

    @Test
    void shouldEncodeATombstoneAsANullValue() throws Exception {
        DeadLetter letter =
                new DeadLetter(DeadLetterReason.EMPTY, "tombstone", "events", 0, 0, 0, null, null);
        DeadLetter decoded = DeadLetterCodec.decode(DeadLetterCodec.encode(letter));
        assertThat(decoded.value).isNull();
        assertThat(decoded.key).isNull();
    }

    @Test
    void shouldCutAHugeValueToFitTheBrokerAndDescribeTheOriginal() throws Exception {
        byte[] huge = new byte[5 << 20];
        new java.util.Random(5).nextBytes(huge);
        byte[] key = "nas".getBytes(StandardCharsets.UTF_8);
        DeadLetter letter =
                new DeadLetter(
                        DeadLetterReason.TOO_LARGE,
                        "x".repeat(100_000),
                        "events",
                        0,
                        7,
                        0,
                        key,
                        huge);
        byte[] json = DeadLetterCodec.encode(letter);
        // Kafka's default largest record is 1 MB (message.max.bytes 1048588).
        assertThat(json.length).isLessThan(200_000);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"v\":2");
        DeadLetter decoded = DeadLetterCodec.decode(json);
        assertThat(decoded.value)
                .containsExactly(java.util.Arrays.copyOf(huge, DeadLetterCodec.MAX_BYTES));
        assertThat(decoded.valueLength).isEqualTo(huge.length);
        assertThat(decoded.valueSha256).isEqualTo(DeadLetterCodec.sha256(huge)).hasSize(64);
        assertThat(decoded.key).containsExactly(key);
        assertThat(decoded.keyLength).isEqualTo(-1);
        assertThat(decoded.keySha256).isNull();
        assertThat(decoded.detail).hasSize(DeadLetterCodec.MAX_DETAIL_CHARS + 3);
    }

    @ParameterizedTest
    @EnumSource(DeadLetterReason.class)
    void shouldWriteEveryReasonByItsNameAndReadItBack(DeadLetterReason reason) throws Exception {
        DeadLetter letter = new DeadLetter(reason, "why", "t", 0, 1, 2, null, new byte[] {1});
        byte[] json = DeadLetterCodec.encode(letter);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .contains("\"reason\":\"" + reason.name() + "\"");
        assertThat(DeadLetterCodec.decode(json).reason).isEqualTo(reason);
    }

    @Test
    void shouldReportAReasonOfALaterReleaseAsUnreadableRatherThanGuess() {
        byte[] json =
                ("{\"v\":1,\"reason\":\"SOME_LATER_REASON\",\"detail\":\"d\",\"topic\":\"t\","
                                + "\"partition\":0,\"offset\":1,\"timestamp\":2,\"key\":null,"
                                + "\"value\":null}")
                        .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> DeadLetterCodec.decode(json))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("SOME_LATER_REASON");
    }
}
