package org.flinkreinforce.formats.event;

import java.util.Map;

/**
 * Decodes and validates rewards, JSON v1 or binary v1 (first byte {@link
 * EventFormat#BINARY_REWARD_MAGIC}), through the readers of {@link EventDecoder}: a reward must
 * have an event id and a finite reward; its policy id is a hint that is not checked against the
 * policies; the timestamp defaults to the record's. The event's other fields in a JSON reward are
 * skipped as unknown fields. It never throws on any input: every record becomes a valid {@link
 * LoggedReward} or a dead letter with a reason. Not thread-safe; create one per task.
 */
public final class RewardDecoder implements RecordDecoder<LoggedReward> {

    private static final long serialVersionUID = 1L;

    private final EventDecoder rewards;

    public RewardDecoder(int maxEventBytes) {
        this(new EventDecoder(RecordKind.REWARD, Map.of(), false, maxEventBytes, true));
    }

    RewardDecoder(EventDecoder rewards) {
        this.rewards = rewards;
    }

    @Override
    public Decoded<LoggedReward> decode(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        return rewards.decodeRecord(
                topic, partition, offset, timestamp, key, value, RewardDecoder::reward);
    }

    private static LoggedReward reward(EventFields fields) {
        return new LoggedReward(fields.eventId, fields.reward, fields.policyId, fields.timestamp);
    }
}
