package org.flinkreinforce.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.flinkreinforce.cli.flink.JoinMetrics;
import org.flinkreinforce.cli.sim.RewardDelay;

/** The demo's learning curve and summary: JSON, a PNG plot and a few lines of text. */
final class DemoReport {

    private final String scenario;
    private final String policy;
    private final double uniformReward;
    private final double optimalReward;
    private final long planned;
    private final List<Point> curve = new ArrayList<>();
    private long eventsProduced;
    private long eventsApplied;
    private long deadLetters;
    private long finalVersion;
    private double initialExpectedReward;
    private double finalExpectedReward;
    private double eventsPerSecond;
    private String kernel;
    private double initialBestProbability = Double.NaN;
    private double finalBestProbability = Double.NaN;

    /** In the catalogue scenario: how the catalogue changed and how new items fared; else null. */
    private Catalogue catalogue;

    /**
     * The catalogue scenario's figures: the generations and items that appeared, the decisions
     * whose best candidate had never been shown, the share of them that showed it, and the share a
     * uniform ranker would.
     */
    private record Catalogue(
            int generations,
            int itemsAdded,
            long unshownBestOffered,
            double unshownBestShown,
            double uniformShare) {}

    /** In the split form: how rewards came and what the join made of them; else null. */
    private Split split;

    /**
     * The split form's figures: the rewards' delays, the learner's wait, the rewards logged, and
     * the join's counts at the end (null where they could not be read).
     */
    private record Split(
            RewardDelay delay, Duration rewardWait, long rewardsLogged, JoinMetrics.Counts join) {}

    DemoReport(String scenario, String policy, double uniform, double optimal, long planned) {
        this.scenario = scenario;
        this.policy = policy;
        this.uniformReward = uniform;
        this.optimalReward = optimal;
        this.planned = planned;
    }

    /** One point of the learning curve: the newest published policy at a moment. */
    record Point(double seconds, long eventsApplied, long version, double expectedReward) {}

    /** Records the newest published policy (or the initial one, before any). */
    void sample(double seconds, DemoScenario.Published published) {
        if (!curve.isEmpty() && curve.get(curve.size() - 1).version() == published.version()) {
            return;
        }
        curve.add(
                new Point(
                        seconds,
                        published.eventsApplied(),
                        published.version(),
                        published.expectedReward()));
    }

    void finish(
            long produced,
            DemoScenario.Published last,
            long deadLetterCount,
            double rate,
            String kernelName,
            double initialReward) {
        eventsProduced = produced;
        eventsApplied = last.eventsApplied();
        finalVersion = last.version();
        deadLetters = deadLetterCount;
        eventsPerSecond = rate;
        kernel = kernelName;
        initialExpectedReward = initialReward;
        finalExpectedReward = last.expectedReward();
    }

    /** Records the best architecture's probability under the initial and the final policy. */
    void bestArchitecture(double initial, double last) {
        initialBestProbability = initial;
        finalBestProbability = last;
    }

    /** Records how the catalogue changed and how the policy showed items never shown before. */
    void catalogue(
            int generations,
            int itemsAdded,
            long unshownBestOffered,
            double unshownBestShown,
            double uniformShare) {
        catalogue =
                new Catalogue(
                        generations,
                        itemsAdded,
                        unshownBestOffered,
                        unshownBestShown,
                        uniformShare);
    }

    /** Records that decisions and rewards were logged apart, and what the join made of them. */
    void split(RewardDelay delay, Duration wait, long rewardsLogged, JoinMetrics.Counts join) {
        split = new Split(delay, wait, rewardsLogged, join);
    }

    double uniformExpectedReward() {
        return uniformReward;
    }

    void printSummary(PrintStream out) {
        double uniform = uniformExpectedReward();
        double optimal = optimalReward;
        out.printf(
                "Produced %d of %d events, the learner applied %d, %d dead letters, final"
                        + " version %d.%n",
                eventsProduced, planned, eventsApplied, deadLetters, finalVersion);
        out.printf(
                "Expected reward: uniform %.4f -> learned %.4f (optimal %.4f): %.0f%% of the"
                        + " way.%n",
                uniform,
                finalExpectedReward,
                optimal,
                100 * (finalExpectedReward - uniform) / (optimal - uniform));
        if (!Double.isNaN(finalBestProbability)) {
            out.printf(
                    "Probability of the best architecture: %.4f -> %.4f.%n",
                    initialBestProbability, finalBestProbability);
        }
        if (catalogue != null) {
            out.printf(
                    "The catalogue turned over %d times (%d new items); in the last half of the"
                            + " run, where a best candidate had never been shown before, it showed"
                            + " one in %.1f%% of %d decisions (a uniform ranker: %.1f%%).%n",
                    catalogue.generations(),
                    catalogue.itemsAdded(),
                    100 * catalogue.unshownBestShown(),
                    catalogue.unshownBestOffered(),
                    100 * catalogue.uniformShare());
        }
        if (split != null) {
            out.printf(
                    "Logged apart: %d decisions and %d rewards, %s after their decision; the"
                            + " learner waited %s for each.%n",
                    eventsProduced,
                    split.rewardsLogged(),
                    split.delay().describe(),
                    Durations.format(split.rewardWait()));
            JoinMetrics.Counts join = split.join();
            if (join == null) {
                out.println("The join's metrics could not be read from Flink's REST API.");
            } else {
                out.printf(
                        "The join passed on %d decisions, %d of them with the default reward, and"
                                + " dropped %d without one; %s.%n",
                        join.joined(),
                        join.defaulted(),
                        join.dropped(),
                        join.pending() == 1
                                ? "1 is pending (the closing decision, which nothing came after)"
                                : join.pending() + " are pending");
            }
        }
    }

    void writeJson(File file) throws IOException {
        try (JsonGenerator json =
                new JsonFactory()
                        .createGenerator(file, com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("scenario", scenario);
            json.writeStringField("policy", policy);
            json.writeNumberField("eventsProduced", eventsProduced);
            json.writeNumberField("eventsApplied", eventsApplied);
            json.writeNumberField("deadLetters", deadLetters);
            json.writeNumberField("finalVersion", finalVersion);
            json.writeNumberField("uniformExpectedReward", uniformExpectedReward());
            json.writeNumberField("initialExpectedReward", initialExpectedReward);
            json.writeNumberField("finalExpectedReward", finalExpectedReward);
            json.writeNumberField("optimalExpectedReward", optimalReward);
            json.writeNumberField("eventsPerSecond", eventsPerSecond);
            json.writeStringField("kernel", kernel);
            if (!Double.isNaN(finalBestProbability)) {
                json.writeNumberField("initialBestArchitectureProbability", initialBestProbability);
                json.writeNumberField("finalBestArchitectureProbability", finalBestProbability);
            }
            if (catalogue != null) {
                json.writeNumberField("catalogueGenerations", catalogue.generations());
                json.writeNumberField("itemsAdded", catalogue.itemsAdded());
                json.writeNumberField("unshownBestOffered", catalogue.unshownBestOffered());
                json.writeNumberField("unshownBestShown", catalogue.unshownBestShown());
                json.writeNumberField("uniformUnshownBestShown", catalogue.uniformShare());
            }
            json.writeStringField("rewards", split != null ? "split" : "inline");
            if (split != null) {
                json.writeStringField("rewardDelay", split.delay().describe());
                json.writeNumberField("rewardWaitSeconds", split.rewardWait().toMillis() / 1000.0);
                json.writeNumberField("rewardsLogged", split.rewardsLogged());
                if (split.join() != null) {
                    json.writeNumberField("decisionsJoined", split.join().joined());
                    json.writeNumberField("rewardsDefaulted", split.join().defaulted());
                    json.writeNumberField("unrewardedDropped", split.join().dropped());
                    json.writeNumberField("decisionsPending", split.join().pending());
                }
            }
            json.writeArrayFieldStart("learningCurve");
            for (Point point : curve) {
                json.writeStartObject();
                json.writeNumberField("seconds", point.seconds());
                json.writeNumberField("eventsApplied", point.eventsApplied());
                json.writeNumberField("version", point.version());
                json.writeNumberField("expectedReward", point.expectedReward());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    void writePlot(File file) throws IOException {
        int width = 900;
        int height = 520;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        double uniform = uniformExpectedReward();
        double optimal = optimalReward;
        double low = Math.min(uniform, optimal);
        double high = Math.max(uniform, optimal);
        for (Point point : curve) {
            low = Math.min(low, point.expectedReward());
            high = Math.max(high, point.expectedReward());
        }
        double margin = (high - low) * 0.08 + 1e-9;
        Frame frame =
                new Frame(
                        80,
                        50,
                        width - 80 - 30,
                        height - 50 - 60,
                        low - margin,
                        high + margin,
                        Math.max(1, eventsApplied));
        drawAxes(g, frame, height);
        drawLevel(g, frame, uniform, Color.GRAY, "uniform");
        drawLevel(g, frame, optimal, new Color(0, 140, 0), "optimal");
        g.setColor(new Color(30, 90, 200));
        g.setStroke(new BasicStroke(2.5f));
        int previousX = -1;
        int previousY = -1;
        for (Point point : curve) {
            int x = frame.x(point.eventsApplied());
            int y = frame.y(point.expectedReward());
            if (previousX >= 0) {
                g.drawLine(previousX, previousY, x, y);
            }
            previousX = x;
            previousY = y;
        }
        g.dispose();
        ImageIO.write(image, "png", file);
    }

    /**
     * The plot area in pixels ({@code left}, {@code top}, {@code width}, {@code height}) and what
     * it shows: expected rewards from {@code low} to {@code high}, events from 0 to {@code
     * maxEvents}.
     */
    private record Frame(
            int left, int top, int width, int height, double low, double high, double maxEvents) {

        int x(long events) {
            return left + (int) (width * events / maxEvents);
        }

        int y(double reward) {
            return top + height - (int) (height * (reward - low) / (high - low));
        }
    }

    /** The title, the frame, four ticks on each axis and the x axis' label. */
    private void drawAxes(Graphics2D g, Frame frame, int imageHeight) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(
                "flink-reinforce demo ("
                        + scenario
                        + "): expected reward of the published"
                        + " policy",
                frame.left(),
                30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(frame.left(), frame.top(), frame.width(), frame.height());
        for (int tick = 0; tick <= 4; tick++) {
            double value = frame.low() + (frame.high() - frame.low()) * tick / 4;
            int y = frame.top() + frame.height() - (int) (frame.height() * tick / 4.0);
            g.drawString(String.format("%.3f", value), 10, y + 4);
            int x = frame.left() + (int) (frame.width() * tick / 4.0);
            g.drawString(
                    String.format("%,d", (long) (frame.maxEvents() * tick / 4)),
                    x - 20,
                    frame.top() + frame.height() + 18);
        }
        g.drawString(
                "events learned from", frame.left() + frame.width() / 2 - 50, imageHeight - 15);
    }

    private static void drawLevel(
            Graphics2D g, Frame frame, double value, Color color, String label) {
        int y = frame.y(value);
        g.setColor(color);
        g.setStroke(
                new BasicStroke(
                        1.5f,
                        BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_MITER,
                        10,
                        new float[] {6, 6},
                        0));
        g.drawLine(frame.left(), y, frame.left() + frame.width(), y);
        g.drawString(label, frame.left() + frame.width() - 60, y - 5);
    }
}
