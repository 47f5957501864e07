package org.flinkreinforce.job.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.assertj.core.api.AbstractThrowableAssert;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.model.PolicySpec;

/**
 * The checks every test against an authenticated broker makes: with credentials (and a truststore)
 * passed as plain Kafka client properties, the learner and the serving client work; with wrong
 * ones, each fails fast, naming the cause, instead of hanging. The learner runs on the test's
 * MiniCluster with the default topics, which it creates.
 */
public final class AuthenticatedLearning {

    /** How long a refused connection may take to fail. */
    private static final Duration FAST = Duration.ofSeconds(30);

    private static final String POLICY = "nas:0:3,2";

    private AuthenticatedLearning() {}

    /** The learner's settings for the broker that {@code client} reaches, with its properties. */
    public static Map<String, String> learnerSettings(Properties client) {
        Map<String, String> settings = LearnerSettings.fast(client, POLICY);
        settings.put("batch.size", "20");
        return settings;
    }

    /**
     * Starts the learner with {@link #learnerSettings}, logs 200 decisions with rewards through the
     * serving client and the logger, both with {@code client}, and asserts that the learner applied
     * all 200 within {@code timeout}; cancels the learner.
     */
    public static void assertLearns(Properties client, long seed, Duration timeout)
            throws Exception {
        JobClient job =
                LearnerJob.kafka(LearnerConfig.fromMap(learnerSettings(client)))
                        .start(StreamExecutionEnvironment.getExecutionEnvironment());
        try (PolicyClient policies = new PolicyClient(client, "reinforce-parameters");
                EventLogger logger = new EventLogger(client, "reinforce-events")) {
            policies.register(PolicySpec.parse(POLICY));
            Random random = new Random(seed);
            ServedDecisions.log(
                    policies,
                    logger,
                    random,
                    200,
                    actions -> random.nextDouble(),
                    new ArrayList<>());
            assertThat(policies.awaitEventsApplied("nas", 200, timeout)).isTrue();
            assertThat(policies.snapshot("nas").orElseThrow().eventsApplied()).isEqualTo(200);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Asserts that building the learner with {@link #learnerSettings} of {@code client} fails
     * within 30 s with {@code reason} in its stack trace.
     */
    public static void assertLearnerRefused(Properties client, String reason) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> LearnerJob.kafka(LearnerConfig.fromMap(learnerSettings(client))))
                .hasStackTraceContaining(reason);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST);
    }

    /**
     * Asserts that a serving client with {@code client} fails to catch up within 30 s with an
     * {@link IllegalStateException} whose message names {@code reason}.
     *
     * @return the assertion on that exception, for more about its causes
     */
    public static AbstractThrowableAssert<?, ? extends Throwable> assertClientRefused(
            Properties client, String reason) throws InterruptedException {
        long start = System.nanoTime();
        AbstractThrowableAssert<?, ? extends Throwable> refusal;
        try (PolicyClient policies = new PolicyClient(client, "reinforce-parameters")) {
            refusal =
                    assertThatThrownBy(() -> policies.awaitCaughtUp(Duration.ofSeconds(60)))
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining(reason);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST);
        return refusal;
    }
}
