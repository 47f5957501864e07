package org.flinkreinforce.model;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The shape of a linear softmax policy: an id, the dense context dimension {@code d >= 0} and one
 * or more heads, head {@code h} choosing one of {@code n_h >= 2} actions.
 *
 * <p>One head over a context is a recommender choosing one of {@code n} items; several heads with
 * {@code d = 0} is a neural-architecture-search controller choosing one option per decision.
 *
 * <p>The parameters of all heads live in one flat float vector, head after head: first {@code W_h}
 * ({@code n_h x d}, row-major, one row per action) at {@link #weightOffset(int)}, then {@code b_h}
 * ({@code n_h}) at {@link #biasOffset(int)}. Optimizers and snapshots work on that one vector.
 *
 * <p>The text form is {@code ID:FEATURES:ACTIONS[,ACTIONS...]}, e.g. {@code recs:32:10} or {@code
 * nas:0:6,6,4,4}.
 */
public final class PolicySpec implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Upper bound on features and on actions per head, so every offset fits an int. */
    public static final int MAX_DIMENSION = 1 << 20;

    /** Upper bound on the number of heads. */
    public static final int MAX_HEADS = 1024;

    /** Upper bound on the number of parameters of one policy (2^28 floats = 1 GiB). */
    public static final long MAX_PARAMETERS = 1L << 28;

    private final String id;
    private final int features;
    private final int[] heads;
    private final int[] weightOffsets;
    private final int[] biasOffsets;
    private final int parameterCount;
    private final int totalActions;

    /** Checks a policy id of any kind of policy: non-blank, no ':', no surrounding whitespace. */
    public static String requireValidId(String id) {
        Objects.requireNonNull(id, "The policy id must not be null.");
        if (id.isBlank() || id.contains(":") || !id.strip().equals(id)) {
            throw new IllegalArgumentException(
                    "Invalid policy id '"
                            + id
                            + "': it must be non-blank, without ':' and without surrounding"
                            + " whitespace.");
        }
        return id;
    }

    public PolicySpec(String id, int features, int... heads) {
        requireValidId(id);
        Objects.requireNonNull(heads, "The head sizes must not be null.");
        if (features < 0 || features > MAX_DIMENSION) {
            throw new IllegalArgumentException(
                    "Invalid feature dimension "
                            + features
                            + " for policy "
                            + id
                            + ": it must lie in [0, "
                            + MAX_DIMENSION
                            + "].");
        }
        if (heads.length < 1 || heads.length > MAX_HEADS) {
            throw new IllegalArgumentException(
                    "Policy " + id + " must have between 1 and " + MAX_HEADS + " heads.");
        }
        this.id = id;
        this.features = features;
        this.heads = heads.clone();
        this.weightOffsets = new int[heads.length];
        this.biasOffsets = new int[heads.length];
        long offset = 0;
        int actions = 0;
        for (int h = 0; h < heads.length; h++) {
            int n = heads[h];
            if (n < 2 || n > MAX_DIMENSION) {
                throw new IllegalArgumentException(
                        "Invalid action count "
                                + n
                                + " for head "
                                + h
                                + " of policy "
                                + id
                                + ": it must lie in [2, "
                                + MAX_DIMENSION
                                + "].");
            }
            weightOffsets[h] = (int) Math.min(offset, Integer.MAX_VALUE);
            offset += (long) n * features;
            biasOffsets[h] = (int) Math.min(offset, Integer.MAX_VALUE);
            offset += n;
            actions += n;
            if (offset > MAX_PARAMETERS) {
                throw new IllegalArgumentException(
                        "Policy "
                                + id
                                + " has more than "
                                + MAX_PARAMETERS
                                + " parameters, which is more than one learner holds.");
            }
        }
        this.parameterCount = (int) offset;
        this.totalActions = actions;
    }

    /**
     * Parses {@code ID:FEATURES:ACTIONS[,ACTIONS...]}.
     *
     * @throws IllegalArgumentException with a full sentence when the text is not a valid spec
     */
    public static PolicySpec parse(String text) {
        Objects.requireNonNull(text, "The policy spec must not be null.");
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    "Invalid policy spec '"
                            + text
                            + "': expected ID:FEATURES:ACTIONS[,ACTIONS...], e.g. recs:32:10 or"
                            + " nas:0:6,6,4,4.");
        }
        try {
            int features = Integer.parseInt(parts[1].trim());
            String[] actionParts = parts[2].split(",", -1);
            int[] heads = new int[actionParts.length];
            for (int h = 0; h < heads.length; h++) {
                heads[h] = Integer.parseInt(actionParts[h].trim());
            }
            return new PolicySpec(parts[0].trim(), features, heads);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid policy spec '" + text + "': features and actions must be integers.",
                    e);
        }
    }

    public String id() {
        return id;
    }

    /** The context dimension {@code d}; 0 for a context-free policy. */
    public int features() {
        return features;
    }

    public int headCount() {
        return heads.length;
    }

    /** The number of actions {@code n_h} of head {@code h}. */
    public int actions(int head) {
        return heads[head];
    }

    /** A copy of all head sizes. */
    public int[] heads() {
        return heads.clone();
    }

    /** The sum of the head sizes. */
    public int totalActions() {
        return totalActions;
    }

    /** The largest head size. */
    public int maxActions() {
        return Arrays.stream(heads).max().orElseThrow();
    }

    /** The length of the flat parameter vector. */
    public int parameterCount() {
        return parameterCount;
    }

    /** Where {@code W_h[0][0]} lives in the flat parameter vector. */
    public int weightOffset(int head) {
        return weightOffsets[head];
    }

    /** Where {@code b_h[0]} lives in the flat parameter vector. */
    public int biasOffset(int head) {
        return biasOffsets[head];
    }

    /**
     * Checks the size of something given for this policy: unless {@code given == required}, throws
     * an {@link IllegalArgumentException} reading {@code Policy <id> } and then {@code message}
     * with {@code required} and {@code given} for its two {@code %d}, and a full stop.
     *
     * @param message e.g. {@code "expects %d features but got %d"}
     */
    public void requireSize(int given, int required, String message) {
        if (given != required) {
            throw new IllegalArgumentException(
                    "Policy "
                            + id
                            + " "
                            + String.format(Locale.ROOT, message, required, given)
                            + ".");
        }
    }

    /** Whether this spec has the same shape (features and heads) as another, ignoring the id. */
    public boolean sameShape(PolicySpec other) {
        return features == other.features && Arrays.equals(heads, other.heads);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PolicySpec)) {
            return false;
        }
        PolicySpec that = (PolicySpec) o;
        return features == that.features && id.equals(that.id) && Arrays.equals(heads, that.heads);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(id, features) + Arrays.hashCode(heads);
    }

    /** The text form, which {@link #parse(String)} reads back. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(id).append(':').append(features).append(':');
        for (int h = 0; h < heads.length; h++) {
            if (h > 0) {
                text.append(',');
            }
            text.append(heads[h]);
        }
        return text.toString();
    }
}
