package org.flinkreinforce.model.ranker;

import java.util.Random;

/** Random decisions of ranker policies for the tests. */
final class RankerFixtures {

    private RankerFixtures() {}

    /** Features in {@code namespaces} namespaces of 1 to {@code perNamespace} features each. */
    static HashedFeatures randomFeatures(
            FeatureHasher hasher, String prefix, int namespaces, int perNamespace, Random random) {
        HashedFeatures features = new HashedFeatures();
        for (int n = 0; n < namespaces; n++) {
            int namespace = hasher.namespace(prefix + n);
            features.namespace(namespace);
            int count = 1 + random.nextInt(perNamespace);
            for (int f = 0; f < count; f++) {
                features.add(
                        FeatureHasher.categorical(
                                namespace, "f", Integer.toString(random.nextInt(6))),
                        (float) (0.5 + random.nextDouble()));
            }
        }
        return features;
    }

    static HashedFeatures[] randomCandidates(
            FeatureHasher hasher, int count, int namespaces, int perNamespace, Random random) {
        HashedFeatures[] candidates = new HashedFeatures[count];
        for (int k = 0; k < count; k++) {
            candidates[k] = randomFeatures(hasher, "c", namespaces, perNamespace, random);
        }
        return candidates;
    }

    static float[] randomWeights(RankerSpec spec, double scale, Random random) {
        float[] weights = new float[spec.weightCount()];
        for (int j = 0; j < weights.length; j++) {
            weights[j] = (float) (scale * random.nextGaussian());
        }
        return weights;
    }
}
