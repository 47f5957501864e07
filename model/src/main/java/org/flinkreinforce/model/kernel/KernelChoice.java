package org.flinkreinforce.model.kernel;

import java.util.Locale;

/** Which {@link GradientKernel} to use: {@code auto|native|vector|ejml}. */
public enum KernelChoice {
    /** The fastest that loads here: native, else vector, else ejml. */
    AUTO,
    /** The JNI kernel; fails loudly where it cannot load. */
    NATIVE,
    /** The Java Vector API kernel; fails loudly without {@code jdk.incubator.vector}. */
    VECTOR,
    /** The EJML reference kernel; always available. */
    EJML;

    /** Parses {@code auto|native|vector|ejml}, case-insensitively. */
    public static KernelChoice parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid kernel '" + text + "': expected one of auto, native, vector, ejml.",
                    e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
