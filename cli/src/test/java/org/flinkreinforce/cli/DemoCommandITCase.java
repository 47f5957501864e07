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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code ./reinforce demo} in-process, as a user would, with small event counts. */
class DemoCommandITCase {

    @TempDir Path directory;

    @Test
    void shouldTakeTheRecommenderMostOfTheWayToTheOptimum() throws Exception {
        File plot = directory.resolve("recs.png").toFile();
        Map<String, Object> result =
                demo("recs", 10000, 2500, "--rewards", "inline", "--plot", plot.toString())
                        .summary();
        assertThat(result.get("rewards")).isEqualTo("inline");
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

    /**
     * The default: clicks logged apart from their decisions, half of them never. The learner joins
     * every decision (the unclicked ones with the default reward 0), the progress line shows the
     * join's pending decisions and defaulted rewards, and the policy learns as from inline rewards.
     */
    @Test
    void shouldLearnTheRecommenderFromDecisionsAndDelayedClicksLoggedApart() throws Exception {
        Demo demo = demo("recs", 10000, 2500, "--reward-delay", "500 ms");
        Map<String, Object> result = demo.summary();
        assertThat(result.get("rewards")).isEqualTo("split");
        assertThat(result.get("eventsProduced")).isEqualTo(10000.0);
        assertThat(result.get("deadLetters")).isEqualTo(0.0);
        assertThat(result.get("decisionsJoined")).isEqualTo(10000.0);
        // Every clicked decision was joined with its click, every other one with the default.
        double clicks = (double) result.get("rewardsLogged");
        assertThat(clicks + (double) result.get("rewardsDefaulted")).isEqualTo(10000.0);
        // Binomial(10000, 0.5): 5 standard deviations (50 each) either side, 1 - 6e-7.
        assertThat(clicks).isBetween(4750.0, 5250.0);
        assertThat(result.get("decisionsPending")).isEqualTo(1.0);
        double uniform = (double) result.get("uniformExpectedReward");
        double optimal = (double) result.get("optimalExpectedReward");
        double learned = (double) result.get("finalExpectedReward");
        assertThat((learned - uniform) / (optimal - uniform)).isGreaterThanOrEqualTo(0.8);

        // The progress line read the join's metrics from the REST API while they moved.
        assertThat(largest(demo.output(), "pending")).as(demo.output()).isPositive();
        assertThat(largest(demo.output(), "defaulted")).as(demo.output()).isNotNegative();
        assertThat(demo.output())
                .contains("The join passed on 10000 decisions")
                .contains("1 is pending (the closing decision");
    }

    @Test
    void shouldConcentrateTheNasControllerOnTheBestArchitecture() throws Exception {
        Map<String, Object> result = demo("nas", 4000, 1000, "--rewards", "inline").summary();
        double initial = (double) result.get("initialBestArchitectureProbability");
        double learned = (double) result.get("finalBestArchitectureProbability");
        assertThat(learned).isGreaterThanOrEqualTo(3 * initial);
        assertThat((double) result.get("finalExpectedReward"))
                .isGreaterThan((double) result.get("uniformExpectedReward"));
    }

    /**
     * A ranker in a shop whose catalogue turns over while it learns: the rankings logged at once
     * and their clicks apart, joined by the learner. Its expected reward is measured on requests of
     * items that were never in the catalogue, so it moves from uniform towards the optimum only as
     * far as the ranker learned what the items' features are worth.
     */
    @Test
    void shouldRankItemsOfAChangingCatalogueByTheirFeatures() throws Exception {
        Demo demo = demo("catalogue", 16000, 4000, "--reward-delay", "500 ms");
        Map<String, Object> result = demo.summary();
        assertThat(result.get("rewards")).isEqualTo("split");
        assertThat(result.get("eventsProduced")).isEqualTo(16000.0);
        assertThat(result.get("deadLetters")).isEqualTo(0.0);
        assertThat(result.get("decisionsJoined")).isEqualTo(16000.0);
        // A generation of the catalogue every 2,000 requests: ten items retired, ten new ones.
        assertThat((double) result.get("catalogueGenerations")).isGreaterThanOrEqualTo(7);
        assertThat((double) result.get("itemsAdded")).isGreaterThanOrEqualTo(70);
        double uniform = (double) result.get("uniformExpectedReward");
        double optimal = (double) result.get("optimalExpectedReward");
        double learned = (double) result.get("finalExpectedReward");
        System.out.printf(
                "Catalogue: uniform %.4f, learned %.4f, optimal %.4f: %.2f of the gap%n",
                uniform, learned, optimal, (learned - uniform) / (optimal - uniform));
        assertThat((learned - uniform) / (optimal - uniform)).isGreaterThanOrEqualTo(0.7);
    }

    /** What a demo wrote: its summary, as {@link #read} reads it, and its standard output. */
    record Demo(Map<String, Object> summary, String output) {}

    /**
     * The largest count that follows {@code name} in the progress lines of {@code output}, e.g.
     * {@code pending 1234}; -1 where none does.
     */
    private static long largest(String output, String name) {
        Matcher matcher = Pattern.compile("\\| " + name + " +([0-9]+)").matcher(output);
        long largest = -1;
        while (matcher.find()) {
            largest = Math.max(largest, Long.parseLong(matcher.group(1)));
        }
        return largest;
    }

    /**
     * Runs {@code ./reinforce demo} on {@code scenario} with that many events at that rate, its
     * summary in the test's directory and any {@code more} options; asserts that it exited with 0
     * and applied every event it produced.
     */
    private Demo demo(String scenario, int events, int rate, String... more) throws IOException {
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
        CliRun.Output output = CliRun.run(arguments.toArray(String[]::new));
        assertThat(output.code()).as(output.text()).isZero();
        Map<String, Object> result = read(summary);
        assertThat(result.get("eventsApplied")).isEqualTo(result.get("eventsProduced"));
        return new Demo(result, output.out());
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
