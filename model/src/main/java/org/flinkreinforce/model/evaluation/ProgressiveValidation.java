package org.flinkreinforce.model.evaluation;

/**
 * Progressive validation (Blum, Kalai and Langford 1999) of a policy learned online from bandit
 * feedback, what Vowpal Wabbit prints as its average loss: every event is scored by the policy
 * <em>before</em> the update that learns from it, so each one is a held-out test of the policy of
 * its time. These are the running totals and the estimates they give.
 *
 * <p>Per event {@code i}: the reward {@code r_i}, the logged propensity {@code mu_i} of the logged
 * action and the probability {@code pi_i} that the current (pre-update) policy gives it. The
 * importance weight is {@code w_i = pi_i / mu_i}, uncapped; an on-policy event, which logs no
 * propensity, has {@code w_i = 1}. Each event also carries a forgetting weight {@code a_i}: 1,
 * multiplied by {@code gamma} at every {@link #forget(double) forget(gamma)} after it.
 *
 * <p>The estimates, each a weighted mean {@code V} of a per-event value:
 *
 * <table>
 *   <caption>Estimates</caption>
 *   <tr><th>estimate</th><th>value</th><th>influence {@code z_i}</th><th>what it is</th></tr>
 *   <tr><td>{@link #ips()}</td><td>{@code sum a w r / sum a}</td><td>{@code w_i r_i - V}</td>
 *       <td>inverse propensity scoring (Horvitz and Thompson 1952): unbiased for the policy's
 *       expected reward where every action the policy can take was logged with {@code mu > 0}</td>
 *   <tr><td>{@link #snips()}</td><td>{@code sum a w r / sum a w}</td>
 *       <td>{@code w_i (r_i - V) / wbar}, {@code wbar = sum a w / sum a}</td>
 *       <td>self-normalised IPS (Swaminathan and Joachims 2015): slightly biased, often far less
 *       variable; NaN while {@code sum a w = 0}</td>
 *   <tr><td>{@link #loggedMean()}</td><td>{@code sum a r / sum a}</td><td>{@code r_i - V}</td>
 *       <td>the observed mean reward of the logging policy</td>
 * </table>
 *
 * <p>The standard error of each is the delta-method (linearisation) one, {@code se^2 = mean_a(z^2)
 * / (m - 1)}, with {@code mean_a(z^2) = sum a z^2 / sum a} and the effective number of events
 * {@code m = (sum a)^2 / sum a^2} ({@link #effectiveCount()}; the number of events when nothing is
 * forgotten). Without forgetting this is the textbook {@code s^2 / n} for IPS and the logged mean
 * ({@code s^2} the sample variance with {@code n - 1}) and, for SNIPS, {@code sum w^2 (r - V)^2 /
 * (sum w)^2} times {@code n / (n - 1)}. It is {@code Infinity} while {@code m <= 1}; the values are
 * NaN before the first event. The intervals ({@link Estimate#lower()}) are normal approximations:
 * trust them once there are many events and the effective sample size ({@link
 * #effectiveSampleSize()}) is not small.
 *
 * <p>Cumulative, windowed or per batch: the totals cover every event since the last {@link
 * #clear()}; {@link #forget(double)} weighs the past down (once per batch with {@code gamma}: the
 * events of {@code k} batches ago count {@code gamma^k}; once per event: an effective window of
 * {@code (1 + gamma) / (1 - gamma)} events), so the estimates follow recent learning; {@link
 * #clear()} before each batch gives the batch alone. The totals are expanded sums of powers, so
 * {@code mean_a(z^2)} comes from differences such as {@code sum a (w r)^2 / sum a - V^2}: in
 * float64 that leaves about {@code 1e-16 max(V^2, mean((w r)^2)) / mean(z^2)} of relative error,
 * negligible unless the values barely vary around a large mean.
 *
 * <p>The state is the nine public totals, so Flink checkpoints this class as a POJO. {@link #add},
 * {@link #forget} and {@link #merge} allocate nothing. Not thread-safe.
 */
public class ProgressiveValidation {

    /** {@code sum a}: the number of events when nothing is forgotten. */
    public double count;

    /** {@code sum a^2}: the number of events when nothing is forgotten. */
    public double countSquares;

    /** {@code sum a w}. */
    public double sumWeight;

    /** {@code sum a w^2}. */
    public double sumWeightSquared;

    /** {@code sum a w r}. */
    public double sumWeightedReward;

    /** {@code sum a w^2 r}. */
    public double sumWeightSquaredReward;

    /** {@code sum a (w r)^2}. */
    public double sumWeightedRewardSquared;

    /** {@code sum a r}. */
    public double sumReward;

    /** {@code sum a r^2}. */
    public double sumRewardSquared;

    /** Totals of no event. */
    public ProgressiveValidation() {}

    /**
     * Counts one event scored before the update that learns from it.
     *
     * @param reward the event's reward, finite
     * @param propensity the logged probability {@code mu} of the logged action in (0, 1], or NaN
     *     for an on-policy event, which logs none ({@code w = 1})
     * @param probability the probability {@code pi} in [0, 1] that the policy before the update
     *     gives the logged action; ignored for an on-policy event
     */
    public void add(double reward, double propensity, double probability) {
        if (Double.isNaN(propensity)) {
            addWeighted(reward, 1.0);
            return;
        }
        if (!(propensity > 0 && propensity <= 1)) {
            throw new IllegalArgumentException(
                    "Invalid propensity " + propensity + ": it must lie in (0, 1], or be NaN.");
        }
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException(
                    "Invalid policy probability " + probability + ": it must lie in [0, 1].");
        }
        addWeighted(reward, probability / propensity);
    }

    /**
     * Counts one event with importance weight {@code w = pi / mu} already computed.
     *
     * @param reward the event's reward, finite
     * @param weight the importance weight, finite and not negative
     */
    public void addWeighted(double reward, double weight) {
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("Invalid reward " + reward + ": it must be finite.");
        }
        if (!(weight >= 0 && weight < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "Invalid importance weight "
                            + weight
                            + ": it must be finite and not negative.");
        }
        double weightedReward = weight * reward;
        count += 1;
        countSquares += 1;
        sumWeight += weight;
        sumWeightSquared += weight * weight;
        sumWeightedReward += weightedReward;
        sumWeightSquaredReward += weight * weightedReward;
        sumWeightedRewardSquared += weightedReward * weightedReward;
        sumReward += reward;
        sumRewardSquared += reward * reward;
    }

    /**
     * Multiplies the forgetting weight {@code a} of every event so far by {@code gamma}: every
     * total by {@code gamma}, {@code sum a^2} by {@code gamma^2}.
     *
     * @param gamma in (0, 1]; 1 changes nothing
     */
    public void forget(double gamma) {
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException(
                    "Invalid forgetting factor " + gamma + ": it must lie in (0, 1].");
        }
        count *= gamma;
        countSquares *= gamma * gamma;
        sumWeight *= gamma;
        sumWeightSquared *= gamma;
        sumWeightedReward *= gamma;
        sumWeightSquaredReward *= gamma;
        sumWeightedRewardSquared *= gamma;
        sumReward *= gamma;
        sumRewardSquared *= gamma;
    }

    /**
     * Adds {@code other}'s totals to these, as if its events had been added here (with the
     * forgetting weights each had where it was counted), e.g. the totals of two subtasks.
     */
    public void merge(ProgressiveValidation other) {
        count += other.count;
        countSquares += other.countSquares;
        sumWeight += other.sumWeight;
        sumWeightSquared += other.sumWeightSquared;
        sumWeightedReward += other.sumWeightedReward;
        sumWeightSquaredReward += other.sumWeightSquaredReward;
        sumWeightedRewardSquared += other.sumWeightedRewardSquared;
        sumReward += other.sumReward;
        sumRewardSquared += other.sumRewardSquared;
    }

    /** Forgets every event. */
    public void clear() {
        count = 0;
        countSquares = 0;
        sumWeight = 0;
        sumWeightSquared = 0;
        sumWeightedReward = 0;
        sumWeightSquaredReward = 0;
        sumWeightedRewardSquared = 0;
        sumReward = 0;
        sumRewardSquared = 0;
    }

    /** The IPS estimate of the policy's expected reward, {@code sum a w r / sum a}. */
    public Estimate ips() {
        double value = sumWeightedReward / count;
        return new Estimate(value, standardError(sumWeightedRewardSquared / count - value * value));
    }

    /** The SNIPS estimate of the policy's expected reward, {@code sum a w r / sum a w}. */
    public Estimate snips() {
        if (!(sumWeight > 0)) {
            return new Estimate(Double.NaN, Double.POSITIVE_INFINITY);
        }
        double value = sumWeightedReward / sumWeight;
        double meanWeight = sumWeight / count;
        // sum a w^2 (r - V)^2 / sum a, expanded
        double meanSquare =
                (sumWeightedRewardSquared
                                - 2 * value * sumWeightSquaredReward
                                + value * value * sumWeightSquared)
                        / count;
        return new Estimate(value, standardError(meanSquare / (meanWeight * meanWeight)));
    }

    /** The logging policy's observed mean reward, {@code sum a r / sum a}. */
    public Estimate loggedMean() {
        double value = sumReward / count;
        return new Estimate(value, standardError(sumRewardSquared / count - value * value));
    }

    /**
     * The effective number of events {@code m = (sum a)^2 / sum a^2}: the number of events when
     * nothing is forgotten; 0 before the first.
     */
    public double effectiveCount() {
        return countSquares > 0 ? count * count / countSquares : 0;
    }

    /**
     * The effective sample size of the importance weights (Kish 1965), {@code (sum w)^2 / sum w^2}
     * when nothing is forgotten, and {@code (sum a w)^2 / sum a w^2 * m / sum a} (the same with the
     * effective number of events) when something is; 0 while every weight is 0. Far below the
     * number of events, it says a few large weights carry the IPS estimate.
     */
    public double effectiveSampleSize() {
        if (!(sumWeightSquared > 0)) {
            return 0;
        }
        return sumWeight * sumWeight / sumWeightSquared * (count / countSquares);
    }

    /** {@code sqrt(mean_a(z^2) / (m - 1))}, {@code Infinity} while {@code m <= 1}. */
    private double standardError(double meanSquaredInfluence) {
        double effective = effectiveCount();
        if (!(effective > 1)) {
            return Double.POSITIVE_INFINITY;
        }
        // the expanded difference of squares can round below 0
        return Math.sqrt(Math.max(0, meanSquaredInfluence) / (effective - 1));
    }
}
