package org.flinkreinforce.job.testing;

import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;

/** An application's traffic: decisions of the serving client, logged with what they earned. */
public final class ServedDecisions {

    private ServedDecisions() {}

    /**
     * Decides {@code count} times for policy {@code nas} (no features) with {@code policies}, logs
     * each decision with the reward {@code reward} gives its actions, adds the event ids to {@code
     * sent} and flushes {@code logger}.
     */
    public static void log(
            PolicyClient policies,
            EventLogger logger,
            Random random,
            int count,
            ToDoubleFunction<int[]> reward,
            List<String> sent) {
        for (int k = 0; k < count; k++) {
            PolicyClient.Decision decision = policies.decide("nas", new float[0], random);
            logger.log(decision, reward.applyAsDouble(decision.actions()));
            sent.add(decision.eventId());
        }
        logger.flush();
    }
}
