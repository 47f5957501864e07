/* AVX2 + FMA variant of the kernel. Compiled with -mavx2 -mfma. */
#include <immintrin.h>

#define SFX avx2
#define VW 8
typedef __m256 V;
typedef __m256i M;

static const int rk_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
static inline __attribute__((always_inline)) M mask_of(int cnt) {
    return _mm256_loadu_si256((const __m256i *)(rk_mask_table + 8 - cnt));
}
#define v_load(p) _mm256_loadu_ps(p)
#define v_store(p, v) _mm256_storeu_ps((p), (v))
#define v_mload(p, m) _mm256_maskload_ps((p), (m))
#define v_mload_fill(p, m, fill) \
    _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps((p), (m)), _mm256_castsi256_ps(m))
#define v_mstore(p, m, v) _mm256_maskstore_ps((p), (m), (v))
#define v_mzero(v, m) _mm256_and_ps((v), _mm256_castsi256_ps(m))
#define v_keep(v, m, fill) _mm256_blendv_ps(_mm256_set1_ps(fill), (v), _mm256_castsi256_ps(m))
#define v_set1(x) _mm256_set1_ps(x)
#define v_zero() _mm256_setzero_ps()
#define v_fma(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define v_add(a, b) _mm256_add_ps((a), (b))
#define v_sub(a, b) _mm256_sub_ps((a), (b))
#define v_mul(a, b) _mm256_mul_ps((a), (b))
#define v_max(a, b) _mm256_max_ps((a), (b))
#define v_first(v) _mm256_cvtss_f32(v)
/* v with x added to lane l (0 <= l < VW) */
#define v_add_lane(v, l, x)                                                                   \
    _mm256_add_ps((v), _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(                  \
                                         _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),            \
                                         _mm256_set1_epi32(l))),                               \
                                     _mm256_set1_ps(x)))

static inline __attribute__((always_inline)) float v_hmax(V v) {
    __m128 a = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_max_ps(a, _mm_movehl_ps(a, a));
    a = _mm_max_ss(a, _mm_shuffle_ps(a, a, 1));
    return _mm_cvtss_f32(a);
}
static inline __attribute__((always_inline)) float v_hsum(V v) {
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));
    a = _mm_add_ss(a, _mm_shuffle_ps(a, a, 1));
    return _mm_cvtss_f32(a);
}

/* 2^t for t <= 0; exactly 0 below -127 (no denormals). Degree-5 minimax, rel. error 2.4e-7. */
static inline __attribute__((always_inline)) V v_exp2(V t) {
    t = _mm256_max_ps(t, _mm256_set1_ps(-127.0f));
    V fx = _mm256_round_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    V f = _mm256_sub_ps(t, fx);
    V y = _mm256_set1_ps(1.327645848505199e-3f);
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(9.675541892647743e-3f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(5.550713464617729e-2f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(2.4022120237350464e-1f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(6.931469440460205e-1f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(1.0000001192092896f));
    /* fx = -127 gives a zero exponent field: the result is exactly 0 */
    __m256i pw = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(fx), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(pw));
}

static inline __attribute__((always_inline)) V v_log(V x) {
    __m256i xi = _mm256_castps_si256(x);
    __m256i ei = _mm256_sub_epi32(_mm256_srli_epi32(xi, 23), _mm256_set1_epi32(127));
    V m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(xi, _mm256_set1_epi32(0x007fffff)),
                                              _mm256_set1_epi32(0x3f800000)));
    V e = _mm256_cvtepi32_ps(ei);
    V big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356237f), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
    e = _mm256_add_ps(e, _mm256_and_ps(big, _mm256_set1_ps(1.0f)));
    V f = _mm256_sub_ps(m, _mm256_set1_ps(1.0f));
    V z = _mm256_mul_ps(f, f);
    V y = _mm256_set1_ps(7.0376836292E-2f);
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(-1.1514610310E-1f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(1.1676998740E-1f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(-1.2420140846E-1f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(1.4249322787E-1f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(-1.6668057665E-1f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(2.0000714765E-1f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(-2.4999993993E-1f));
    y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(3.3333331174E-1f));
    y = _mm256_mul_ps(_mm256_mul_ps(y, f), z);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
    y = _mm256_fmadd_ps(z, _mm256_set1_ps(-0.5f), y);
    V r = _mm256_add_ps(f, y);
    return _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), r);
}

/* 16 ymm registers: 6 rows x 2 vectors = 12 accumulators + 2 loads + 1 broadcast. */
#ifndef MR
#define MR 6
#endif
#ifndef NV
#define NV 2
#endif
#ifndef BMR
#define BMR 6
#endif
#ifndef BNV
#define BNV 2
#endif

#define RK_HAS_FMA 1
#include "kernel_body.h"
