package org.flinkreinforce.formats.ranker;

import java.util.List;
import java.util.Objects;
import org.flinkreinforce.model.ranker.Features;

/**
 * A ranker policy's decision as an application logs it: the shared context, the candidates it
 * ranked, the one it chose and with what probability; with its reward (a ranker event, the events
 * topic) or without (a ranker decision, the decisions topic, whose rewards come apart).
 *
 * @param policyId the ranker policy that decided
 * @param shared the shared context's features
 * @param candidates the candidates, in the order {@code chosen} indexes
 * @param chosen the index of the candidate shown (acted on)
 * @param reward the reward it earned; {@link #NO_REWARD} (NaN) for a decision whose reward comes
 *     apart
 * @param propensity the probability the serving policy gave the chosen candidate, in (0, 1]; NaN
 *     when on-policy
 * @param policyVersion the parameter version that decided; -1 when unknown
 * @param baselineKey the running baseline's key; null for the policy id
 * @param eventId unique id; required for a decision (its rewards name it)
 * @param timestamp milliseconds since the epoch; {@link Long#MIN_VALUE} for the record's
 */
public record LoggedRanking(
        String policyId,
        Features shared,
        List<Candidate> candidates,
        int chosen,
        double reward,
        double propensity,
        long policyVersion,
        String baselineKey,
        String eventId,
        long timestamp) {

    /** {@link #reward} of a decision logged without its reward. */
    public static final double NO_REWARD = Double.NaN;

    /** {@link #timestamp} when the application set none. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    public LoggedRanking {
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(shared, "shared");
        candidates = List.copyOf(candidates);
    }

    public boolean hasReward() {
        return !Double.isNaN(reward);
    }

    public boolean hasPropensity() {
        return !Double.isNaN(propensity);
    }
}
