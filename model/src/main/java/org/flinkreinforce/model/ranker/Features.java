package org.flinkreinforce.model.ranker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Features as an application describes a shared context or a candidate: namespaces of named
 * features, each a number ({@code age = 31}) or a string ({@code country = "DE"}, the indicator
 * feature {@code country=DE} with value 1), or a dense array whose element {@code i} is the feature
 * named by its index. Immutable; {@link FeatureHasher#hash} turns it into {@link HashedFeatures}.
 */
public final class Features {

    /** One feature: {@code category} is null for a number. */
    public record Feature(String name, String category, double value) {
        public Feature {
            Objects.requireNonNull(name, "name");
        }

        public boolean isCategorical() {
            return category != null;
        }
    }

    /** A namespace and its features; dense ones are named by their index. */
    public record Namespace(String name, List<Feature> features, float[] dense) {
        public Namespace {
            Objects.requireNonNull(name, "name");
            features = List.copyOf(features);
            dense = dense == null ? null : dense.clone();
        }

        /** The number of features. */
        public int size() {
            return features.size() + (dense == null ? 0 : dense.length);
        }
    }

    private static final Features EMPTY = new Features(List.of());

    private final List<Namespace> namespaces;

    private Features(List<Namespace> namespaces) {
        this.namespaces = List.copyOf(namespaces);
    }

    public static Features empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Namespace> namespaces() {
        return namespaces;
    }

    /** The number of features in all namespaces. */
    public int size() {
        int size = 0;
        for (Namespace namespace : namespaces) {
            size += namespace.size();
        }
        return size;
    }

    @Override
    public String toString() {
        return namespaces.toString();
    }

    /** Builds {@link Features}; a namespace named twice collects the features of both. */
    public static final class Builder {
        private final Map<String, List<Feature>> features = new LinkedHashMap<>();
        private final Map<String, float[]> dense = new LinkedHashMap<>();

        /** The numeric feature {@code name} of {@code namespace}. */
        public Builder number(String namespace, String name, double value) {
            features(namespace).add(new Feature(name, null, value));
            return this;
        }

        /** The indicator feature {@code name=value} of {@code namespace}. */
        public Builder category(String namespace, String name, String value) {
            features(namespace).add(new Feature(name, Objects.requireNonNull(value, "value"), 1));
            return this;
        }

        /** A dense array: element {@code i} is the feature named {@code i} of {@code namespace}. */
        public Builder dense(String namespace, float[] values) {
            features(namespace);
            if (dense.putIfAbsent(namespace, values.clone()) != null) {
                throw new IllegalArgumentException(
                        "Namespace " + namespace + " has a dense array already.");
            }
            return this;
        }

        private List<Feature> features(String namespace) {
            return features.computeIfAbsent(
                    Objects.requireNonNull(namespace, "namespace"), n -> new ArrayList<>());
        }

        public Features build() {
            List<Namespace> namespaces = new ArrayList<>();
            features.forEach(
                    (name, list) -> namespaces.add(new Namespace(name, list, dense.get(name))));
            return new Features(namespaces);
        }
    }
}
