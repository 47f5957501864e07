package org.flinkreinforce.model.util;

/**
 * The check a settings record makes of each value in its constructor, with the one wording of a
 * rejected value: {@code Invalid value <value> for the <name>: <reason>.}
 */
public final class SettingChecks {

    private SettingChecks() {}

    /**
     * Throws an {@link IllegalArgumentException} reading {@code Invalid value <value> for the
     * <name>: <reason>.} unless {@code valid}.
     */
    public static void require(boolean valid, String name, double value, String reason) {
        if (!valid) {
            throw invalid(String.valueOf(value), name, reason);
        }
    }

    /** {@link #require(boolean, String, double, String)} for a whole number, written as one. */
    public static void require(boolean valid, String name, long value, String reason) {
        if (!valid) {
            throw invalid(String.valueOf(value), name, reason);
        }
    }

    private static IllegalArgumentException invalid(String value, String name, String reason) {
        return new IllegalArgumentException(
                "Invalid value " + value + " for the " + name + ": " + reason + ".");
    }
}
