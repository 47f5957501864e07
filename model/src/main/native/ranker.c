/*
 * JNI entry points of org.flinkreinforce.model.ranker.NativeRankerKernel: a ranker policy's
 * scores (gathers of its weights at the hashed indices of phi) and sparse gradient (scatters),
 * over a run of candidates. RankerBatch.java documents the layout and the formulas; the Java side
 * checks every length and the order of the ends before calling, and every weight index is taken
 * modulo the weights' length (a power of two), so nothing here reads or writes outside an array.
 *
 * Compiled for the baseline ISA with -ffp-contract=off, so that the portable scores round as the
 * Java loop does; the AVX2 and AVX-512 functions carry their own target attributes and are only
 * called where rk_max_isa() found the CPU supports them.
 */
#include <jni.h>
#include <stdint.h>

#include "kernel.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* ------------------------------------------------------------------ scores */

/*
 * Adds the products of entries [from, end) to *s (and to *t where o is not NULL), one by one in
 * entry order: the Java loop's sums, bit for bit, when started from 0.
 */
static inline void sum_scalar(const int *indices, const float *values, const float *w,
                              const float *o, uint32_t mask, int from, int end, double *s,
                              double *t) {
    for (int j = from; j < end; j++) {
        const uint32_t i = (uint32_t)indices[j] & mask;
        *s += (double)w[i] * (double)values[j];
        if (o) *t += (double)o[i] * (double)values[j];
    }
}

static void scores_portable(int candidates, const int *ends, const int *indices,
                            const float *values, const float *w, const float *o, uint32_t mask,
                            double *scores, double *other_scores) {
    int start = 0;
    for (int k = 0; k < candidates; k++) {
        const int end = ends[k];
        double s = 0, t = 0;
        sum_scalar(indices, values, w, o, mask, start, end, &s, &t);
        scores[k] = s;
        if (o) other_scores[k] = t;
        start = end;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static inline double rk_hsum256d(__m256d v) {
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

/* 8 weights a gather; the products summed in double, 4 lanes per accumulator. */
__attribute__((target("avx2,fma"))) static void scores_avx2(int candidates, const int *ends,
                                                            const int *indices,
                                                            const float *values, const float *w,
                                                            const float *o, uint32_t mask,
                                                            double *scores,
                                                            double *other_scores) {
    const __m256i m = _mm256_set1_epi32((int)mask);
    int start = 0;
    for (int k = 0; k < candidates; k++) {
        const int end = ends[k];
        __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
        __m256d t0 = _mm256_setzero_pd(), t1 = _mm256_setzero_pd();
        int j = start;
        for (; j + 8 <= end; j += 8) {
            const __m256i ix = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(indices + j)), m);
            const __m256 v = _mm256_loadu_ps(values + j);
            const __m256d v0 = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
            const __m256d v1 = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
            const __m256 g = _mm256_i32gather_ps(w, ix, 4);
            s0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(g)), v0, s0);
            s1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(g, 1)), v1, s1);
            if (o) {
                const __m256 h = _mm256_i32gather_ps(o, ix, 4);
                t0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(h)), v0, t0);
                t1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(h, 1)), v1, t1);
            }
        }
        double s = rk_hsum256d(_mm256_add_pd(s0, s1));
        double t = o ? rk_hsum256d(_mm256_add_pd(t0, t1)) : 0;
        sum_scalar(indices, values, w, o, mask, j, end, &s, &t);
        scores[k] = s;
        if (o) other_scores[k] = t;
        start = end;
    }
}

/*
 * 16 weights a gather, the last gather of a candidate masked to its entries; the products summed
 * in double, 8 lanes per accumulator.
 */
__attribute__((target("avx512f,avx512dq"))) static void scores_avx512(
    int candidates, const int *ends, const int *indices, const float *values, const float *w,
    const float *o, uint32_t mask, double *scores, double *other_scores) {
    const __m512i m = _mm512_set1_epi32((int)mask);
    int start = 0;
    for (int k = 0; k < candidates; k++) {
        const int end = ends[k];
        __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
        __m512d t0 = _mm512_setzero_pd(), t1 = _mm512_setzero_pd();
        for (int j = start; j < end; j += 16) {
            const int left = end - j;
            const __mmask16 live = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
            const __m512i ix = _mm512_and_si512(_mm512_maskz_loadu_epi32(live, indices + j), m);
            const __m512 v = _mm512_maskz_loadu_ps(live, values + j);
            const __m512d v0 = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
            const __m512d v1 = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
            const __m512 g = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, ix, w, 4);
            s0 = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(g)), v0, s0);
            s1 = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(g, 1)), v1, s1);
            if (o) {
                const __m512 h = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, ix, o, 4);
                t0 = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(h)), v0, t0);
                t1 = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(h, 1)), v1, t1);
            }
        }
        scores[k] = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
        if (o) other_scores[k] = _mm512_reduce_add_pd(_mm512_add_pd(t0, t1));
        start = end;
    }
}
#endif

/* ----------------------------------------------------------------- scatter */

/*
 * gradient[i] += (float) (c * value) for every entry of [start, end), in order, and records each
 * weight added to for the first time since the bitset was cleared. Returns the new count, or -1
 * where the touched list is full (its bits and its list disagree: the caller's mistake).
 */
static int scatter_one(const int *indices, const float *values, int start, int end, double c,
                       float *gradient, uint32_t mask, uint64_t *bits, int *touched, int count,
                       int capacity) {
    for (int j = start; j < end; j++) {
        const uint32_t i = (uint32_t)indices[j] & mask;
        gradient[i] += (float)(c * (double)values[j]);
        const uint64_t bit = (uint64_t)1 << (i & 63);
        if (!(bits[i >> 6] & bit)) {
            if (count >= capacity) return -1;
            bits[i >> 6] |= bit;
            touched[count++] = (int)i;
        }
    }
    return count;
}

/* ---------------------------------------------------------------- JNI glue */

#define JNIFN(ret, name) \
    JNIEXPORT ret JNICALL Java_org_flinkreinforce_model_ranker_NativeRankerKernel_##name

JNIFN(void, scores0)(JNIEnv *env, jclass cls, jint isa, jint candidates, jintArray ends,
                     jintArray indices, jfloatArray values, jfloatArray weights,
                     jfloatArray otherWeights, jdoubleArray scores, jdoubleArray otherScores) {
    (void)cls;
    const uint32_t mask = (uint32_t)(*env)->GetArrayLength(env, weights) - 1;
    if (isa > rk_max_isa()) isa = rk_max_isa();
    int *pe = NULL, *pi = NULL;
    float *pv = NULL, *pw = NULL, *po = NULL;
    double *ps = NULL, *pt = NULL;
    if (!(pe = (*env)->GetPrimitiveArrayCritical(env, ends, NULL))) goto out;
    if (!(pi = (*env)->GetPrimitiveArrayCritical(env, indices, NULL))) goto out;
    if (!(pv = (*env)->GetPrimitiveArrayCritical(env, values, NULL))) goto out;
    if (!(pw = (*env)->GetPrimitiveArrayCritical(env, weights, NULL))) goto out;
    if (otherWeights && !(po = (*env)->GetPrimitiveArrayCritical(env, otherWeights, NULL)))
        goto out;
    if (!(ps = (*env)->GetPrimitiveArrayCritical(env, scores, NULL))) goto out;
    if (otherWeights && !(pt = (*env)->GetPrimitiveArrayCritical(env, otherScores, NULL))) goto out;
#if defined(__x86_64__)
    if (isa == RK_ISA_AVX512)
        scores_avx512(candidates, pe, pi, pv, pw, po, mask, ps, pt);
    else if (isa == RK_ISA_AVX2)
        scores_avx2(candidates, pe, pi, pv, pw, po, mask, ps, pt);
    else
#endif
        scores_portable(candidates, pe, pi, pv, pw, po, mask, ps, pt);
out:
    if (pt) (*env)->ReleasePrimitiveArrayCritical(env, otherScores, pt, 0);
    if (ps) (*env)->ReleasePrimitiveArrayCritical(env, scores, ps, 0);
    if (po) (*env)->ReleasePrimitiveArrayCritical(env, otherWeights, po, JNI_ABORT);
    if (pw) (*env)->ReleasePrimitiveArrayCritical(env, weights, pw, JNI_ABORT);
    if (pv) (*env)->ReleasePrimitiveArrayCritical(env, values, pv, JNI_ABORT);
    if (pi) (*env)->ReleasePrimitiveArrayCritical(env, indices, pi, JNI_ABORT);
    if (pe) (*env)->ReleasePrimitiveArrayCritical(env, ends, pe, JNI_ABORT);
}

JNIFN(jint, scatter0)(JNIEnv *env, jclass cls, jint candidates, jintArray ends, jintArray indices,
                      jfloatArray values, jdoubleArray coefficients, jfloatArray gradient,
                      jdoubleArray modelCoefficients, jfloatArray modelGradient,
                      jlongArray touchedBits, jintArray touched, jint touchedCount) {
    (void)cls;
    const uint32_t mask = (uint32_t)(*env)->GetArrayLength(env, gradient) - 1;
    const int capacity = (*env)->GetArrayLength(env, touched);
    jint count = -2;
    int *pe = NULL, *pi = NULL, *pt = NULL;
    float *pv = NULL, *pg = NULL, *pm = NULL;
    double *pc = NULL, *pmc = NULL;
    uint64_t *pb = NULL;
    if (!(pe = (*env)->GetPrimitiveArrayCritical(env, ends, NULL))) goto out;
    if (!(pi = (*env)->GetPrimitiveArrayCritical(env, indices, NULL))) goto out;
    if (!(pv = (*env)->GetPrimitiveArrayCritical(env, values, NULL))) goto out;
    if (!(pc = (*env)->GetPrimitiveArrayCritical(env, coefficients, NULL))) goto out;
    if (!(pg = (*env)->GetPrimitiveArrayCritical(env, gradient, NULL))) goto out;
    if (modelGradient) {
        if (!(pmc = (*env)->GetPrimitiveArrayCritical(env, modelCoefficients, NULL))) goto out;
        if (!(pm = (*env)->GetPrimitiveArrayCritical(env, modelGradient, NULL))) goto out;
    }
    if (!(pb = (*env)->GetPrimitiveArrayCritical(env, touchedBits, NULL))) goto out;
    if (!(pt = (*env)->GetPrimitiveArrayCritical(env, touched, NULL))) goto out;
    count = touchedCount;
    int start = 0;
    for (int k = 0; k < candidates && count >= 0; k++) {
        const int end = pe[k];
        /* A NaN coefficient is not 0: it is added, and the learner drops the batch. */
        if (pc[k] != 0)
            count = scatter_one(pi, pv, start, end, pc[k], pg, mask, pb, pt, count, capacity);
        if (count >= 0 && pm && pmc[k] != 0)
            count = scatter_one(pi, pv, start, end, pmc[k], pm, mask, pb, pt, count, capacity);
        start = end;
    }
out:
    if (pt) (*env)->ReleasePrimitiveArrayCritical(env, touched, pt, 0);
    if (pb) (*env)->ReleasePrimitiveArrayCritical(env, touchedBits, pb, 0);
    if (pm) (*env)->ReleasePrimitiveArrayCritical(env, modelGradient, pm, 0);
    if (pmc) (*env)->ReleasePrimitiveArrayCritical(env, modelCoefficients, pmc, JNI_ABORT);
    if (pg) (*env)->ReleasePrimitiveArrayCritical(env, gradient, pg, 0);
    if (pc) (*env)->ReleasePrimitiveArrayCritical(env, coefficients, pc, JNI_ABORT);
    if (pv) (*env)->ReleasePrimitiveArrayCritical(env, values, pv, JNI_ABORT);
    if (pi) (*env)->ReleasePrimitiveArrayCritical(env, indices, pi, JNI_ABORT);
    if (pe) (*env)->ReleasePrimitiveArrayCritical(env, ends, pe, JNI_ABORT);
    return count;
}
