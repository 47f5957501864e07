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
import java.util.List;
import javax.imageio.ImageIO;
import org.flinkreinforce.cli.learning.LearningBenchResult.Point;
import org.flinkreinforce.cli.learning.LearningBenchResult.VariantResult;

/**
 * The learning curves as a PNG: regret in percent against events learned from (log scale), a solid
 * line for the greedy and a dashed one for the stochastic policy, one colour per variant.
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

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int TOP = 50;
    private static final int PLOT_WIDTH = WIDTH - LEFT - 30;
    private static final int PLOT_HEIGHT = HEIGHT - TOP - 70;

    private final LearningBenchResult result;
    private final double minLog;
    private final double maxLog;
    private final double maxRegret;

    RegretPlot(LearningBenchResult result) {
        this.result = result;
        long first = result.events();
        double highest = 100;
        for (VariantResult variant : result.variants()) {
            for (Point point : variant.curve()) {
                first = Math.min(first, point.events());
                highest =
                        Math.max(
                                highest,
                                Math.max(
                                        point.greedyRegretPercent(),
                                        point.stochasticRegretPercent()));
            }
        }
        this.minLog = Math.floor(Math.log10(Math.max(1, first)));
        this.maxLog = Math.max(minLog + 1, Math.log10(result.events()));
        // Early greedy policies can be worse than uniform; beyond 200% the curve is clipped.
        this.maxRegret = Math.min(200, Math.ceil(highest / 20) * 20);
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
        double clipped = Math.max(0, Math.min(maxRegret, regret));
        return TOP + PLOT_HEIGHT - (int) Math.round(PLOT_HEIGHT * clipped / maxRegret);
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

    /** Title, frame, decade ticks on x, ticks every 20% on y, the guides at 0% and 100%. */
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
        for (int regret = 0; regret <= maxRegret; regret += 20) {
            int y = y(regret);
            g.setColor(Color.BLACK);
            g.drawLine(LEFT - 5, y, LEFT, y);
            String label = regret + "%";
            g.drawString(label, LEFT - 10 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        g.setColor(Color.GRAY);
        g.setStroke(GUIDE);
        g.drawLine(LEFT, y(100), LEFT + PLOT_WIDTH, y(100));
        g.drawString("uniform", LEFT + 6, y(100) - 4);
        g.drawLine(LEFT, y(0), LEFT + PLOT_WIDTH, y(0));
        g.drawString("optimal", LEFT + 6, y(0) - 4);
        g.setColor(Color.BLACK);
        String xLabel = "events learned from (log scale)";
        g.drawString(
                xLabel,
                LEFT + PLOT_WIDTH / 2 - g.getFontMetrics().stringWidth(xLabel) / 2,
                HEIGHT - 20);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        String yLabel = "regret % = 100 (R* - R) / (R* - R_uniform)";
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
