package org.flinkreinforce.cli.sim;

import java.util.OptionalDouble;
import java.util.Random;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.model.PolicyParameters;

/**
 * An application of a softmax policy in an {@link Environment}: a context, the policy's actions for
 * it ({@link PolicyClient#decide}) and the environment's outcome, drawn in that order.
 */
final class SoftmaxApplication implements Application {

    private final Environment environment;
    private final String policyId;
    private final PolicyClient client;

    /** Lets the policy act (uniformly) before its first snapshot. */
    SoftmaxApplication(Environment environment, String policyId, PolicyClient client) {
        this.environment = environment;
        this.policyId = policyId;
        this.client = client;
        client.register(environment.spec(policyId));
    }

    @Override
    public Played play(Random random) {
        float[] x = environment.context(random);
        PolicyClient.Decision decision = client.decide(policyId, x, random);
        Environment.Outcome outcome = environment.outcome(x, decision.actions(), random);
        return new Played(
                decision.eventId(),
                outcome,
                logger -> logger.logDecision(decision),
                (logger, reward) -> logger.log(decision, reward));
    }

    @Override
    public OptionalDouble unobservedReward() {
        return environment.unobservedReward();
    }

    @Override
    public long version() {
        return parameters().version();
    }

    @Override
    public double expectedReward() {
        return environment.expectedReward(parameters());
    }

    private PolicyParameters parameters() {
        return client.parameters(policyId)
                .orElseGet(() -> PolicyParameters.zeros(environment.spec(policyId)));
    }
}
