package org.flinkreinforce.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.flinkreinforce.formats.deadletter.DeadLetter;
import org.flinkreinforce.formats.deadletter.DeadLetterCodec;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.junit.jupiter.api.Test;

class TopicRecordSchemaTest {

    @Test
    void shouldLeaveTheRecordTimeToTheProducerNotToTheEventThatLedToIt() throws Exception {
        // A reward of a replayed history, a year old: far beyond a topic's 7-day retention.
        long yearOld = 1_733_000_000_000L;
        DeadLetter letter =
                new DeadLetter(
                        DeadLetterReason.LATE_REWARD,
                        "late",
                        null,
                        -1,
                        -1,
                        yearOld,
                        null,
                        new byte[] {1});
        ProducerRecord<byte[], byte[]> record =
                TopicRecordSchema.deadLetters("dead").serialize(letter, null, yearOld);
        assertThat(record.timestamp()).isNull();
        assertThat(record.topic()).isEqualTo("dead");
        assertThat(DeadLetterCodec.decode(record.value()).timestamp).isEqualTo(yearOld);
    }
}
