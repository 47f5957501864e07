package org.flinkreinforce.formats.ranker;

import org.flinkreinforce.model.ranker.HashedFeatures;

/**
 * A ranker decision or event as the learner reads it, validated against its policy ({@link
 * RankingCodec#decode}): the features hashed with the policy's seed, whether they came as names
 * (JSON) or already hashed (binary).
 *
 * @param candidateIds the candidates' ids, an entry null where a candidate has none
 * @param reward NaN for a decision without its reward
 * @param propensity NaN when on-policy
 * @param policyVersion -1 when unknown
 * @param baselineKey null for the policy id
 * @param eventId null where an event has none (a decision always has one)
 * @param timestamp {@link LoggedRanking#NO_TIMESTAMP} for the record's
 */
public record RankedDecision(
        String policyId,
        HashedFeatures shared,
        HashedFeatures[] candidates,
        String[] candidateIds,
        int chosen,
        double reward,
        double propensity,
        long policyVersion,
        String baselineKey,
        String eventId,
        long timestamp) {

    public boolean hasReward() {
        return !Double.isNaN(reward);
    }
}
