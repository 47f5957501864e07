package org.flinkreinforce.examples.recommender;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.random.RandomGenerator;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.model.PolicySpec;

/**
 * A news site's recommender, as an application embeds the serving client: for each visitor it shows
 * one of five articles, chosen by the policy the learner publishes, logs what it showed at once,
 * and logs the click when one comes. A recommendation that gets no click gets the learner's default
 * reward (0) when its reward window closes.
 *
 * <p>The learner it talks to runs with {@code rewards.join=true} and this class's {@link #POLICY}.
 */
public final class ArticleRecommender implements AutoCloseable {

    /** The articles, in the order of the policy's actions. */
    public static final List<String> ARTICLES =
            List.of("football", "smartphones", "elections", "weather", "recipes");

    /** The policy: a visitor's {@link Visitor#FEATURES} features, one of the {@link #ARTICLES}. */
    public static final PolicySpec POLICY =
            new PolicySpec("articles", Visitor.FEATURES, ARTICLES.size());

    /** The learner's default parameters topic. */
    public static final String PARAMETERS_TOPIC = "reinforce-parameters";

    /** The learner's default events topic (decisions logged with their reward, unused here). */
    public static final String EVENTS_TOPIC = "reinforce-events";

    /** What the site knows about a visitor. */
    public record Visitor(boolean sportsFan, boolean techFan, boolean mobile) {

        /** The number of features, the last a constant 1. */
        public static final int FEATURES = 4;

        float[] features() {
            return new float[] {sportsFan ? 1 : 0, techFan ? 1 : 0, mobile ? 1 : 0, 1};
        }
    }

    /** A recommendation shown, to report its click with {@link #clicked}. */
    public record Recommendation(
            String eventId, String article, double propensity, long policyVersion) {}

    private final PolicyClient policies;
    private final EventLogger logger;

    /**
     * @param kafka Kafka client properties of the application, at least {@code bootstrap.servers}
     */
    public ArticleRecommender(Properties kafka) {
        this.policies = PolicyClient.forPolicies(kafka, PARAMETERS_TOPIC, List.of(POLICY));
        this.logger = new EventLogger(kafka, EVENTS_TOPIC);
        // A new producer's first metadata request can take longer than the 1 s a record may wait
        // for it: wait for it once here rather than lose the first recommendations. Where the
        // topics are not there yet (no learner has made them), records sent before they are count
        // as lost (healthy() says so).
        logger.awaitTopics(
                Duration.ofSeconds(30), EventLogger.DECISIONS_TOPIC, EventLogger.REWARDS_TOPIC);
    }

    /** Chooses the article to show {@code visitor} and logs the decision. */
    public Recommendation recommend(Visitor visitor, RandomGenerator random) {
        PolicyClient.Decision decision = policies.decide(POLICY.id(), visitor.features(), random);
        logger.logDecision(decision);
        return new Recommendation(
                decision.eventId(),
                ARTICLES.get(decision.actions()[0]),
                decision.propensity(),
                decision.policyVersion());
    }

    /** Logs that the visitor clicked {@code recommendation}: reward 1. */
    public void clicked(Recommendation recommendation) {
        logger.logReward(recommendation.eventId(), 1.0);
    }

    /** The version of the parameters it recommends with. */
    public long policyVersion() {
        return policies.version(POLICY.id());
    }

    /** Whether the client follows the parameters and the logger lost nothing. */
    public boolean healthy() {
        return policies.health().state() == PolicyClient.State.FOLLOWING && logger.lost() == 0;
    }

    /** Sends what is logged and waits for the broker's acknowledgements. */
    public void flush() {
        logger.flush();
    }

    @Override
    public void close() throws InterruptedException {
        logger.close();
        policies.close();
    }
}
