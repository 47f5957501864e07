package org.flinkreinforce.examples.recommender;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.flinkreinforce.examples.recommender.ArticleRecommender.Recommendation;
import org.flinkreinforce.examples.recommender.ArticleRecommender.Visitor;
import org.flinkreinforce.testcontainers.ReinforceLearnerContainer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The recommender against a real learner: Kafka and the learner in containers on one network, the
 * recommender in the test JVM as in production. It serves simulated readers in rounds; after each
 * it waits for the learner's next version, until the articles it recommends are clicked clearly
 * more often than the uniformly random ones it started with.
 */
@Testcontainers(disabledWithoutDocker = true)
class ArticleRecommenderITCase {

    private static final Network NETWORK = Network.newNetwork();

    @Container
    private static final KafkaContainer KAFKA =
            new KafkaContainer("apache/kafka:4.2.0")
                    .withNetwork(NETWORK)
                    .withListener("kafka:19092");

    @Container
    private static final ReinforceLearnerContainer LEARNER =
            new ReinforceLearnerContainer()
                    .withKafka(KAFKA, "kafka:19092")
                    .withPolicy(ArticleRecommender.POLICY.toString())
                    // Decisions and clicks logged apart, joined by the learner; a recommendation
                    // without a click for 1 s of the learner's clock gets reward 0.
                    .withOption("rewards.join", "true")
                    .withOption("reward.time", "processing")
                    .withOption("reward.wait", "1 s")
                    .withOption("batch.size", "32")
                    // Versions are published transactionally, committed with each checkpoint.
                    .withOption("checkpoint.interval", "1 s")
                    .withOption("publish.interval", "1 s");

    private static final int VISITORS_PER_ROUND = 500;
    private static final Duration LEARNING_TIME = Duration.ofMinutes(3);

    @Test
    void shouldRecommendArticlesThatAreClickedMoreOnceTheLearnerHasLearned() throws Exception {
        Properties kafka = new Properties();
        kafka.setProperty("bootstrap.servers", KAFKA.getBootstrapServers());
        RandomGenerator random = new SplittableRandom(7);
        try (ArticleRecommender recommender = new ArticleRecommender(kafka)) {
            long firstVersion = recommender.policyVersion();
            double first = serve(recommender, random);
            double latest = first;
            long deadline = System.nanoTime() + LEARNING_TIME.toNanos();
            while (latest < first + 0.1 && System.nanoTime() < deadline) {
                awaitNewVersion(recommender, deadline);
                latest = serve(recommender, random);
                System.out.printf(
                        "version %d: %.3f expected clicks per visit (first %.3f)%n",
                        recommender.policyVersion(), latest, first);
            }
            assertThat(recommender.policyVersion()).isGreaterThan(firstVersion);
            assertThat(latest)
                    .as("expected clicks per visit, learned vs the first policy's %.3f", first)
                    .isGreaterThan(first + 0.1);
            assertThat(recommender.healthy()).isTrue();
        }
    }

    /**
     * Serves a round of visitors, logging each recommendation and each click; returns the expected
     * clicks per visit of what it recommended.
     */
    private static double serve(ArticleRecommender recommender, RandomGenerator random) {
        double expectedClicks = 0;
        for (int i = 0; i < VISITORS_PER_ROUND; i++) {
            Visitor visitor = Readers.next(random);
            Recommendation recommendation = recommender.recommend(visitor, random);
            double click = Readers.clickProbability(visitor, recommendation.article());
            expectedClicks += click;
            if (random.nextDouble() < click) {
                recommender.clicked(recommendation);
            }
        }
        recommender.flush();
        return expectedClicks / VISITORS_PER_ROUND;
    }

    private static void awaitNewVersion(ArticleRecommender recommender, long deadline)
            throws InterruptedException {
        long version = recommender.policyVersion();
        while (recommender.policyVersion() == version && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
