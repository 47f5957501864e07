package org.flinkreinforce.cli.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerPolicy;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * A shop whose catalogue changes, for a ranker policy: each request comes from a user described by
 * a segment and a device, and offers {@code k} candidates drawn from the current catalogue, each
 * item described by its id, category and price band. A shown item is clicked (reward 1, else 0)
 * with probability {@code sigmoid(bias + A[segment][category] + B[device][price])}: it depends on
 * the features alone, so an item never shown before is worth as much as a shown one alike.
 *
 * <p>Every {@code turnoverEvery} requests the {@code turnover} oldest items retire and as many new
 * ones, with ids never used before, take their place (a new catalogue generation).
 *
 * <p>Expected rewards are exact and measured on a fixed evaluation set of 2000 requests whose
 * candidates are items that are never in the catalogue: the value of a policy on items it has never
 * been shown. The uniform policy's value is the candidates' mean click probability, the optimum
 * their best.
 */
public final class CatalogueEnvironment {

    /** The namespace of the user's features, crossed with {@link #ITEM}'s. */
    public static final String USER = "user";

    /** The namespace of an item's features. */
    public static final String ITEM = "item";

    static final String[] DEVICES = {"mobile", "desktop"};
    static final String[] PRICES = {"low", "mid", "high"};
    static final int EVALUATION_REQUESTS = 2000;

    /** A user: segment and device, and those as the ranker's shared features. */
    public record User(int segment, int device, Features features) {}

    /**
     * An item of the catalogue (or of the evaluation set) and its features; {@code generation} is
     * the catalogue generation it appeared in (0: there from the start).
     */
    public record Item(String id, int category, int price, int generation, Features features) {}

    /** One request: a user and the candidates to rank for them. */
    public record Request(User user, List<Item> candidates) {}

    private final int segments;
    private final int categories;
    private final int candidatesPerRequest;
    private final int turnoverEvery;
    private final int turnover;
    private final double bias;
    private final double[][] categoryAffinity;
    private final double[][] priceAffinity;
    private final Random itemRandom;
    private final List<Item> catalogue = new ArrayList<>();
    private final List<Request> evaluation = new ArrayList<>();
    private int nextItem;
    private int generation;
    private long requests;

    /** The evaluation set hashed with the seed of {@link #hashedSeed}. */
    private HashedFeatures[] hashedUsers;

    private HashedFeatures[][] hashedCandidates;
    private int hashedSeed;

    /**
     * @param segments user segments
     * @param categories item categories
     * @param catalogueSize items in the catalogue at any time
     * @param candidatesPerRequest {@code k}, at most {@code catalogueSize}
     * @param turnoverEvery requests between two catalogue generations
     * @param turnover items that retire, and appear, per generation
     */
    public CatalogueEnvironment(
            int segments,
            int categories,
            int catalogueSize,
            int candidatesPerRequest,
            int turnoverEvery,
            int turnover,
            long seed) {
        if (candidatesPerRequest < 1 || candidatesPerRequest > catalogueSize) {
            throw new IllegalArgumentException(
                    "A request offers 1 to "
                            + catalogueSize
                            + " items, not "
                            + candidatesPerRequest);
        }
        if (turnover < 0 || turnover > catalogueSize || turnoverEvery < 1) {
            throw new IllegalArgumentException(
                    "A generation replaces 0 to "
                            + catalogueSize
                            + " items at least every request, not "
                            + turnover
                            + " every "
                            + turnoverEvery
                            + ".");
        }
        this.segments = segments;
        this.categories = categories;
        this.candidatesPerRequest = candidatesPerRequest;
        this.turnoverEvery = turnoverEvery;
        this.turnover = turnover;
        Random random = new Random(seed);
        this.bias = -1.5;
        this.categoryAffinity = gaussian(segments, categories, 1.5, random);
        this.priceAffinity = gaussian(DEVICES.length, PRICES.length, 0.7, random);
        this.itemRandom = new Random(random.nextLong());
        for (int i = 0; i < catalogueSize; i++) {
            catalogue.add(item("item-" + nextItem++, 0, itemRandom));
        }
        for (int r = 0; r < EVALUATION_REQUESTS; r++) {
            List<Item> candidates = new ArrayList<>();
            for (int k = 0; k < candidatesPerRequest; k++) {
                candidates.add(item("unseen-" + (r * candidatesPerRequest + k), -1, random));
            }
            evaluation.add(new Request(user(random), candidates));
        }
    }

    private static double[][] gaussian(int rows, int columns, double scale, Random random) {
        double[][] values = new double[rows][columns];
        for (double[] row : values) {
            for (int j = 0; j < columns; j++) {
                row[j] = scale * random.nextGaussian();
            }
        }
        return values;
    }

    private Item item(String id, int itemGeneration, Random random) {
        int category = random.nextInt(categories);
        int price = random.nextInt(PRICES.length);
        Features features =
                Features.builder()
                        .category(ITEM, "id", id)
                        .category(ITEM, "category", "c" + category)
                        .category(ITEM, "price", PRICES[price])
                        .build();
        return new Item(id, category, price, itemGeneration, features);
    }

    private User user(Random random) {
        int segment = random.nextInt(segments);
        int device = random.nextInt(DEVICES.length);
        Features features =
                Features.builder()
                        .category(USER, "segment", "s" + segment)
                        .category(USER, "device", DEVICES[device])
                        .build();
        return new User(segment, device, features);
    }

    /**
     * The ranker this environment is learned with: the default size and limits, and the crosses of
     * the user's features with the item's ({@code user:item}).
     */
    public static RankerSpec spec(String policyId) {
        return new RankerSpec(
                policyId,
                RankerSpec.DEFAULT_BITS,
                0,
                Interaction.parseList(USER + ":" + ITEM),
                RankerSpec.DEFAULT_MAX_CANDIDATES,
                RankerSpec.DEFAULT_MAX_FEATURES);
    }

    /**
     * The next request: a user and {@code k} distinct items of the current catalogue, which first
     * turns over where this request starts a new generation.
     */
    public Request next(Random random) {
        if (requests > 0 && requests % turnoverEvery == 0) {
            turnOver();
        }
        requests++;
        User user = user(random);
        List<Item> candidates = new ArrayList<>(candidatesPerRequest);
        // A partial Fisher-Yates shuffle of the catalogue's indices picks k distinct items.
        int[] indices = new int[catalogue.size()];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = i;
        }
        for (int k = 0; k < candidatesPerRequest; k++) {
            int pick = k + random.nextInt(indices.length - k);
            int chosen = indices[pick];
            indices[pick] = indices[k];
            indices[k] = chosen;
            candidates.add(catalogue.get(chosen));
        }
        return new Request(user, candidates);
    }

    private void turnOver() {
        generation++;
        catalogue.subList(0, turnover).clear();
        for (int i = 0; i < turnover; i++) {
            catalogue.add(item("item-" + nextItem++, generation, itemRandom));
        }
    }

    /** The probability that {@code user} clicks {@code item} when it is shown. */
    public double clickProbability(User user, Item item) {
        double logit =
                bias
                        + categoryAffinity[user.segment()][item.category()]
                        + priceAffinity[user.device()][item.price()];
        return 1 / (1 + Math.exp(-logit));
    }

    /** Whether {@code user} clicks {@code item}: reward 1, or none (worth 0). */
    public Environment.Outcome outcome(User user, Item item, Random random) {
        return random.nextDouble() < clickProbability(user, item)
                ? new Environment.Outcome(1, true)
                : new Environment.Outcome(0, false);
    }

    /** The candidate of {@code request} with the highest click probability (the first of ties). */
    public int best(Request request) {
        int best = 0;
        for (int k = 1; k < request.candidates().size(); k++) {
            if (clickProbability(request.user(), request.candidates().get(k))
                    > clickProbability(request.user(), request.candidates().get(best))) {
                best = k;
            }
        }
        return best;
    }

    /**
     * The expected reward, on the evaluation set, of the ranker policy with these weights: {@code
     * mean over requests of sum_k pi(k) p(user, c_k)}.
     */
    public double expectedReward(RankerSpec spec, float[] weights) {
        hashEvaluation(spec.seed());
        RankerPolicy policy = new RankerPolicy(spec, weights);
        double total = 0;
        for (int r = 0; r < evaluation.size(); r++) {
            Request request = evaluation.get(r);
            policy.evaluate(hashedUsers[r], hashedCandidates[r], candidatesPerRequest);
            for (int k = 0; k < candidatesPerRequest; k++) {
                total +=
                        policy.probability(k)
                                * clickProbability(request.user(), request.candidates().get(k));
            }
        }
        return total / evaluation.size();
    }

    private void hashEvaluation(int seed) {
        if (hashedUsers != null && hashedSeed == seed) {
            return;
        }
        FeatureHasher hasher = new FeatureHasher(seed);
        hashedUsers = new HashedFeatures[evaluation.size()];
        hashedCandidates = new HashedFeatures[evaluation.size()][candidatesPerRequest];
        for (int r = 0; r < evaluation.size(); r++) {
            Request request = evaluation.get(r);
            hashedUsers[r] = hasher.hash(request.user().features(), new HashedFeatures());
            for (int k = 0; k < candidatesPerRequest; k++) {
                hashedCandidates[r][k] =
                        hasher.hash(request.candidates().get(k).features(), new HashedFeatures());
            }
        }
        hashedSeed = seed;
    }

    /** The uniform policy's expected reward on the evaluation set. */
    public double uniformReward() {
        double total = 0;
        for (Request request : evaluation) {
            for (Item item : request.candidates()) {
                total += clickProbability(request.user(), item);
            }
        }
        return total / (evaluation.size() * (double) candidatesPerRequest);
    }

    /** The best policy's expected reward on the evaluation set: each request's best candidate. */
    public double optimalReward() {
        double total = 0;
        for (Request request : evaluation) {
            total += clickProbability(request.user(), request.candidates().get(best(request)));
        }
        return total / evaluation.size();
    }

    /** The evaluation set's requests. */
    public List<Request> evaluation() {
        return List.copyOf(evaluation);
    }

    /** The current catalogue, oldest first. */
    public List<Item> catalogue() {
        return List.copyOf(catalogue);
    }

    /** The current catalogue generation: 0 at the start, one more at each turnover. */
    public int generation() {
        return generation;
    }

    /** The items that appeared after the start. */
    public int itemsAdded() {
        return generation * turnover;
    }

    /** A click comes about 2 s after the ranking was shown. */
    public Duration typicalRewardDelay() {
        return Duration.ofSeconds(2);
    }

    /** Exponential with mean {@code typical}, cut at four times it. */
    public RewardDelay rewardDelay(Duration typical) {
        return RewardDelay.exponential(typical);
    }

    /** A short description for logs. */
    public String describe() {
        return String.format(
                "catalogue: %d items of %d categories and 3 price bands, %d of them offered per"
                        + " request to users of %d segments on 2 devices; every %,d requests the"
                        + " %d oldest items retire and %d new ones appear",
                catalogue.size(),
                categories,
                candidatesPerRequest,
                segments,
                turnoverEvery,
                turnover,
                turnover);
    }
}
