package org.flinkreinforce.cli.sim;

import java.util.OptionalDouble;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.ObjDoubleConsumer;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;

/**
 * What a {@link Simulator} runs: an application that decides with the newest published policy, acts
 * in its environment and knows how to log what it decided.
 */
public interface Application {

    /**
     * One decision, acted on: its id (which its reward is logged with), its outcome, and how to log
     * it alone ({@code logDecision}, the split form) or with a reward as one event ({@code log},
     * the inline form).
     */
    record Played(
            String eventId,
            Environment.Outcome outcome,
            Consumer<EventLogger> logDecision,
            ObjDoubleConsumer<EventLogger> log) {}

    /** Decides for the next request with the newest policy and acts on it. */
    Played play(Random random);

    /**
     * What an outcome without a reward is worth, where it is learned from ({@link Environment}).
     */
    OptionalDouble unobservedReward();

    /** The newest published version of the policy; 0 before the first. */
    long version();

    /** The newest published policy's expected reward. */
    double expectedReward();

    /** A softmax policy {@code policyId} acting in {@code environment}, through {@code client}. */
    static Application softmax(Environment environment, String policyId, PolicyClient client) {
        return new SoftmaxApplication(environment, policyId, client);
    }
}
