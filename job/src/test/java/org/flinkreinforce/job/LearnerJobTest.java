package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.flinkreinforce.connectors.kafka.KafkaConnectors;
import org.flinkreinforce.formats.event.EventDecoder;
import org.junit.jupiter.api.Test;

class LearnerJobTest {

    @Test
    void shouldFixTheMaximumParallelismThatTheStateIsSplitBy() {
        assertThat(maxParallelismOfABuiltJob(null)).isEqualTo(128);
        assertThat(maxParallelismOfABuiltJob("64")).isEqualTo(64);
        assertThatThrownBy(() -> config("0"))
                .hasMessageContaining("max-parallelism")
                .hasMessageContaining("from 1 to 32768");
    }

    /** Builds the job (no broker is contacted) with {@code max-parallelism}, or its default. */
    private static int maxParallelismOfABuiltJob(String maxParallelism) {
        LearnerConfig config = config(maxParallelism);
        LearnerJob job =
                new LearnerJob(
                        config,
                        KafkaConnectors.eventSource(
                                "localhost:1",
                                "events",
                                "group",
                                new Properties(),
                                OffsetsInitializer.earliest(),
                                new EventDecoder(config.specs(), 1024),
                                Map.of()),
                        PolicyChanges.source(
                                "localhost:1", "control", "group", new Properties(), 0),
                        PolicyDirectory.fixed(config.policies()),
                        new DiscardingSink<>(),
                        new DiscardingSink<>(),
                        Map.of(),
                        null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.build(env);
        return env.getMaxParallelism();
    }

    private static LearnerConfig config(String maxParallelism) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "localhost:1");
        settings.put("policies", "p:2:3");
        if (maxParallelism != null) {
            settings.put("max-parallelism", maxParallelism);
        }
        return LearnerConfig.fromMap(settings);
    }
}
