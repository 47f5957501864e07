package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code ./reinforce demo} in-process, as a user would, with small event counts. */
class DemoCommandITCase {

    @TempDir Path directory;

    @Test
    void shouldTakeTheRecommenderMostOfTheWayToTheOptimum() throws Exception {
        File summary = directory.resolve("recs.json").toFile();
        File plot = directory.resolve("recs.png").toFile();
        int exit =
                Reinforce.commandLine()
                        .execute(
                                "demo",
                                "--scenario",
                                "recs",
                                "--events",
                                "10000",
                                "--rate",
                                "2500",
                                "--summary",
                                summary.toString(),
                                "--plot",
                                plot.toString(),
                                "--web-ui-port",
                                "18081");
        assertThat(exit).isZero();
        Map<String, Object> result = read(summary);
        assertThat(result.get("eventsApplied")).isEqualTo(result.get("eventsProduced"));
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
        File summary = directory.resolve("nas.json").toFile();
        int exit =
                Reinforce.commandLine()
                        .execute(
                                "demo",
                                "--scenario",
                                "nas",
                                "--events",
                                "4000",
                                "--rate",
                                "1000",
                                "--summary",
                                summary.toString(),
                                "--web-ui-port",
                                "18081");
        assertThat(exit).isZero();
        Map<String, Object> result = read(summary);
        assertThat(result.get("eventsApplied")).isEqualTo(result.get("eventsProduced"));
        double initial = (double) result.get("initialBestArchitectureProbability");
        double learned = (double) result.get("finalBestArchitectureProbability");
        assertThat(learned).isGreaterThanOrEqualTo(3 * initial);
        assertThat((double) result.get("finalExpectedReward"))
                .isGreaterThan((double) result.get("uniformExpectedReward"));
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
