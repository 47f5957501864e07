package org.flinkreinforce.job;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Reads {@code --key value} pairs and {@code --config FILE} (Java properties) into one map. */
final class Arguments {

    private Arguments() {}

    static Map<String, String> parse(String[] args) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (int k = 0; k < args.length; k++) {
            String arg = args[k];
            if (!arg.startsWith("--") || k + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "Invalid argument '" + arg + "': expected --key value or --config FILE.");
            }
            String key = arg.substring(2);
            String value = args[++k];
            if (key.equals("config")) {
                Properties file = new Properties();
                try (Reader reader = Files.newBufferedReader(Path.of(value))) {
                    file.load(reader);
                }
                file.stringPropertyNames()
                        .forEach(name -> settings.put(name, file.getProperty(name)));
            } else {
                settings.put(key, value);
            }
        }
        return settings;
    }
}
