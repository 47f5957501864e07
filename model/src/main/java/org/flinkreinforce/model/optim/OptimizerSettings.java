package org.flinkreinforce.model.optim;

import static org.flinkreinforce.model.util.SettingChecks.require;

import java.io.Serializable;
import java.util.Objects;

/**
 * Settings of the parameter update.
 *
 * @param kind SGD or Adam
 * @param learningRate the step size, positive
 * @param momentum the SGD momentum in [0, 1); ignored by Adam
 * @param beta1 Adam's first-moment decay in [0, 1)
 * @param beta2 Adam's second-moment decay in [0, 1)
 * @param epsilon Adam's denominator guard, positive
 * @param maxGradientNorm the global L2 norm the gradient is clipped to; {@code Infinity} for none
 * @param l2 the L2 penalty {@code lambda/2 ||theta||^2} subtracted from the objective, so {@code
 *     lambda theta} is subtracted from the ascent direction; 0 for none
 * @param schedule how the step size falls with the number of updates ({@link #learningRate(long)})
 * @param decayUpdates the horizon {@code t0} of {@link LearningRateSchedule#INVERSE_SQRT}, in
 *     updates, positive; ignored by {@link LearningRateSchedule#CONSTANT}
 */
public record OptimizerSettings(
        OptimizerKind kind,
        double learningRate,
        double momentum,
        double beta1,
        double beta2,
        double epsilon,
        double maxGradientNorm,
        double l2,
        LearningRateSchedule schedule,
        double decayUpdates)
        implements Serializable {

    /** Adam with learning rate 0.05, clipping at norm 10, no L2, a constant rate. */
    public static final OptimizerSettings DEFAULT = adam(0.05);

    /**
     * The default horizon {@code t0} of {@link LearningRateSchedule#INVERSE_SQRT}: 1000 updates.
     */
    public static final double DEFAULT_DECAY_UPDATES = 1000;

    public OptimizerSettings {
        Objects.requireNonNull(kind, "The optimizer kind must not be null.");
        require(
                learningRate > 0 && Double.isFinite(learningRate),
                "learning rate",
                learningRate,
                "it must be positive and finite");
        require(momentum >= 0 && momentum < 1, "momentum", momentum, "it must lie in [0, 1)");
        require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "it must lie in [0, 1)");
        require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "it must lie in [0, 1)");
        require(
                epsilon > 0 && Double.isFinite(epsilon),
                "epsilon",
                epsilon,
                "it must be positive and finite");
        require(
                maxGradientNorm > 0,
                "maximum gradient norm",
                maxGradientNorm,
                "it must be positive (Infinity for no clipping)");
        require(
                l2 >= 0 && Double.isFinite(l2),
                "L2 penalty",
                l2,
                "it must be finite and not negative");
        Objects.requireNonNull(schedule, "The learning-rate schedule must not be null.");
        require(
                decayUpdates > 0 && Double.isFinite(decayUpdates),
                "learning-rate decay horizon",
                decayUpdates,
                "it must be a positive and finite number of updates");
    }

    /** These settings with a constant learning rate ({@link #DEFAULT_DECAY_UPDATES} unused). */
    public OptimizerSettings(
            OptimizerKind kind,
            double learningRate,
            double momentum,
            double beta1,
            double beta2,
            double epsilon,
            double maxGradientNorm,
            double l2) {
        this(
                kind,
                learningRate,
                momentum,
                beta1,
                beta2,
                epsilon,
                maxGradientNorm,
                l2,
                LearningRateSchedule.CONSTANT,
                DEFAULT_DECAY_UPDATES);
    }

    /** These settings with another learning-rate schedule and horizon {@code t0}. */
    public OptimizerSettings withSchedule(LearningRateSchedule schedule, double decayUpdates) {
        return new OptimizerSettings(
                kind,
                learningRate,
                momentum,
                beta1,
                beta2,
                epsilon,
                maxGradientNorm,
                l2,
                schedule,
                decayUpdates);
    }

    /**
     * The step size of the update that follows {@code updates} applied ones ({@link
     * OptimizerState#steps}): {@code lr0} for {@link LearningRateSchedule#CONSTANT} (the very value
     * of {@link #learningRate()}), {@code lr0 / sqrt(1 + updates / t0)} for {@link
     * LearningRateSchedule#INVERSE_SQRT}.
     */
    public double learningRate(long updates) {
        return switch (schedule) {
            case CONSTANT -> learningRate;
            case INVERSE_SQRT -> learningRate / Math.sqrt(1 + updates / decayUpdates);
        };
    }

    /** Adam with the usual moments (0.9, 0.999, 1e-8) and clipping at norm 10. */
    public static OptimizerSettings adam(double learningRate) {
        return new OptimizerSettings(
                OptimizerKind.ADAM, learningRate, 0.0, 0.9, 0.999, 1e-8, 10.0, 0.0);
    }

    /** SGD with the given momentum and clipping at norm 10. */
    public static OptimizerSettings sgd(double learningRate, double momentum) {
        return new OptimizerSettings(
                OptimizerKind.SGD, learningRate, momentum, 0.9, 0.999, 1e-8, 10.0, 0.0);
    }
}
