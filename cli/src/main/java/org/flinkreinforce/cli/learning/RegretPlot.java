package org.flinkreinforce.cli.learning;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.stream.DoubleStream;
import javax.imageio.ImageIO;
import org.flinkreinforce.cli.learning.LearningBenchResult.Point;
import org.flinkreinforce.cli.learning.LearningBenchResult.VariantResult;

/**
 * The learning curves as a PNG: regret in percent against events learned from, both on log scales
 * (regrets from tens of percent down to fractions of a percent stay apart), a solid line for the
 * greedy and a dashed one for the stochastic policy, one colour per variant.
 */
final class RegretPlot {

    private static final Color[] COLOURS = {
        new Color(30, 90, 200),
        new Color(220, 90, 20),
        new Color(0, 140, 60),
        new Color(170, 40, 160),
        new Color(120, 120, 0),
        new Color(0, 150, 170),
        new Color(200, 30, 60),
        new Color(90, 90, 90)
    };

    private static final Stroke SOLID = new BasicStroke(2.2f);

    private static final Stroke DASHED =
            new BasicStroke(
                    2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10, new float[] {7, 5}, 0);

    private static final Stroke GUIDE =
            new BasicStroke(
                    1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {3, 4}, 0);

    /** The bottom of the regret axis at most: regrets below it are drawn on it. */
    private static final double MIN_REGRET_PERCENT = 0.01;

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int TOP = 50;
    private static final int PLOT_WIDTH = WIDTH - LEFT - 30;
    private static final int PLOT_HEIGHT = HEIGHT - TOP - 70;

    private final LearningBenchResult result;
    private final double minLog;
    private final double maxLog;
    private final double minLogRegret;
    private final double maxLogRegret;

    RegretPlot(LearningBenchResult result) {
        this.result = result;
        List<Point> points =
                result.variants().stream().flatMap(variant -> variant.curve().stream()).toList();
        long first = points.stream().mapToLong(Point::events).min().orElse(result.events());
        DoubleSummaryStatistics regrets =
                points.stream()
                        .flatMapToDouble(
                                point ->
                                        DoubleStream.of(
                                                point.greedyRegretPercent(),
                                                point.stochasticRegretPercent()))
                        .summaryStatistics();
        // Both ends of the axis include 100% (uniform); with no point the statistics are +-inf.
        double highest = Math.max(100, regrets.getMax());
        double lowest = Math.min(100, regrets.getMin());
        this.minLog = Math.floor(Math.log10(Math.max(1, first)));
        this.maxLog = Math.max(minLog + 1, Math.log10(result.events()));
        // Regret is at least 0 (the optimum) and can exceed 100% (worse than uniform) early on;
        // the axis spans whole decades from MIN_REGRET_PERCENT to 1000% at most, and clips there.
        this.minLogRegret = Math.floor(Math.log10(Math.max(MIN_REGRET_PERCENT, lowest)));
        this.maxLogRegret = Math.max(minLogRegret + 1, Math.min(3, Math.ceil(Math.log10(highest))));
    }

    void write(File file) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        drawAxes(g);
        List<VariantResult> ran = result.variants().stream().filter(VariantResult::ran).toList();
        for (int k = 0; k < ran.size(); k++) {
            Color colour = COLOURS[k % COLOURS.length];
            drawCurve(g, ran.get(k).curve(), true, colour);
            drawCurve(g, ran.get(k).curve(), false, colour);
        }
        drawLegend(g, ran);
        g.dispose();
        ImageIO.write(image, "png", file);
    }

    private int x(double events) {
        double position = (Math.log10(Math.max(1, events)) - minLog) / (maxLog - minLog);
        return LEFT + (int) Math.round(PLOT_WIDTH * position);
    }

    private int y(double regret) {
        double logRegret =
                Math.max(minLogRegret, Math.min(maxLogRegret, Math.log10(Math.max(1e-12, regret))));
        double position = (logRegret - minLogRegret) / (maxLogRegret - minLogRegret);
        return TOP + PLOT_HEIGHT - (int) Math.round(PLOT_HEIGHT * position);
    }

    private void drawCurve(Graphics2D g, List<Point> curve, boolean greedy, Color colour) {
        g.setColor(colour);
        g.setStroke(greedy ? SOLID : DASHED);
        int[] xs = new int[curve.size()];
        int[] ys = new int[curve.size()];
        for (int k = 0; k < curve.size(); k++) {
            Point point = curve.get(k);
            xs[k] = x(point.eventsApplied());
            ys[k] = y(greedy ? point.greedyRegretPercent() : point.stochasticRegretPercent());
        }
        g.drawPolyline(xs, ys, xs.length);
    }

    /** Title, frame, decade ticks on both axes, the guide at 100% (uniform). */
    private void drawAxes(Graphics2D g) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(
                String.format(
                        "Regret of the published policy: d=%d, %d actions, uniform logging",
                        result.features(), result.actions()),
                LEFT,
                30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(LEFT, TOP, PLOT_WIDTH, PLOT_HEIGHT);
        for (int decade = (int) minLog; decade <= (int) Math.floor(maxLog); decade++) {
            int x = x(Math.pow(10, decade));
            g.setColor(Color.BLACK);
            g.drawLine(x, TOP + PLOT_HEIGHT, x, TOP + PLOT_HEIGHT + 5);
            String label = events(Math.pow(10, decade));
            g.drawString(
                    label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + PLOT_HEIGHT + 20);
            for (int multiple = 2; multiple < 10; multiple++) {
                double minor = multiple * Math.pow(10, decade);
                if (Math.log10(minor) <= maxLog) {
                    int xm = x(minor);
                    g.drawLine(xm, TOP + PLOT_HEIGHT, xm, TOP + PLOT_HEIGHT + 3);
                }
            }
        }
        g.setColor(Color.BLACK);
        for (int decade = (int) minLogRegret; decade <= (int) maxLogRegret; decade++) {
            double regret = Math.pow(10, decade);
            int y = y(regret);
            g.drawLine(LEFT - 5, y, LEFT, y);
            String label = String.format("%." + Math.max(0, -decade) + "f%%", regret);
            g.drawString(label, LEFT - 10 - g.getFontMetrics().stringWidth(label), y + 4);
            for (int multiple = 2; multiple < 10 && decade < (int) maxLogRegret; multiple++) {
                int ym = y(multiple * regret);
                g.drawLine(LEFT - 3, ym, LEFT, ym);
            }
        }
        g.setColor(Color.GRAY);
        g.setStroke(GUIDE);
        g.drawLine(LEFT, y(100), LEFT + PLOT_WIDTH, y(100));
        g.drawString("uniform", LEFT + 6, y(100) - 4);
        g.setColor(Color.BLACK);
        String xLabel = "events learned from (log scale)";
        g.drawString(
                xLabel,
                LEFT + PLOT_WIDTH / 2 - g.getFontMetrics().stringWidth(xLabel) / 2,
                HEIGHT - 20);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        String yLabel = "regret % = 100 (R* - R) / (R* - R_uniform), log scale";
        g.drawString(
                yLabel, -(TOP + PLOT_HEIGHT / 2 + g.getFontMetrics().stringWidth(yLabel) / 2), 22);
        g.setTransform(saved);
    }

    /** One line per variant and policy, in the top right corner. */
    private void drawLegend(Graphics2D g, List<VariantResult> ran) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int lineHeight = 18;
        int width = 60;
        for (VariantResult variant : ran) {
            width =
                    Math.max(
                            width,
                            g.getFontMetrics().stringWidth(variant.variant().name() + " stochastic")
                                    + 50);
        }
        int height = 2 * ran.size() * lineHeight + 8;
        int left = LEFT + PLOT_WIDTH - width - 10;
        int top = TOP + 10;
        g.setColor(Color.WHITE);
        g.fillRect(left, top, width, height);
        g.setColor(Color.LIGHT_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, width, height);
        int y = top + lineHeight;
        for (int k = 0; k < ran.size(); k++) {
            for (boolean greedy : new boolean[] {true, false}) {
                g.setColor(COLOURS[k % COLOURS.length]);
                g.setStroke(greedy ? SOLID : DASHED);
                g.drawLine(left + 8, y - 4, left + 38, y - 4);
                g.setColor(Color.BLACK);
                g.drawString(
                        ran.get(k).variant().name() + (greedy ? " greedy" : " stochastic"),
                        left + 44,
                        y);
                y += lineHeight;
            }
        }
    }

    /** 1k, 10k, 100k, 1M, ... */
    private static String events(double count) {
        if (count >= 1e6) {
            return String.format("%.0fM", count / 1e6);
        }
        if (count >= 1e3) {
            return String.format("%.0fk", count / 1e3);
        }
        return String.format("%.0f", count);
    }
}
