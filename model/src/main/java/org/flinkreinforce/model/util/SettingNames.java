package org.flinkreinforce.model.util;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The lower-case names by which settings name the constants of an enum ({@code adam}, {@code ema},
 * {@code native}, {@code inverse-sqrt}), parsed and printed the same way everywhere.
 */
public final class SettingNames {

    private SettingNames() {}

    /**
     * The constant of {@code type} named {@code text}, case-insensitively and trimmed; {@code _}
     * may stand for {@code -}.
     *
     * @param what what the setting is called in the message, e.g. {@code "optimizer"}
     * @throws IllegalArgumentException naming {@code text} and every accepted name
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String text, String what) {
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
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

    /**
     * The setting's name of {@code value}: its constant's name in lower case, with {@code -} for
     * {@code _} ({@code inverse-sqrt}, {@code doubly-robust}).
     */
    public static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
