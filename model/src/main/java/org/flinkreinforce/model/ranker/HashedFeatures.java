package org.flinkreinforce.model.ranker;

import java.util.Arrays;

/**
 * The features of a shared context or of one candidate after hashing ({@link FeatureHasher}):
 * namespaces, each with its name's hash and its features' 32-bit hashes and values, in flat arrays
 * that are cleared and refilled without allocating once they have grown to a record's size. A
 * feature's index into a policy's weights is its hash masked to the policy's bits, so the same
 * hashed features serve policies of any size.
 */
public final class HashedFeatures {

    private int namespaceCount;
    private int[] namespaceHashes = new int[4];
    private int[] namespaceEnds = new int[4];
    private int featureCount;
    private int[] featureHashes = new int[16];
    private float[] featureValues = new float[16];

    /** Empties it, keeping its arrays. */
    public HashedFeatures clear() {
        namespaceCount = 0;
        featureCount = 0;
        return this;
    }

    /** Starts a namespace; the features added next belong to it. */
    public HashedFeatures namespace(int namespaceHash) {
        if (namespaceCount == namespaceHashes.length) {
            namespaceHashes = Arrays.copyOf(namespaceHashes, 2 * namespaceCount);
            namespaceEnds = Arrays.copyOf(namespaceEnds, 2 * namespaceCount);
        }
        namespaceHashes[namespaceCount] = namespaceHash;
        namespaceEnds[namespaceCount] = featureCount;
        namespaceCount++;
        return this;
    }

    /** Adds a feature to the current namespace. */
    public HashedFeatures add(int featureHash, float value) {
        if (namespaceCount == 0) {
            throw new IllegalStateException("Start a namespace before adding features to it.");
        }
        if (featureCount == featureHashes.length) {
            featureHashes = Arrays.copyOf(featureHashes, 2 * featureCount);
            featureValues = Arrays.copyOf(featureValues, 2 * featureCount);
        }
        featureHashes[featureCount] = featureHash;
        featureValues[featureCount] = value;
        featureCount++;
        namespaceEnds[namespaceCount - 1] = featureCount;
        return this;
    }

    public int namespaceCount() {
        return namespaceCount;
    }

    public int namespaceHash(int namespace) {
        return namespaceHashes[namespace];
    }

    /** The index of the namespace's first feature. */
    public int namespaceStart(int namespace) {
        return namespace == 0 ? 0 : namespaceEnds[namespace - 1];
    }

    /** The index after the namespace's last feature. */
    public int namespaceEnd(int namespace) {
        return namespaceEnds[namespace];
    }

    public int featureCount() {
        return featureCount;
    }

    /** The number of features of its largest namespace. */
    public int largestNamespace() {
        int largest = 0;
        for (int n = 0; n < namespaceCount; n++) {
            largest = Math.max(largest, namespaceEnd(n) - namespaceStart(n));
        }
        return largest;
    }

    /** The features' hashes, live: {@code [0 .. featureCount())} are valid. */
    int[] featureHashes() {
        return featureHashes;
    }

    public int featureHash(int feature) {
        return featureHashes[feature];
    }

    public float featureValue(int feature) {
        return featureValues[feature];
    }

    /** Copies {@code other} into this one. */
    public HashedFeatures copyOf(HashedFeatures other) {
        clear();
        for (int n = 0; n < other.namespaceCount; n++) {
            namespace(other.namespaceHash(n));
            for (int f = other.namespaceStart(n); f < other.namespaceEnd(n); f++) {
                add(other.featureHash(f), other.featureValue(f));
            }
        }
        return this;
    }
}
