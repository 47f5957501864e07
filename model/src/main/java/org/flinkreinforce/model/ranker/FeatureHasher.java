package org.flinkreinforce.model.ranker;

/**
 * Hashes features into the 32-bit space that ranker policies index with their {@code bits}: the
 * wire contract that the serving client and the learner share (docs/wire-formats.md). With
 * MurmurHash3 ({@link MurmurHash3}, x86 32-bit) of UTF-8 bytes and the policy's {@code seed}:
 *
 * <ul>
 *   <li>a namespace {@code ns}: {@code n = murmur3(ns, seed)};
 *   <li>its numeric feature {@code f} with value {@code v}: hash {@code murmur3(f, n)}, value v;
 *   <li>its string feature {@code f} of value {@code s}: hash {@code murmur3(f + "=" + s, n)},
 *       value 1;
 *   <li>element {@code i} of its dense array: hash {@code murmur3(int32le(i), n)}, the element;
 *   <li>the cross of a shared feature (hash {@code a}, value {@code v}) and a candidate's (hash
 *       {@code b}, value {@code w}): hash {@code murmur3(int32le(b), a)}, value {@code v w};
 *   <li>a feature's weight: {@code weights[hash & (2^bits - 1)]}.
 * </ul>
 */
public final class FeatureHasher {

    private final int seed;

    public FeatureHasher(int seed) {
        this.seed = seed;
    }

    public int seed() {
        return seed;
    }

    /** The hash of the namespace {@code name}. */
    public int namespace(CharSequence name) {
        return MurmurHash3.hashUtf8(name, seed);
    }

    /** The hash of the numeric feature {@code name} in the namespace of hash {@code namespace}. */
    public static int numeric(int namespace, CharSequence name) {
        return MurmurHash3.hashUtf8(name, namespace);
    }

    /** The hash of the string feature {@code name=value} in the namespace {@code namespace}. */
    public static int categorical(int namespace, CharSequence name, CharSequence value) {
        return MurmurHash3.hashUtf8(new Joined(name, value), namespace);
    }

    /** The hash of element {@code index} of a dense array in the namespace {@code namespace}. */
    public static int indexed(int namespace, int index) {
        return MurmurHash3.hashInt(index, namespace);
    }

    /** The hash of the cross of a shared feature's hash and a candidate feature's hash. */
    public static int cross(int sharedFeature, int candidateFeature) {
        return MurmurHash3.hashInt(candidateFeature, sharedFeature);
    }

    /**
     * {@link #cross} from the candidate feature's {@link #crossKey}: the part of the hash that
     * depends on the candidate feature alone, made once for its crosses with every shared one.
     */
    public static int crossWithKey(int sharedFeature, int candidateKey) {
        return MurmurHash3.hashIntWithKey(candidateKey, sharedFeature);
    }

    /** The key of a candidate feature's hash for {@link #crossWithKey}. */
    public static int crossKey(int candidateFeature) {
        return MurmurHash3.mixKey(candidateFeature);
    }

    /** Hashes {@code features} into {@code out} (cleared first); returns {@code out}. */
    public HashedFeatures hash(Features features, HashedFeatures out) {
        out.clear();
        for (Features.Namespace namespace : features.namespaces()) {
            int n = namespace(namespace.name());
            out.namespace(n);
            for (Features.Feature feature : namespace.features()) {
                out.add(
                        feature.isCategorical()
                                ? categorical(n, feature.name(), feature.category())
                                : numeric(n, feature.name()),
                        (float) feature.value());
            }
            float[] dense = namespace.dense();
            if (dense != null) {
                for (int i = 0; i < dense.length; i++) {
                    out.add(indexed(n, i), dense[i]);
                }
            }
        }
        return out;
    }

    /** {@code name + "=" + value} without building the string. */
    private record Joined(CharSequence name, CharSequence value) implements CharSequence {
        @Override
        public int length() {
            return name.length() + 1 + value.length();
        }

        @Override
        public char charAt(int index) {
            int n = name.length();
            return index < n ? name.charAt(index) : index == n ? '=' : value.charAt(index - n - 1);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return toString().subSequence(start, end);
        }

        @Override
        public String toString() {
            return name + "=" + value;
        }
    }
}
