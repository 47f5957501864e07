package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code ./reinforce demo} in-process, as a user would, with small event counts. */
class DemoCommandITCase {

    @TempDir Path directory;

    @Test
    void shouldTakeTheRecommenderMostOfTheWayToTheOptimum() throws Exception {
        File plot = directory.resolve("recs.png").toFile();
        Map<String, Object> result = demo("recs", 10000, 2500, "--plot", plot.toString());
        assertThat(result.get("eventsProduced")).isEqualTo(10000.0);
        assertThat(result.get("deadLetters")).isEqualTo(0.0);
        double uniform = (double) result.get("uniformExpectedReward");
        double optimal = (double) result.get("optimalExpectedReward");
        double learned = (double) result.get("finalExpectedReward");
        assertThat((learned - uniform) / (optimal - uniform)).isGreaterThanOrEqualTo(0.8);
        assertThat((double) result.get("finalVersion")).isPositive();
        assertThat(result.get("kernel")).isIn("native", "vector", "ejml");
        assertThat(plot).isFile();
        assertThat(plot.length()).isPositive();
    }

    @Test
    void shouldConcentrateTheNasControllerOnTheBestArchitecture() throws Exception {
        Map<String, Object> result = demo("nas", 4000, 1000);
        double initial = (double) result.get("initialBestArchitectureProbability");
        double learned = (double) result.get("finalBestArchitectureProbability");
        assertThat(learned).isGreaterThanOrEqualTo(3 * initial);
        assertThat((double) result.get("finalExpectedReward"))
                .isGreaterThan((double) result.get("uniformExpectedReward"));
    }

    /**
     * Runs {@code ./reinforce demo} on {@code scenario} with that many events at that rate, its
     * summary in the test's directory and any {@code more} options; asserts that it exited with 0
     * and applied every event it produced.
     *
     * @return the summary, as {@link #read} reads it
     */
    private Map<String, Object> demo(String scenario, int events, int rate, String... more)
            throws IOException {
        File summary = directory.resolve(scenario + ".json").toFile();
        List<String> arguments =
                new ArrayList<>(
                        List.of(
                                "demo",
                                "--scenario",
                                scenario,
                                "--events",
                                Integer.toString(events),
                                "--rate",
                                Integer.toString(rate),
                                "--summary",
                                summary.toString(),
                                "--web-ui-port",
                                "18081"));
        arguments.addAll(List.of(more));
        int exit = Reinforce.commandLine().execute(arguments.toArray(String[]::new));
        assertThat(exit).isZero();
        Map<String, Object> result = read(summary);
        assertThat(result.get("eventsApplied")).isEqualTo(result.get("eventsProduced"));
        return result;
    }

    /** The summary's top-level scalar fields (numbers as doubles). */
    static Map<String, Object> read(File file) throws IOException {
        Map<String, Object> fields = new HashMap<>();
        try (JsonParser parser = new JsonFactory().createParser(file)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                if (token == JsonToken.VALUE_STRING) {
                    fields.put(name, parser.getText());
                } else if (token.isNumeric()) {
                    fields.put(name, parser.getDoubleValue());
                } else {
                    parser.skipChildren();
                }
            }
        }
        return fields;
    }
}
