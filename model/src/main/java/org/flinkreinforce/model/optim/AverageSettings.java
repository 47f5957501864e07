package org.flinkreinforce.model.optim;

import static org.flinkreinforce.model.util.SettingChecks.require;

import java.io.Serializable;
import java.util.Objects;

/**
 * Settings of the average of the optimizer's iterates that is published ({@link ParameterAverage}).
 *
 * @param kind none, polyak or ema
 * @param start the first update whose iterate is averaged, at least 1: the iterates of earlier
 *     updates are published as they are; ignored by {@link AverageKind#NONE}
 * @param decay the EMA's decay {@code delta} in (0, 1): the weight of an iterate falls by {@code
 *     delta} per later update; ignored by the other kinds
 */
public record AverageSettings(AverageKind kind, long start, double decay) implements Serializable {

    /** No average. */
    public static final AverageSettings NONE = new AverageSettings(AverageKind.NONE, 1, 0.999);

    public AverageSettings {
        Objects.requireNonNull(kind, "The parameter average kind must not be null.");
        require(start >= 1, "first averaged update", start, "it must be at least 1");
        require(decay > 0 && decay < 1, "parameter average decay", decay, "it must lie in (0, 1)");
    }

    /** The arithmetic mean of the iterates of update {@code start} and later. */
    public static AverageSettings polyak(long start) {
        return new AverageSettings(AverageKind.POLYAK, start, 0.999);
    }

    /**
     * Polynomial-decay averaging of every iterate, floored into an EMA with decay {@code delta}.
     */
    public static AverageSettings poly(double decay) {
        return new AverageSettings(AverageKind.POLY, 1, decay);
    }

    /** The bias-corrected exponential moving average of every iterate, with decay {@code delta}. */
    public static AverageSettings ema(double decay) {
        return new AverageSettings(AverageKind.EMA, 1, decay);
    }
}
