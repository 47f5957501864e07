package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code ./reinforce bench} in-process with a tiny N, so the command cannot rot: a broker
 * process of its own, the raw consumer, the learner until every event is applied, the latency
 * phase, and the JSON summary.
 */
class BenchCommandITCase {

    @TempDir Path directory;

    @Test
    void shouldMeasureJsonEventsEndToEndWithLatency() throws Exception {
        Map<String, Object> summary =
                bench("json", "--latency-seconds", "1", "--latency-rate", "500");
        assertThat(summary.get("format")).isEqualTo("json");
        assertThat(((Double) summary.get("latencyEvents")).longValue()).isEqualTo(500);
        long p50 = ((Double) summary.get("latencyP50Millis")).longValue();
        long p99 = ((Double) summary.get("latencyP99Millis")).longValue();
        assertThat(p50).isPositive();
        assertThat(p99).isGreaterThanOrEqualTo(p50);
        assertThat(((Double) summary.get("latencyMaxMillis")).longValue())
                .isGreaterThanOrEqualTo(p99);
    }

    @Test
    void shouldMeasureBinaryEventsEndToEnd() throws Exception {
        Map<String, Object> summary =
                bench(
                        "binary",
                        "--latency-seconds",
                        "0",
                        "--baseline-keys",
                        "100",
                        "--learner-property",
                        "baseline.key-ttl=1 min");
        assertThat(summary.get("format")).isEqualTo("binary");
        assertThat((double) (Double) summary.get("meanEventBytes")).isBetween(150.0, 260.0);
        assertThat(((Double) summary.get("latencyP50Millis")).longValue()).isEqualTo(-1);
        assertThat(((Double) summary.get("baselineKeys")).longValue()).isEqualTo(100);
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
        assertThat(Reinforce.commandLine().execute(all)).isZero();
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
