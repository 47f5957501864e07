package org.flinkreinforce.cli;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;

/** Durations as users write and read them: {@code 500 ms}, {@code 15 s}, {@code 2 min}. */
final class Durations {

    private Durations() {}

    /** {@code 500 ms} rather than {@code PT0.5S}. */
    static String format(Duration duration) {
        return TimeUtils.formatWithHighestUnit(duration);
    }

    /** Parses {@code 500ms}, {@code 15 s}, {@code 2min}, {@code 1h}; a bare number is ms. */
    static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return TimeUtils.parseDuration(value);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a duration (e.g. 500 ms, 15 s, 2 min)");
            }
        }
    }
}
