/*
 * Adam's per-parameter loop and the gradient's sum of squares for
 * org.flinkreinforce.model.optim.NativeAdam, vectorised in float64 with AVX-512 (8 doubles per
 * step) or AVX2 (4 per step) and bit for bit equal to the float64 Java loops in Optimizer:
 * the same IEEE operations in the same order (compiled with -ffp-contract=off, so no multiply-add
 * is fused), correctly rounded square root and division, round-to-nearest float conversions.
 * Only these two paths are offered, where the kernel's dispatch found them: elsewhere Java keeps
 * its own loop.
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
/* AVX-512 (F): 8 parameters per step. */
#define SFX avx512
#define TARGET __attribute__((target("avx512f")))
#define DW 8
#define VD __m512d
#define VF __m256
#define d_load(p) _mm512_cvtps_pd(_mm256_loadu_ps(p))
#define d_set1 _mm512_set1_pd
#define d_zero _mm512_setzero_pd
#define d_add _mm512_add_pd
#define d_sub _mm512_sub_pd
#define d_mul _mm512_mul_pd
#define d_div _mm512_div_pd
#define d_sqrt _mm512_sqrt_pd
#define d_store _mm512_storeu_pd
#define f_narrow _mm512_cvtpd_ps
#define f_zero _mm256_setzero_ps
#define f_add _mm256_add_ps
#define f_mul _mm256_mul_ps
#define f_store _mm256_storeu_ps
#include "optim_body.h"

/* AVX2: 4 parameters per step (no FMA: none may be fused). */
#define SFX avx2
#define TARGET __attribute__((target("avx2")))
#define DW 4
#define VD __m256d
#define VF __m128
#define d_load(p) _mm256_cvtps_pd(_mm_loadu_ps(p))
#define d_set1 _mm256_set1_pd
#define d_zero _mm256_setzero_pd
#define d_add _mm256_add_pd
#define d_sub _mm256_sub_pd
#define d_mul _mm256_mul_pd
#define d_div _mm256_div_pd
#define d_sqrt _mm256_sqrt_pd
#define d_store _mm256_storeu_pd
#define f_narrow _mm256_cvtpd_ps
#define f_zero _mm_setzero_ps
#define f_add _mm_add_ps
#define f_mul _mm_mul_ps
#define f_store _mm_storeu_ps
#include "optim_body.h"
#endif

/*
 * The path Adam runs for a requested RK_ISA_* (the best one: RK_ISA_AVX512), clamped to what the
 * kernel's dispatch found on this CPU; RK_ISA_PORTABLE where neither AVX2 nor AVX-512 is there
 * (Adam has no portable C path: Java's own loop is as fast).
 */
static int rk_adam_isa(int requested) {
#ifdef RK_OPTIM_X86
    const int max = rk_max_isa();
    const int isa = requested < max ? requested : max;
    return isa >= RK_ISA_AVX2 ? isa : RK_ISA_PORTABLE;
#else
    (void)requested;
    return RK_ISA_PORTABLE;
#endif
}

#define JNIFN(ret, name) JNIEXPORT ret JNICALL Java_org_flinkreinforce_model_optim_NativeAdam_##name

JNIFN(jint, isa0)(JNIEnv *env, jclass cls, jint requested) {
    (void)env;
    (void)cls;
    return rk_adam_isa(requested);
}

JNIFN(jdouble, squares0)(JNIEnv *env, jclass cls, jint isa, jint size, jfloatArray gradient,
                        jfloatArray parameters, jdouble l2) {
    (void)cls;
    double result = -1.0; /* never a sum of squares: no such path, or the arrays were not pinned */
#ifdef RK_OPTIM_X86
    isa = rk_adam_isa(isa);
    if (isa == RK_ISA_PORTABLE) return result;
    float *g = NULL, *p = NULL;
    if (!(g = (*env)->GetPrimitiveArrayCritical(env, gradient, NULL))) goto out;
    if (!(p = (*env)->GetPrimitiveArrayCritical(env, parameters, NULL))) goto out;
    result = isa == RK_ISA_AVX512 ? rk_squares_avx512(size, g, p, l2)
                                  : rk_squares_avx2(size, g, p, l2);
out:
    if (p) (*env)->ReleasePrimitiveArrayCritical(env, parameters, p, JNI_ABORT);
    if (g) (*env)->ReleasePrimitiveArrayCritical(env, gradient, g, JNI_ABORT);
#endif
    return result;
}

/*
 * Writes the next parameters and moments of `size` parameters into the three out arrays; returns
 * 1 if any of them is not finite in float32, 0 otherwise, -1 if there is no such path or an array
 * could not be pinned (nothing written).
 */
JNIFN(jint, step0)(JNIEnv *env, jclass cls, jint isa, jint size, jfloatArray gradient,
                   jfloatArray parameters, jfloatArray first, jfloatArray second,
                   jfloatArray parametersOut, jfloatArray firstOut, jfloatArray secondOut,
                   jdouble l2, jdouble clip, jdouble beta1, jdouble oneMinusBeta1, jdouble beta2,
                   jdouble oneMinusBeta2, jdouble rate, jdouble inverseSqrtCorrection2,
                   jdouble epsilon) {
    (void)cls;
    int result = -1;
#ifdef RK_OPTIM_X86
    isa = rk_adam_isa(isa);
    if (isa == RK_ISA_PORTABLE) return result;
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
    result = isa == RK_ISA_AVX512 ? rk_adam_avx512(&c, size, g, p, f, s, po, fo, so)
                                  : rk_adam_avx2(&c, size, g, p, f, s, po, fo, so);
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
