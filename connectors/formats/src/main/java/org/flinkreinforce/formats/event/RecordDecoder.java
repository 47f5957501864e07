package org.flinkreinforce.formats.event;

import java.io.Serializable;

/**
 * Decodes the value of one Kafka record into a record of type {@code R}, or says why it cannot:
 * what {@link DecisionDecoder} and {@link RewardDecoder} have in common.
 */
public interface RecordDecoder<R> extends Serializable {

    /** Decodes one record's value. Never throws. */
    Decoded<R> decode(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value);
}
