package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code ./reinforce learning-bench} in-process with small sizes: two variants learn from the
 * same logged events, two more are skipped because the learner rejects their options.
 */
class LearningBenchCommandITCase {

    @TempDir Path directory;

    @Test
    void shouldScoreEveryVariantAtEveryCheckpointAndSkipTheOnesTheLearnerRejects()
            throws Exception {
        File summary = directory.resolve("learning.json").toFile();
        File plot = directory.resolve("learning.png").toFile();
        int exit =
                Reinforce.commandLine()
                        .execute(
                                "learning-bench",
                                "--events",
                                "60000",
                                "--checkpoints",
                                "20000,60000",
                                "--held-out",
                                "4000",
                                "--variant",
                                "unknown:no-such-option=1",
                                "--variant",
                                "bad:learning-rate.schedule=sometimes",
                                "--summary",
                                summary.toString(),
                                "--plot",
                                plot.toString());
        assertThat(exit).isZero();

        JsonNode result = new ObjectMapper().readTree(summary);
        assertThat(result.get("events").asLong()).isEqualTo(60000);
        assertThat(result.get("heldOutContexts").asInt()).isEqualTo(4000);
        double optimal = result.get("optimalExpectedReward").asDouble();
        assertThat(optimal).isPositive();
        // Antithetic held-out contexts: the uniform policy's expected reward is exactly 0.
        assertThat(result.get("uniformExpectedReward").asDouble()).isCloseTo(0.0, within(1e-9));
        assertThat(longs(result.get("checkpoints"))).containsExactly(20000L, 60000L);
        JsonNode variants = result.get("variants");
        assertThat(variants).hasSize(4);

        JsonNode firstRelease = variants.get(0);
        assertThat(firstRelease.get("name").asText()).isEqualTo("release-0.1");
        assertLearned(firstRelease);
        assertThat(variants.get(1).get("name").asText()).isEqualTo("default");
        assertLearned(variants.get(1));

        assertThat(variants.get(2).get("status").asText()).isEqualTo("skipped");
        assertThat(variants.get(2).get("reason").asText()).contains("no-such-option");
        assertThat(variants.get(3).get("status").asText()).isEqualTo("skipped");
        assertThat(variants.get(3).get("reason").asText()).contains("learning-rate.schedule");

        BufferedImage image = ImageIO.read(plot);
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isPositive();
    }

    /**
     * A variant that ran: a point at each checkpoint from the first snapshot to reach it, and a
     * policy far better than uniform at the end that also improved along the curve.
     */
    private static void assertLearned(JsonNode variant) {
        assertThat(variant.get("status").asText()).isEqualTo("ran");
        JsonNode checkpoints = variant.get("checkpoints");
        assertThat(checkpoints).hasSize(2);
        for (JsonNode point : checkpoints) {
            assertThat(point.get("eventsApplied").asLong())
                    .isGreaterThanOrEqualTo(point.get("events").asLong());
        }
        JsonNode last = checkpoints.get(1);
        assertThat(last.get("eventsApplied").asLong()).isEqualTo(60000);
        assertThat(last.get("greedyRegretPercent").asDouble()).isBetween(0.0, 30.0);
        assertThat(last.get("stochasticRegretPercent").asDouble()).isBetween(0.0, 30.0);
        JsonNode curve = variant.get("curve");
        assertThat(curve.size()).isGreaterThan(2);
        assertThat(curve.get(0).get("stochasticRegretPercent").asDouble())
                .isGreaterThan(last.get("stochasticRegretPercent").asDouble() + 10);
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asLong()));
        return values;
    }
}
