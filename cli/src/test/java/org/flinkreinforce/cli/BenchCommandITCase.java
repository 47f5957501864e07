package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code ./reinforce bench} in-process with a tiny N, so the command cannot rot: a broker
 * process of its own, the raw consumer, the learner until every event is applied, the latency
 * phase, the same events learned by a ranker policy ({@code --policy-kind ranker}), the same events
 * logged apart and joined ({@code --rewards split}), and the JSON summary.
 */
class BenchCommandITCase {

    @TempDir Path directory;

    /** The standard output of the last {@link #bench} run. */
    private String output;

    /**
     * JSON events with the latency phase, and the same events as ranker events: a ranker learner
     * must apply every one of them in each of two pairs, alternating with the softmax learner.
     */
    @Test
    void shouldMeasureJsonEventsEndToEndWithLatencyAndTheSameEventsLearnedByARanker()
            throws Exception {
        Map<String, Object> summary =
                bench(
                        "json",
                        "--latency-seconds",
                        "1",
                        "--latency-rate",
                        "500",
                        "--policy-kind",
                        "ranker",
                        "--pairs",
                        "2");
        assertThat(summary.get("format")).isEqualTo("json");
        assertThat(summary.get("rewards")).isEqualTo("inline");
        assertThat(summary).doesNotContainKey("joinedEventsPerSecond");
        assertThat(summary.get("policyKind")).isEqualTo("ranker");
        assertThat(((Double) summary.get("rankerEventsApplied")).longValue()).isEqualTo(4000);
        assertThat(((Double) summary.get("rankerDeadLetters")).longValue()).isZero();
        assertThat((double) (Double) summary.get("meanRankerEventBytes")).isBetween(700.0, 1200.0);
        assertThat((double) (Double) summary.get("rankerRawConsumerRecordsPerSecond")).isPositive();
        JsonNode pairs =
                new ObjectMapper()
                        .readTree(directory.resolve("json.json").toFile())
                        .get("rankerPairs");
        assertThat(pairs).hasSize(2);
        assertThat(pairs.get(0).get("rankerFirst").asBoolean()).isFalse();
        assertThat(pairs.get(1).get("rankerFirst").asBoolean()).isTrue();
        assertThat(pairs.get(0).get("softmaxEventsPerSecond").asDouble())
                .isEqualTo((Double) summary.get("eventsPerSecond"));
        for (JsonNode pair : pairs) {
            assertThat(pair.get("rankerToSoftmax").asDouble())
                    .isCloseTo(
                            pair.get("rankerEventsPerSecond").asDouble()
                                    / pair.get("softmaxEventsPerSecond").asDouble(),
                            within(1e-9));
        }
        assertThat(output)
                .contains("raw consumer on the ranker events")
                .contains("ranker / softmax, median of the pairs");
        assertThat(((Double) summary.get("latencyEvents")).longValue()).isEqualTo(500);
        long p50 = ((Double) summary.get("latencyP50Millis")).longValue();
        long p99 = ((Double) summary.get("latencyP99Millis")).longValue();
        assertThat(p50).isPositive();
        assertThat(p99).isGreaterThanOrEqualTo(p50);
        assertThat(((Double) summary.get("latencyMaxMillis")).longValue())
                .isGreaterThanOrEqualTo(p99);
    }

    /**
     * Binary events, then the same events as decisions and rewards that every one of them must be
     * joined from: the command waits until a snapshot has applied all of them, exactly.
     */
    @Test
    void shouldMeasureBinaryEventsEndToEndAndTheSameEventsJoinedFromDecisionsAndRewards()
            throws Exception {
        Map<String, Object> summary =
                bench(
                        "binary",
                        "--latency-seconds",
                        "0",
                        "--baseline-keys",
                        "100",
                        "--learner-property",
                        "baseline.key-ttl=1 min",
                        "--rewards",
                        "split",
                        "--learner-property",
                        "reward.wait=4 s");
        assertThat(summary.get("format")).isEqualTo("binary");
        assertThat((double) (Double) summary.get("meanEventBytes")).isBetween(150.0, 260.0);
        assertThat(((Double) summary.get("latencyP50Millis")).longValue()).isEqualTo(-1);
        assertThat(((Double) summary.get("baselineKeys")).longValue()).isEqualTo(100);

        assertThat(summary.get("rewards")).isEqualTo("split");
        assertThat(((Double) summary.get("joinedEventsApplied")).longValue()).isEqualTo(4000);
        assertThat(((Double) summary.get("joinedDeadLetters")).longValue()).isZero();
        assertThat(((Double) summary.get("rewardWaitMillis")).longValue()).isEqualTo(4000);
        assertThat(((Double) summary.get("checkpointIntervalMillis")).longValue()).isEqualTo(1000);
        assertThat(((Double) summary.get("joinedCheckpointIntervalMillis")).longValue())
                .isEqualTo(10_000);
        assertThat(((Double) summary.get("maxRewardDelayMillis")).longValue()).isEqualTo(2000);
        assertThat(((Double) summary.get("historyMillis")).longValue()).isEqualTo(40_000);
        double joined = (Double) summary.get("joinedEventsPerSecond");
        assertThat(joined).isPositive();
        assertThat((double) (Double) summary.get("joinedToPreJoined"))
                .isCloseTo(joined / (Double) summary.get("eventsPerSecond"), within(1e-9));
        assertThat((double) (Double) summary.get("meanDecisionBytes")).isBetween(150.0, 260.0);
        assertThat((double) (Double) summary.get("meanRewardBytes")).isBetween(20.0, 80.0);
        assertThat(output)
                .contains("learner, decisions and rewards joined")
                .contains("joined / pre-joined, same events and run");
    }

    private Map<String, Object> bench(String format, String... more) throws Exception {
        File file = directory.resolve(format + ".json").toFile();
        String[] args = {
            "bench",
            "--events",
            "4000",
            "--format",
            format,
            "--shape",
            "32:10",
            "--learner-property",
            "batch.size=64",
            "--summary",
            file.toString()
        };
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        CliRun.Output run = CliRun.run(all);
        output = run.out();
        assertThat(run.code()).as(run.text()).isZero();
        Map<String, Object> summary = DemoCommandITCase.read(file);
        assertThat(((Double) summary.get("events")).longValue()).isEqualTo(4000);
        assertThat(((Double) summary.get("deadLetters")).longValue()).isZero();
        assertThat(((Double) summary.get("batchSize")).intValue()).isEqualTo(64);
        for (String field :
                new String[] {
                    "eventsPerSecond",
                    "rawConsumerRecordsPerSecond",
                    "cpuSecondsPerMillionEvents",
                    "peakHeapBytes",
                    "peakRssBytes",
                    "brokerCpuSecondsPerMillionEvents"
                }) {
            assertThat((double) (Double) summary.get(field)).as(field).isPositive();
        }
        assertThat(summary).containsKeys("latencyP50Millis", "latencyP99Millis");
        return summary;
    }
}
