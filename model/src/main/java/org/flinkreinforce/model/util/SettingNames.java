package org.flinkreinforce.model.util;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The lower-case names by which settings name the constants of an enum ({@code adam}, {@code ema},
 * {@code native}, {@code json}), parsed and printed the same way everywhere.
 */
public final class SettingNames {

    private SettingNames() {}

    /**
     * The constant of {@code type} named {@code text}, case-insensitively and trimmed.
     *
     * @param what what the setting is called in the message, e.g. {@code "optimizer"}
     * @throws IllegalArgumentException naming {@code text} and every accepted name
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String text, String what) {
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid "
                            + what
                            + " '"
                            + text
                            + "': expected one of "
                            + Arrays.stream(type.getEnumConstants())
                                    .map(SettingNames::name)
                                    .collect(Collectors.joining(", "))
                            + ".",
                    e);
        }
    }

    /** The setting's name of {@code value}: its constant's name in lower case. */
    public static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
