package org.flinkreinforce.examples.recommender;

import java.util.random.RandomGenerator;
import org.flinkreinforce.examples.recommender.ArticleRecommender.Visitor;

/**
 * The simulated readers of the site: who visits, and how likely each visitor is to click each
 * article. Sports fans click football, tech fans smartphones, mobile visitors the weather; the best
 * article is worth about 0.42 clicks per visit, a uniformly random one 0.18.
 */
final class Readers {

    private Readers() {}

    static Visitor next(RandomGenerator random) {
        return new Visitor(
                random.nextDouble() < 0.4, random.nextDouble() < 0.3, random.nextDouble() < 0.5);
    }

    static double clickProbability(Visitor visitor, String article) {
        return switch (article) {
            case "football" -> visitor.sportsFan() ? 0.6 : 0.05;
            case "smartphones" -> visitor.techFan() ? 0.5 : 0.05;
            case "elections" -> 0.15;
            case "weather" -> visitor.mobile() ? 0.3 : 0.05;
            case "recipes" -> 0.1;
            default -> throw new IllegalArgumentException(article);
        };
    }
}
