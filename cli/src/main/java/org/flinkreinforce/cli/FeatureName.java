package org.flinkreinforce.cli;

import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * A ranker feature named as a user writes it, for {@code inspect --feature}: {@code ns:name=value}
 * (a string feature), {@code ns:name} (a numeric one), {@code ns:[i]} (element {@code i} of a dense
 * array), or the cross of a shared feature and a candidate's, {@code SHARED*CANDIDATE}; hashed as
 * the client and the learner hash it ({@link FeatureHasher}).
 */
record FeatureName(String text) {

    /** The index of this feature's weight in a snapshot of {@code spec}. */
    int index(RankerSpec spec) {
        return hash(new FeatureHasher(spec.seed())) & spec.mask();
    }

    int hash(FeatureHasher hasher) {
        int cross = text.indexOf('*');
        if (cross >= 0) {
            return FeatureHasher.cross(
                    single(hasher, text.substring(0, cross)),
                    single(hasher, text.substring(cross + 1)));
        }
        return single(hasher, text);
    }

    private static int single(FeatureHasher hasher, String feature) {
        int colon = feature.indexOf(':');
        if (colon <= 0 || colon == feature.length() - 1) {
            throw new IllegalArgumentException(
                    "Invalid feature '"
                            + feature
                            + "': expected ns:name=value, ns:name or ns:[i], or two of them"
                            + " joined by *.");
        }
        int namespace = hasher.namespace(feature.substring(0, colon));
        String rest = feature.substring(colon + 1);
        if (rest.startsWith("[") && rest.endsWith("]")) {
            try {
                return FeatureHasher.indexed(
                        namespace, Integer.parseInt(rest.substring(1, rest.length() - 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Invalid feature '" + feature + "': [i] takes an integer index.", e);
            }
        }
        int equals = rest.indexOf('=');
        return equals < 0
                ? FeatureHasher.numeric(namespace, rest)
                : FeatureHasher.categorical(
                        namespace, rest.substring(0, equals), rest.substring(equals + 1));
    }

    @Override
    public String toString() {
        return text;
    }
}
