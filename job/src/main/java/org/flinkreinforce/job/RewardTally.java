package org.flinkreinforce.job;

/**
 * What the rewards of one pending decision add up to so far, for every {@link RewardAggregation} at
 * once: a few numbers however many rewards came, kept in the join's {@link JoinEntry}.
 */
public class RewardTally {

    public int count;
    public double sum;
    public double min;
    public double max;
    public long earliestTime;
    public double earliest;
    public long latestTime;
    public double latest;

    public RewardTally() {}

    public RewardTally copy() {
        RewardTally copy = new RewardTally();
        copy.count = count;
        copy.sum = sum;
        copy.min = min;
        copy.max = max;
        copy.earliestTime = earliestTime;
        copy.earliest = earliest;
        copy.latestTime = latestTime;
        copy.latest = latest;
        return copy;
    }

    /** Adds a reward observed at {@code time}. */
    public void add(long time, double reward) {
        if (count == 0 || time < earliestTime) {
            earliestTime = time;
            earliest = reward;
        }
        if (count == 0 || time >= latestTime) {
            latestTime = time;
            latest = reward;
        }
        min = count == 0 ? reward : Math.min(min, reward);
        max = count == 0 ? reward : Math.max(max, reward);
        sum += reward;
        count++;
    }

    /** The aggregated reward; {@link Double#NaN} while no reward came. */
    public double value(RewardAggregation aggregation) {
        if (count == 0) {
            return Double.NaN;
        }
        switch (aggregation) {
            case EARLIEST:
                return earliest;
            case LATEST:
                return latest;
            case SUM:
                return sum;
            case MEAN:
                return sum / count;
            case MIN:
                return min;
            case MAX:
            default:
                return max;
        }
    }
}
