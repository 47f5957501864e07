package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/** The configuration table of docs/configuration.md is the one {@link LearnerOptions} generates. */
class ConfigurationDocsTest {

    private static final String START = "<!-- configuration-table:start -->";
    private static final String END = "<!-- configuration-table:end -->";

    @Test
    void shouldDocumentEveryOptionInTheConfigurationPage() throws Exception {
        // The expected table is also written out, to paste into the page after a change.
        Files.writeString(Path.of("target", "configuration-table.md"), table());
        String page = Files.readString(Path.of("..", "docs", "configuration.md"));
        int start = page.indexOf(START);
        int end = page.indexOf(END);
        assertThat(start).as("docs/configuration.md has the table's start marker").isNotNegative();
        assertThat(end)
                .as("docs/configuration.md has the table's end marker after the start")
                .isGreaterThan(start);
        String documented = page.substring(start + START.length(), end).strip();
        assertThat(documented)
                .as(
                        "The configuration table of docs/configuration.md; replace it with"
                                + " job/target/configuration-table.md")
                .isEqualTo(table().strip());
    }

    @Test
    void shouldFailAtStartUpOnABadValueWithTheKeyAndTheReason() {
        assertThatThrownBy(
                        () -> LearnerConfig.fromMap(Map.of("policies", "p:2:3", "batch.size", "0")))
                .hasMessage(
                        "Invalid value 0 for configuration batch.size: it must lie in [1, 1000000].");
        assertThatThrownBy(() -> LearnerConfig.fromMap(Map.of("policies", "p:2")))
                .hasMessageContaining("configuration policies")
                .hasMessageContaining("ID:FEATURES:ACTIONS");
        assertThatThrownBy(
                        () -> LearnerConfig.fromMap(Map.of("policies", "p:2:3", "kernel", "gpu")))
                .hasMessageContaining("configuration kernel")
                .hasMessageContaining("auto, native, vector, ejml");
        assertThatThrownBy(() -> LearnerConfig.fromMap(Map.of()))
                .hasMessageContaining("Missing value for configuration policies");
        assertThatThrownBy(
                        () ->
                                LearnerConfig.fromMap(
                                        Map.of("policies", "p:2:3", "policy.p.learnig-rate", "1")))
                .hasMessageContaining("policy.p.learnig-rate");
    }

    @Test
    void shouldApplyPerPolicyOverridesAndPassKafkaPropertiesThrough() {
        LearnerConfig config =
                LearnerConfig.fromMap(
                        Map.of(
                                "policies", "recs:4:10;nas:0:6,6",
                                "learning-rate", "0.1",
                                "policy.nas.learning-rate", "0.01",
                                "policy.nas.batch.size", "32",
                                "security.protocol", "SASL_SSL",
                                "sasl.mechanism", "PLAIN"));
        assertThat(config.policies().get("recs").optimizer().learningRate()).isEqualTo(0.1);
        assertThat(config.policies().get("nas").optimizer().learningRate()).isEqualTo(0.01);
        assertThat(config.policies().get("nas").batchSize()).isEqualTo(32);
        assertThat(config.policies().get("recs").batchSize()).isEqualTo(256);
        assertThat(config.kafkaProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .doesNotContainKey("learning-rate");
    }

    /** The table as docs/configuration.md should hold it. */
    static String table() {
        StringBuilder table = new StringBuilder();
        table.append("| key | default | description |\n| --- | --- | --- |\n");
        for (ConfigOption<?> option : LearnerOptions.all()) {
            table.append("| `")
                    .append(option.key())
                    .append("` | ")
                    .append(defaultValue(option))
                    .append(" | ")
                    .append(new HtmlFormatter().format(option.description()).replace("|", "\\|"))
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String defaultValue(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "(none)";
        }
        Object value = option.defaultValue();
        String text =
                value instanceof Duration
                        ? TimeUtils.formatWithHighestUnit((Duration) value)
                        : String.valueOf(value);
        return "`" + text + "`";
    }
}
