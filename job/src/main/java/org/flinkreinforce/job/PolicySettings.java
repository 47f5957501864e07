package org.flinkreinforce.job;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.flinkreinforce.model.EstimatorKind;
import org.flinkreinforce.model.EstimatorSettings;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.baseline.BaselineKind;
import org.flinkreinforce.model.baseline.BaselineSettings;
import org.flinkreinforce.model.optim.AverageKind;
import org.flinkreinforce.model.optim.AverageSettings;
import org.flinkreinforce.model.optim.LearningRateSchedule;
import org.flinkreinforce.model.optim.OptimizerKind;
import org.flinkreinforce.model.optim.OptimizerSettings;
import org.flinkreinforce.model.util.SettingNames;

/**
 * Everything the learner needs to know about one policy: its spec and its hyperparameters, the
 * job-wide options overridden by {@code policy.<id>.*}. Validated on construction.
 */
public record PolicySettings(
        PolicySpec spec,
        int batchSize,
        long batchTimeoutMillis,
        int publishEveryUpdates,
        long publishIntervalMillis,
        EstimatorSettings estimator,
        OptimizerSettings optimizer,
        BaselineSettings baseline,
        AverageSettings average,
        long validationWindow,
        long rewardWaitMillis)
        implements Serializable {

    public PolicySettings {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(estimator, "estimator");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(average, "average");
        checkValidationWindow(validationWindow);
        checkRewardWait(rewardWaitMillis);
        checkBatching(batchSize, batchTimeoutMillis, publishIntervalMillis);
        if (publishEveryUpdates < 1) {
            throw LearnerConfig.invalid(
                    publishEveryUpdates,
                    LearnerOptions.PUBLISH_EVERY_UPDATES,
                    "it must be positive");
        }
    }

    /** Refuses a {@link LearnerOptions#VALIDATION_WINDOW} under 1. */
    static void checkValidationWindow(long validationWindow) {
        if (validationWindow < 1) {
            throw LearnerConfig.invalid(
                    validationWindow, LearnerOptions.VALIDATION_WINDOW, "it must be positive");
        }
    }

    /** Refuses a {@link LearnerOptions#REWARD_WAIT} under 1 ms. */
    static void checkRewardWait(long rewardWaitMillis) {
        if (rewardWaitMillis < 1) {
            throw LearnerConfig.invalid(
                    rewardWaitMillis + " ms",
                    LearnerOptions.REWARD_WAIT,
                    "it must be at least 1 ms");
        }
    }

    /** The checks of the batching and publishing options, for every kind of policy. */
    static void checkBatching(int batchSize, long batchTimeoutMillis, long publishIntervalMillis) {
        if (batchSize < 1 || batchSize > 1_000_000) {
            throw LearnerConfig.invalid(
                    batchSize, LearnerOptions.BATCH_SIZE, "it must lie in [1, 1000000]");
        }
        if (batchTimeoutMillis < 1) {
            throw LearnerConfig.invalid(
                    batchTimeoutMillis + " ms",
                    LearnerOptions.BATCH_TIMEOUT,
                    "it must be at least 1 ms");
        }
        if (publishIntervalMillis < 1) {
            throw LearnerConfig.invalid(
                    publishIntervalMillis + " ms",
                    LearnerOptions.PUBLISH_INTERVAL,
                    "it must be at least 1 ms");
        }
    }

    /** The settings of {@code spec}: job-wide options overridden by {@code policy.<id>.*}. */
    public static PolicySettings of(PolicySpec spec, Configuration configuration) {
        Configuration own = own(configuration, spec.id());
        return new PolicySettings(
                spec,
                own.get(LearnerOptions.BATCH_SIZE),
                millis(own, LearnerOptions.BATCH_TIMEOUT),
                own.get(LearnerOptions.PUBLISH_EVERY_UPDATES),
                millis(own, LearnerOptions.PUBLISH_INTERVAL),
                LearnerConfig.guard(
                        LearnerOptions.ESTIMATOR,
                        () ->
                                new EstimatorSettings(
                                        own.get(LearnerOptions.IMPORTANCE_WEIGHT_CAP),
                                        own.get(LearnerOptions.ENTROPY_BONUS),
                                        choice(own, LearnerOptions.ESTIMATOR, EstimatorKind.class),
                                        own.get(LearnerOptions.REWARD_MODEL_LEARNING_RATE),
                                        own.get(LearnerOptions.REWARD_MODEL_EXACT_ACTIONS),
                                        own.get(LearnerOptions.REWARD_MODEL_SAMPLES))),
                LearnerConfig.guard(
                        LearnerOptions.OPTIMIZER,
                        () ->
                                new OptimizerSettings(
                                        choice(own, LearnerOptions.OPTIMIZER, OptimizerKind.class),
                                        own.get(LearnerOptions.LEARNING_RATE),
                                        own.get(LearnerOptions.MOMENTUM),
                                        own.get(LearnerOptions.ADAM_BETA1),
                                        own.get(LearnerOptions.ADAM_BETA2),
                                        own.get(LearnerOptions.ADAM_EPSILON),
                                        own.get(LearnerOptions.MAX_GRADIENT_NORM),
                                        own.get(LearnerOptions.L2),
                                        choice(
                                                own,
                                                LearnerOptions.LEARNING_RATE_SCHEDULE,
                                                LearningRateSchedule.class),
                                        own.get(LearnerOptions.LEARNING_RATE_DECAY_UPDATES))),
                LearnerConfig.guard(
                        LearnerOptions.BASELINE,
                        () ->
                                new BaselineSettings(
                                        choice(own, LearnerOptions.BASELINE, BaselineKind.class),
                                        own.get(LearnerOptions.BASELINE_EMA_DECAY),
                                        own.get(LearnerOptions.BASELINE_NORMALIZE),
                                        1e-6)),
                LearnerConfig.guard(
                        LearnerOptions.AVERAGE,
                        () ->
                                new AverageSettings(
                                        choice(own, LearnerOptions.AVERAGE, AverageKind.class),
                                        own.get(LearnerOptions.AVERAGE_START),
                                        own.get(LearnerOptions.AVERAGE_DECAY))),
                own.get(LearnerOptions.VALIDATION_WINDOW),
                millis(own, LearnerOptions.REWARD_WAIT));
    }

    /** The constant of {@code type} that {@code option} names. */
    static <E extends Enum<E>> E choice(
            Configuration configuration, ConfigOption<String> option, Class<E> type) {
        return SettingNames.parse(type, configuration.get(option), option.key());
    }

    /** The options with {@code policy.<id>.<key>} in place of {@code <key>} where set. */
    static Configuration own(Configuration configuration, String id) {
        String prefix = LearnerOptions.POLICY_PREFIX + id + ".";
        java.util.Map<String, String> merged = new java.util.HashMap<>(configuration.toMap());
        configuration
                .toMap()
                .forEach(
                        (key, value) -> {
                            if (key.startsWith(prefix)) {
                                merged.put(key.substring(prefix.length()), value);
                            }
                        });
        return Configuration.fromMap(merged);
    }

    private static long millis(Configuration configuration, ConfigOption<Duration> option) {
        return configuration.get(option).toMillis();
    }
}
