package org.flinkreinforce.model.optim;

/**
 * The outcome of one optimizer step.
 *
 * @param applied whether the parameters changed
 * @param rejection why not, as a stable code ({@code NON_FINITE_GRADIENT}, {@code
 *     NON_FINITE_UPDATE}); null when applied
 * @param gradientNorm the global L2 norm of the ascent direction before clipping (L2 included)
 * @param clipped whether clipping scaled the gradient down
 */
public record UpdateResult(
        boolean applied, String rejection, double gradientNorm, boolean clipped) {

    public static final String NON_FINITE_GRADIENT = "NON_FINITE_GRADIENT";
    public static final String NON_FINITE_UPDATE = "NON_FINITE_UPDATE";

    static UpdateResult rejected(String reason, double gradientNorm) {
        return new UpdateResult(false, reason, gradientNorm, false);
    }
}
