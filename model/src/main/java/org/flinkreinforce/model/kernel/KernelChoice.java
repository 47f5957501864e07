package org.flinkreinforce.model.kernel;

import org.flinkreinforce.model.util.SettingNames;

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

    @Override
    public String toString() {
        return SettingNames.name(this);
    }
}
