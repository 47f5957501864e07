/*
 * Adam's per-parameter loop and the gradient's sum of squares for
 * org.flinkreinforce.model.optim.NativeAdam, vectorised with AVX-512 (8 doubles per step) and bit
 * for bit equal to the float64 Java loops in Optimizer:
 * the same IEEE operations in the same order (compiled with -ffp-contract=off, so no multiply-add
 * is fused), correctly rounded square root and division, round-to-nearest float conversions.
 * Only the AVX-512 path is offered, where the kernel's dispatch found it: elsewhere Java keeps its
 * own loop.
 */
#include <jni.h>
#include <math.h>
#include <stdint.h>

#include "kernel.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define RK_OPTIM_X86 1
#endif

/* Constants of one step, in the order of the Java loop's expression. */
typedef struct {
    double l2, clip, beta1, oneMinusBeta1, beta2, oneMinusBeta2, rate, inverseSqrtCorrection2,
        epsilon;
} rk_adam;

/* One parameter, as Java computes it; returns 1 if a float result is not finite. */
static inline int rk_adam_one(const rk_adam *c, float g, float p, float f, float s, float *pn,
                              float *fn, float *sn) {
    const double direction = ((double)g - c->l2 * (double)p) * c->clip;
    const double m = c->beta1 * (double)f + c->oneMinusBeta1 * direction;
    const double v = c->beta2 * (double)s + c->oneMinusBeta2 * direction * direction;
    const float first = (float)m, second = (float)v;
    const float parameter =
        (float)((double)p + c->rate * m / (sqrt(v) * c->inverseSqrtCorrection2 + c->epsilon));
    *fn = first;
    *sn = second;
    *pn = parameter;
    return !(isfinite(first) && isfinite(second) && isfinite(parameter));
}

#ifdef RK_OPTIM_X86
__attribute__((target("avx512f"))) static int rk_adam_avx512(const rk_adam *c, long size,
                                                             const float *grad, const float *par,
                                                             const float *first,
                                                             const float *second, float *parOut,
                                                             float *firstOut, float *secondOut) {
    const __m512d l2 = _mm512_set1_pd(c->l2), clip = _mm512_set1_pd(c->clip);
    const __m512d b1 = _mm512_set1_pd(c->beta1), a1 = _mm512_set1_pd(c->oneMinusBeta1);
    const __m512d b2 = _mm512_set1_pd(c->beta2), a2 = _mm512_set1_pd(c->oneMinusBeta2);
    const __m512d rate = _mm512_set1_pd(c->rate), isc2 = _mm512_set1_pd(c->inverseSqrtCorrection2);
    const __m512d eps = _mm512_set1_pd(c->epsilon);
    const __m256 zero = _mm256_setzero_ps();
    __m256 bad = _mm256_setzero_ps(); /* x * 0: 0 for finite x, NaN otherwise */
    long k = 0;
    for (; k + 8 <= size; k += 8) {
        const __m512d g = _mm512_cvtps_pd(_mm256_loadu_ps(grad + k));
        const __m512d p = _mm512_cvtps_pd(_mm256_loadu_ps(par + k));
        const __m512d f = _mm512_cvtps_pd(_mm256_loadu_ps(first + k));
        const __m512d s = _mm512_cvtps_pd(_mm256_loadu_ps(second + k));
        const __m512d direction = _mm512_mul_pd(_mm512_sub_pd(g, _mm512_mul_pd(l2, p)), clip);
        const __m512d m = _mm512_add_pd(_mm512_mul_pd(b1, f), _mm512_mul_pd(a1, direction));
        const __m512d v = _mm512_add_pd(_mm512_mul_pd(b2, s),
                                        _mm512_mul_pd(_mm512_mul_pd(a2, direction), direction));
        const __m512d step = _mm512_div_pd(
            _mm512_mul_pd(rate, m),
            _mm512_add_pd(_mm512_mul_pd(_mm512_sqrt_pd(v), isc2), eps));
        const __m256 fo = _mm512_cvtpd_ps(m), so = _mm512_cvtpd_ps(v);
        const __m256 po = _mm512_cvtpd_ps(_mm512_add_pd(p, step));
        _mm256_storeu_ps(firstOut + k, fo);
        _mm256_storeu_ps(secondOut + k, so);
        _mm256_storeu_ps(parOut + k, po);
        bad = _mm256_add_ps(bad, _mm256_add_ps(_mm256_mul_ps(fo, zero),
                                               _mm256_add_ps(_mm256_mul_ps(so, zero),
                                                             _mm256_mul_ps(po, zero))));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, bad);
    int nonFinite = 0;
    for (int l = 0; l < 8; l++) nonFinite |= lanes[l] != lanes[l];
    for (; k < size; k++)
        nonFinite |= rk_adam_one(c, grad[k], par[k], first[k], second[k], parOut + k,
                                 firstOut + k, secondOut + k);
    return nonFinite;
}
#endif

#ifdef RK_OPTIM_X86
/* sum_k (g_k - l2 p_k)^2 as Optimizer.squares: lane j of 8 sums k = j mod 8, tails into their
 * lanes, then ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7)). */
__attribute__((target("avx512f"))) static double rk_squares_avx512(long size, const float *grad,
                                                                  const float *par, double l2) {
    const __m512d vl2 = _mm512_set1_pd(l2);
    __m512d acc = _mm512_setzero_pd();
    long k = 0;
    for (; k + 8 <= size; k += 8) {
        const __m512d d = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(grad + k)),
                                        _mm512_mul_pd(vl2, _mm512_cvtps_pd(_mm256_loadu_ps(par + k))));
        acc = _mm512_add_pd(acc, _mm512_mul_pd(d, d));
    }
    double lanes[8];
    _mm512_storeu_pd(lanes, acc);
    for (; k < size; k++) {
        const double d = (double)grad[k] - l2 * (double)par[k];
        lanes[k & 7] += d * d;
    }
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
           ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}
#endif

/* The AVX-512 path of the kernel (F and DQ, detected once in dispatch.c); Adam needs only F. */
static int rk_adam_supported(void) {
#ifdef RK_OPTIM_X86
    return rk_max_isa() >= RK_ISA_AVX512;
#else
    return 0;
#endif
}

#define JNIFN(ret, name) JNIEXPORT ret JNICALL Java_org_flinkreinforce_model_optim_NativeAdam_##name

JNIFN(jboolean, supported0)(JNIEnv *env, jclass cls) {
    (void)env;
    (void)cls;
    return rk_adam_supported() ? JNI_TRUE : JNI_FALSE;
}

JNIFN(jdouble, squares0)(JNIEnv *env, jclass cls, jint size, jfloatArray gradient,
                        jfloatArray parameters, jdouble l2) {
    (void)cls;
    double result = -1.0; /* never a sum of squares: the arrays could not be pinned */
#ifdef RK_OPTIM_X86
    if (!rk_adam_supported()) return result;
    float *g = NULL, *p = NULL;
    if (!(g = (*env)->GetPrimitiveArrayCritical(env, gradient, NULL))) goto out;
    if (!(p = (*env)->GetPrimitiveArrayCritical(env, parameters, NULL))) goto out;
    result = rk_squares_avx512(size, g, p, l2);
out:
    if (p) (*env)->ReleasePrimitiveArrayCritical(env, parameters, p, JNI_ABORT);
    if (g) (*env)->ReleasePrimitiveArrayCritical(env, gradient, g, JNI_ABORT);
#endif
    return result;
}

/*
 * Writes the next parameters and moments of `size` parameters into the three out arrays; returns
 * 1 if any of them is not finite in float32, 0 otherwise, -1 if an array could not be pinned.
 */
JNIFN(jint, step0)(JNIEnv *env, jclass cls, jint size, jfloatArray gradient,
                   jfloatArray parameters, jfloatArray first, jfloatArray second,
                   jfloatArray parametersOut, jfloatArray firstOut, jfloatArray secondOut,
                   jdouble l2, jdouble clip, jdouble beta1, jdouble oneMinusBeta1, jdouble beta2,
                   jdouble oneMinusBeta2, jdouble rate, jdouble inverseSqrtCorrection2,
                   jdouble epsilon) {
    (void)cls;
    int result = -1;
#ifdef RK_OPTIM_X86
    if (!rk_adam_supported()) return -1;
    const rk_adam c = {l2,    clip, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
                       rate, inverseSqrtCorrection2, epsilon};
    float *g = NULL, *p = NULL, *f = NULL, *s = NULL, *po = NULL, *fo = NULL, *so = NULL;
    if (!(g = (*env)->GetPrimitiveArrayCritical(env, gradient, NULL))) goto out;
    if (!(p = (*env)->GetPrimitiveArrayCritical(env, parameters, NULL))) goto out;
    if (!(f = (*env)->GetPrimitiveArrayCritical(env, first, NULL))) goto out;
    if (!(s = (*env)->GetPrimitiveArrayCritical(env, second, NULL))) goto out;
    if (!(po = (*env)->GetPrimitiveArrayCritical(env, parametersOut, NULL))) goto out;
    if (!(fo = (*env)->GetPrimitiveArrayCritical(env, firstOut, NULL))) goto out;
    if (!(so = (*env)->GetPrimitiveArrayCritical(env, secondOut, NULL))) goto out;
    result = rk_adam_avx512(&c, size, g, p, f, s, po, fo, so);
out:
    if (so) (*env)->ReleasePrimitiveArrayCritical(env, secondOut, so, 0);
    if (fo) (*env)->ReleasePrimitiveArrayCritical(env, firstOut, fo, 0);
    if (po) (*env)->ReleasePrimitiveArrayCritical(env, parametersOut, po, 0);
    if (s) (*env)->ReleasePrimitiveArrayCritical(env, second, s, JNI_ABORT);
    if (f) (*env)->ReleasePrimitiveArrayCritical(env, first, f, JNI_ABORT);
    if (p) (*env)->ReleasePrimitiveArrayCritical(env, parameters, p, JNI_ABORT);
    if (g) (*env)->ReleasePrimitiveArrayCritical(env, gradient, g, JNI_ABORT);
#endif
    return result;
}
