package org.flinkreinforce.cli.learning;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code ./reinforce learning-bench} measured: per variant, the regret of the published policy
 * at each checkpoint and along a log-spaced learning curve. Prints a table, writes JSON.
 */
public final class LearningBenchResult {

    /**
     * The first snapshot to reach {@code events} and its score on the held-out set.
     *
     * @param events the grid point (a checkpoint or a point of the curve)
     * @param eventsApplied how many events the snapshot had applied ({@code >= events})
     * @param version the snapshot's version
     * @param greedyReward the mean expected reward of the argmax of the logits
     * @param stochasticReward the mean expected reward of the softmax policy
     */
    public record Point(
            long events,
            long eventsApplied,
            long version,
            double greedyReward,
            double stochasticReward,
            double greedyRegretPercent,
            double stochasticRegretPercent) {}

    /**
     * One variant: {@code skipReason} is null when it ran, and then {@code curve} holds every grid
     * point, checkpoints included.
     */
    public record VariantResult(
            Variant variant, String skipReason, double seconds, List<Point> curve) {

        static VariantResult skipped(Variant variant, String reason) {
            return new VariantResult(variant, reason, Double.NaN, List.of());
        }

        static VariantResult ran(Variant variant, double seconds, List<Point> curve) {
            return new VariantResult(variant, null, seconds, List.copyOf(curve));
        }

        boolean ran() {
            return skipReason == null;
        }

        /** The point of the curve at that checkpoint. */
        Point at(long checkpoint) {
            for (Point point : curve) {
                if (point.events() == checkpoint) {
                    return point;
                }
            }
            throw new IllegalArgumentException("No point at " + checkpoint + " events.");
        }
    }

    private final LearningBenchmark.Settings settings;
    private final List<Long> checkpoints;
    private final int heldOutContexts;
    private final double optimalReward;
    private final double uniformReward;
    private final List<VariantResult> variants = new ArrayList<>();

    LearningBenchResult(
            LearningBenchmark.Settings settings,
            List<Long> checkpoints,
            int heldOutContexts,
            double optimalReward,
            double uniformReward) {
        this.settings = settings;
        this.checkpoints = List.copyOf(checkpoints);
        this.heldOutContexts = heldOutContexts;
        this.optimalReward = optimalReward;
        this.uniformReward = uniformReward;
    }

    List<VariantResult> variants() {
        return variants;
    }

    long events() {
        return settings.events();
    }

    int features() {
        return settings.features();
    }

    int actions() {
        return settings.actions();
    }

    /** The learning curves as a PNG ({@link RegretPlot}). */
    public void writePlot(File file) throws IOException {
        new RegretPlot(this).write(file);
    }

    /** A Markdown table: variant x checkpoint, greedy / stochastic regret in percent. */
    public void printTable(PrintStream out) {
        out.printf(
                "%nRegret %% = 100 (R* - R) / (R* - R_uniform), greedy / stochastic policy, on %,d"
                        + " held-out contexts with exact expected rewards (R* = %.4f, R_uniform ="
                        + " %.4f).%n",
                heldOutContexts, optimalReward, uniformReward);
        out.println(
                "With R_uniform = 0 it is also the percent by which the policy's expected cost"
                        + " (cost = -reward) lies above the optimal policy's.");
        out.println();
        StringBuilder header = new StringBuilder("| variant | options |");
        StringBuilder rule = new StringBuilder("| --- | --- |");
        for (long checkpoint : checkpoints) {
            header.append(String.format(" %,d |", checkpoint));
            rule.append(" --- |");
        }
        out.println(header);
        out.println(rule);
        for (VariantResult result : variants) {
            StringBuilder row =
                    new StringBuilder("| " + result.variant().name() + " | ")
                            .append(result.variant().describe())
                            .append(" |");
            if (!result.ran()) {
                row.append(" skipped: ").append(result.skipReason()).append(" |");
            } else {
                for (long checkpoint : checkpoints) {
                    Point point = result.at(checkpoint);
                    row.append(
                            String.format(
                                    " %.1f / %.1f |",
                                    point.greedyRegretPercent(), point.stochasticRegretPercent()));
                }
            }
            out.println(row);
        }
    }

    public void writeJson(File file) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("events", settings.events());
        json.put("features", settings.features());
        json.put("actions", settings.actions());
        json.put("noise", settings.noise());
        json.put("seed", settings.seed());
        json.put("loggingPolicy", "uniform");
        json.put("heldOutContexts", heldOutContexts);
        json.put("optimalExpectedReward", optimalReward);
        json.put("uniformExpectedReward", uniformReward);
        json.put("checkpoints", checkpoints);
        List<Map<String, Object>> variantList = new ArrayList<>();
        for (VariantResult result : variants) {
            Map<String, Object> variant = new LinkedHashMap<>();
            variant.put("name", result.variant().name());
            variant.put("options", new TreeMap<>(result.variant().options()));
            variant.put("status", result.ran() ? "ran" : "skipped");
            if (!result.ran()) {
                variant.put("reason", result.skipReason());
            } else {
                variant.put("seconds", result.seconds());
                List<Point> atCheckpoints = new ArrayList<>();
                checkpoints.forEach(checkpoint -> atCheckpoints.add(result.at(checkpoint)));
                variant.put("checkpoints", atCheckpoints);
                variant.put("curve", result.curve());
            }
            variantList.add(variant);
        }
        json.put("variants", variantList);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file, json);
    }
}
