package org.flinkreinforce.job;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * A ranker policy's spec and learning settings, resolved from the options ({@link
 * LearnerOptions#RANKERS} and the ranker and batching options, each overridable as {@code
 * policy.<id>.<option>}).
 */
public record RankerSettings(
        RankerSpec spec,
        int batchSize,
        long batchTimeoutMillis,
        long publishIntervalMillis,
        double learningRate,
        double importanceWeightCap)
        implements Serializable {

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
                                        get(own, LearnerOptions.RANKER_SEED),
                                        Interaction.parseList(
                                                get(own, LearnerOptions.RANKER_INTERACTIONS)),
                                        get(own, LearnerOptions.RANKER_MAX_CANDIDATES),
                                        get(own, LearnerOptions.RANKER_MAX_FEATURES)));
        int batchSize = get(own, LearnerOptions.BATCH_SIZE);
        if (batchSize < 1) {
            throw LearnerConfig.invalid(
                    batchSize, LearnerOptions.BATCH_SIZE, "it must be positive");
        }
        double learningRate = get(own, LearnerOptions.RANKER_LEARNING_RATE);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw LearnerConfig.invalid(
                    learningRate, LearnerOptions.RANKER_LEARNING_RATE, "it must be positive");
        }
        double cap = get(own, LearnerOptions.IMPORTANCE_WEIGHT_CAP);
        if (!(cap > 0)) {
            throw LearnerConfig.invalid(
                    cap, LearnerOptions.IMPORTANCE_WEIGHT_CAP, "it must be positive");
        }
        return new RankerSettings(
                spec,
                batchSize,
                get(own, LearnerOptions.BATCH_TIMEOUT).toMillis(),
                get(own, LearnerOptions.PUBLISH_INTERVAL).toMillis(),
                learningRate,
                cap);
    }

    private static <T> T get(Configuration own, ConfigOption<T> option) {
        return own.get(option);
    }

    /** The ids the options name as rankers. */
    static List<String> ids(Configuration options) {
        return options.getOptional(LearnerOptions.RANKERS).orElse(List.of());
    }
}
