package org.flinkreinforce.job;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.Configuration;
import org.flinkreinforce.model.EstimatorKind;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * A ranker policy's spec and learning settings, resolved from the options ({@link
 * LearnerOptions#RANKERS} and the ranker and batching options, each overridable as {@code
 * policy.<id>.<option>}). {@code rewardWaitMillis} is how long the job's join of decisions and
 * rewards holds the ranker's decisions ({@link LearnerOptions#REWARD_WAIT}); {@code estimator} is
 * REINFORCE or, by default, doubly robust with a reward model over the ranker's hashed features
 * fitted with AdaGrad at {@code rewardModelLearningRate} ({@link LearnerOptions#ESTIMATOR}, {@link
 * LearnerOptions#REWARD_MODEL_LEARNING_RATE}); {@code validationWindow} weighs its progressive
 * validation ({@link LearnerOptions#VALIDATION_WINDOW}).
 */
public record RankerSettings(
        RankerSpec spec,
        int batchSize,
        long batchTimeoutMillis,
        long publishIntervalMillis,
        double learningRate,
        double importanceWeightCap,
        long rewardWaitMillis,
        EstimatorKind estimator,
        double rewardModelLearningRate,
        long validationWindow)
        implements Serializable {

    public RankerSettings {
        PolicySettings.checkBatching(batchSize, batchTimeoutMillis, publishIntervalMillis);
        PolicySettings.checkRewardWait(rewardWaitMillis);
        Objects.requireNonNull(estimator, "estimator");
        PolicySettings.checkValidationWindow(validationWindow);
        if (estimator == EstimatorKind.DOUBLY_ROBUST
                && (!(rewardModelLearningRate > 0) || Double.isInfinite(rewardModelLearningRate))) {
            throw LearnerConfig.invalid(
                    rewardModelLearningRate,
                    LearnerOptions.REWARD_MODEL_LEARNING_RATE,
                    "it must be positive");
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw LearnerConfig.invalid(
                    learningRate, LearnerOptions.RANKER_LEARNING_RATE, "it must be positive");
        }
        // As for softmax policies (EstimatorSettings): a cap below 1 would shrink even on-policy
        // events' weights.
        if (!(importanceWeightCap >= 1.0)) {
            throw LearnerConfig.invalid(
                    importanceWeightCap,
                    LearnerOptions.IMPORTANCE_WEIGHT_CAP,
                    "it must be at least 1 (Infinity for none)");
        }
    }

    /**
     * The settings of the ranker {@code text} ({@code ID} or {@code ID:BITS}) under {@code
     * options}.
     */
    static RankerSettings of(String text, Configuration configuration) {
        String[] parts = text.strip().split(":", -1);
        if (parts.length > 2) {
            throw LearnerConfig.invalid(
                    text, LearnerOptions.RANKERS, "a ranker is ID or ID:BITS, e.g. shop:20");
        }
        String id = parts[0];
        Configuration own = PolicySettings.own(configuration, id);
        int bits;
        try {
            bits = parts.length == 2 ? Integer.parseInt(parts[1]) : RankerSpec.DEFAULT_BITS;
        } catch (NumberFormatException e) {
            throw LearnerConfig.invalid(text, LearnerOptions.RANKERS, "BITS is not an integer");
        }
        RankerSpec spec =
                LearnerConfig.guard(
                        LearnerOptions.RANKERS,
                        () ->
                                new RankerSpec(
                                        id,
                                        bits,
                                        own.get(LearnerOptions.RANKER_SEED),
                                        Interaction.parseList(
                                                own.get(LearnerOptions.RANKER_INTERACTIONS)),
                                        own.get(LearnerOptions.RANKER_MAX_CANDIDATES),
                                        own.get(LearnerOptions.RANKER_MAX_FEATURES)));
        return new RankerSettings(
                spec,
                own.get(LearnerOptions.BATCH_SIZE),
                own.get(LearnerOptions.BATCH_TIMEOUT).toMillis(),
                own.get(LearnerOptions.PUBLISH_INTERVAL).toMillis(),
                own.get(LearnerOptions.RANKER_LEARNING_RATE),
                own.get(LearnerOptions.IMPORTANCE_WEIGHT_CAP),
                own.get(LearnerOptions.REWARD_WAIT).toMillis(),
                PolicySettings.choice(own, LearnerOptions.ESTIMATOR, EstimatorKind.class),
                own.get(LearnerOptions.REWARD_MODEL_LEARNING_RATE),
                own.get(LearnerOptions.VALIDATION_WINDOW));
    }

    /** The ids the options name as rankers. */
    static List<String> ids(Configuration options) {
        return options.getOptional(LearnerOptions.RANKERS).orElse(List.of());
    }
}
