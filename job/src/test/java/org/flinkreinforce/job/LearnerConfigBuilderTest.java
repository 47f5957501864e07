package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.Test;

/** {@link LearnerConfig.Builder}: typed options and text settings in one configuration. */
class LearnerConfigBuilderTest {

    @Test
    void shouldLetALaterTextSettingReplaceATypedOneAndTheOtherWayRound() {
        LearnerConfig config =
                LearnerConfig.builder()
                        .policies(List.of(new PolicySpec("recs", 4, 3)))
                        .set(LearnerOptions.BATCH_SIZE, 64)
                        .settings(Map.of("batch.size", "512", "publish.interval", "2 s"))
                        .set(LearnerOptions.PUBLISH_INTERVAL, Duration.ofMillis(300))
                        .build();

        assertThat(config.policies().get("recs").batchSize()).isEqualTo(512);
        assertThat(config.get(LearnerOptions.PUBLISH_INTERVAL)).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void shouldReadLearnerKeysAmongKafkaPropertiesAsOptionsAndPassTheRestThrough() {
        Properties client = new Properties();
        client.setProperty("bootstrap.servers", "broker:9093");
        client.setProperty("security.protocol", "SASL_SSL");
        client.setProperty("events.topic", "clicks");

        LearnerConfig config =
                LearnerConfig.builder()
                        .kafka(client)
                        .policies(List.of(new PolicySpec("recs", 4, 3)))
                        .build();

        assertThat(config.get(LearnerOptions.BOOTSTRAP_SERVERS)).isEqualTo("broker:9093");
        assertThat(config.get(LearnerOptions.EVENTS_TOPIC)).isEqualTo("clicks");
        assertThat(config.kafkaProperties()).containsOnlyKeys("security.protocol");
        assertThat(config.clientProperties())
                .containsEntry("bootstrap.servers", "broker:9093")
                .containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void shouldKeepEveryPolicyOfAMultiHeadSpecWhenSetAsTyped() {
        LearnerConfig config =
                LearnerConfig.builder()
                        .policies(
                                List.of(
                                        PolicySpec.parse("nas:0:6,6,4,4"),
                                        PolicySpec.parse("recs:16:10")))
                        .build();

        assertThat(config.specs().values())
                .extracting(PolicySpec::toString)
                .containsExactlyInAnyOrder("nas:0:6,6,4,4", "recs:16:10");
    }

    @Test
    void shouldRefuseAPolicyThatWouldNotFitInMemoryAtTheStartNotInATask() {
        // 100,000 actions at batch 4096: 1.6 GB of probabilities alone.
        assertThatThrownBy(
                        () ->
                                LearnerConfig.builder()
                                        .setString(LearnerOptions.POLICIES, "recs:128:100000")
                                        .set(LearnerOptions.BATCH_SIZE, 4096)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration max-policy-bytes")
                .hasMessageContaining("policy recs (recs:128:100000, batch.size 4096) takes about");
        // batch x actions over what one array holds: a message, not an ArithmeticException.
        assertThatThrownBy(
                        () ->
                                LearnerConfig.builder()
                                        .setString(LearnerOptions.POLICIES, "wide:0:1000000")
                                        .set(LearnerOptions.BATCH_SIZE, 3000)
                                        .set(LearnerOptions.MAX_POLICY_BYTES, Long.MAX_VALUE)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration batch.size")
                .hasMessageContaining("more than Java allows");
        // The same policy fits at the default batch size, and with a larger budget.
        LearnerConfig.builder().setString(LearnerOptions.POLICIES, "recs:128:100000").build();
        LearnerConfig.builder()
                .setString(LearnerOptions.POLICIES, "recs:128:100000")
                .set(LearnerOptions.BATCH_SIZE, 4096)
                .set(LearnerOptions.MAX_POLICY_BYTES, 8L << 30)
                .build();
    }

    /** A ranker of 2^28 weights, doubly robust: 6 GiB of arrays, refused at the start. */
    @Test
    void shouldRefuseARankerThatWouldNotFitInMemoryAtTheStart() {
        assertThatThrownBy(
                        () ->
                                LearnerConfig.builder()
                                        .setString(LearnerOptions.RANKERS, "shop:28")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration max-policy-bytes")
                .hasMessageContaining("ranker shop (2^28 weights, doubly-robust) takes about 7202");
        // 2^24 weights fit the default budget, doubly robust; 2^28 with a larger budget.
        LearnerConfig.builder().setString(LearnerOptions.RANKERS, "shop:24").build();
        LearnerConfig.builder()
                .setString(LearnerOptions.RANKERS, "shop:28")
                .set(LearnerOptions.MAX_POLICY_BYTES, 8L << 30)
                .build();
    }

    @Test
    void shouldValidateWhatTheBuilderCollectedWithTheUsualMessages() {
        assertThatThrownBy(
                        () ->
                                LearnerConfig.builder()
                                        .setString(LearnerOptions.POLICIES, "p:2:3")
                                        .set(LearnerOptions.BATCH_SIZE, 0)
                                        .build())
                .hasMessage(
                        "Invalid value 0 for configuration batch.size: it must lie in [1, 1000000].");
        assertThatThrownBy(
                        () ->
                                LearnerConfig.builder()
                                        .setString(LearnerOptions.POLICIES, "p:2:3")
                                        .settings(Map.of("policy.p.learnig-rate", "1"))
                                        .build())
                .hasMessageContaining("policy.p.learnig-rate");
    }
}
