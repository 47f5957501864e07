package org.flinkreinforce.model.baseline;

import static org.flinkreinforce.model.util.SettingChecks.require;

import java.io.Serializable;
import java.util.Objects;

/**
 * Settings of a running reward baseline.
 *
 * @param kind which baseline
 * @param emaDecay the decay {@code lambda} in (0, 1) of the EMA baseline: {@code m <- lambda m + (1
 *     - lambda) r}; ignored by the other kinds
 * @param normalizeAdvantage whether to divide the advantage by the running standard deviation of
 *     the rewards ({@link BaselineKind#MEAN} only)
 * @param minStd the standard deviation below which the advantage is left unscaled, so a key whose
 *     rewards have (almost) no variance never divides by (almost) zero
 */
public record BaselineSettings(
        BaselineKind kind, double emaDecay, boolean normalizeAdvantage, double minStd)
        implements Serializable {

    /** A running mean without normalisation. */
    public static final BaselineSettings DEFAULT =
            new BaselineSettings(BaselineKind.MEAN, 0.99, false, 1e-6);

    public BaselineSettings {
        Objects.requireNonNull(kind, "The baseline kind must not be null.");
        require(emaDecay > 0.0 && emaDecay < 1.0, "EMA decay", emaDecay, "it must lie in (0, 1)");
        if (normalizeAdvantage && kind != BaselineKind.MEAN) {
            throw new IllegalArgumentException(
                    "Advantage normalisation needs the running variance of the 'mean' baseline,"
                            + " not '"
                            + kind
                            + "'.");
        }
        require(
                minStd > 0.0 && !Double.isInfinite(minStd),
                "minimum standard deviation",
                minStd,
                "it must be positive and finite");
    }
}
