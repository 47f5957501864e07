package org.flinkreinforce.connectors.event;

import java.util.Arrays;
import org.flinkreinforce.connectors.deadletter.DeadLetterReason;
import org.flinkreinforce.model.PolicySpec;

/**
 * What a reader found besides the {@link PolicyEvent}'s own fields: features and actions in reused
 * buffers, and which fields were present. {@code actionCount} is -1 when neither {@code action} nor
 * {@code actions} was given and -2 when both were.
 */
final class EventFields {

    float[] features = new float[64];
    int[] actions = new int[8];
    int featureCount;
    int actionCount;
    boolean singleAction;
    boolean hasReward;

    void reset() {
        featureCount = -1;
        actionCount = -1;
        singleAction = false;
        hasReward = false;
    }

    float[] growFeatures(int maxEventBytes) throws EventDecoder.Rejection {
        if (features.length >= maxEventBytes / 2) {
            throw new EventDecoder.Rejection(DeadLetterReason.TOO_LARGE, "Too many features.");
        }
        features = Arrays.copyOf(features, features.length * 2);
        return features;
    }

    int[] growActions() throws EventDecoder.Rejection {
        if (actions.length >= PolicySpec.MAX_HEADS) {
            throw new EventDecoder.Rejection(DeadLetterReason.ACTION_COUNT, "Too many actions.");
        }
        actions = Arrays.copyOf(actions, actions.length * 2);
        return actions;
    }
}
