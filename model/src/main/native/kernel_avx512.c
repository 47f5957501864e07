/* AVX-512 (F, DQ) variant of the kernel. Compiled with -mavx512f -mavx512dq -mavx2 -mfma. */
#include <immintrin.h>

#define SFX avx512
#define VW 16
typedef __m512 V;
typedef __mmask16 M;

static inline __attribute__((always_inline)) M mask_of(int cnt) { return (M)((1u << cnt) - 1u); }
#define v_load(p) _mm512_loadu_ps(p)
#define v_store(p, v) _mm512_storeu_ps((p), (v))
#define v_mload(p, m) _mm512_maskz_loadu_ps((m), (p))
#define v_mload_fill(p, m, fill) _mm512_mask_loadu_ps(_mm512_set1_ps(fill), (m), (p))
#define v_mstore(p, m, v) _mm512_mask_storeu_ps((p), (m), (v))
#define v_mzero(v, m) _mm512_maskz_mov_ps((m), (v))
#define v_keep(v, m, fill) _mm512_mask_mov_ps(_mm512_set1_ps(fill), (m), (v))
#define v_set1(x) _mm512_set1_ps(x)
#define v_zero() _mm512_setzero_ps()
#define v_fma(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define v_add(a, b) _mm512_add_ps((a), (b))
#define v_sub(a, b) _mm512_sub_ps((a), (b))
#define v_mul(a, b) _mm512_mul_ps((a), (b))
#define v_max(a, b) _mm512_max_ps((a), (b))
#define v_hmax(v) _mm512_reduce_max_ps(v)
#define v_hsum(v) _mm512_reduce_add_ps(v)
#define v_first(v) _mm512_cvtss_f32(v)
/* v with x added to lane l (0 <= l < VW) */
#define v_add_lane(v, l, x) _mm512_mask_add_ps((v), (__mmask16)(1u << (l)), (v), _mm512_set1_ps(x))

/* 2^t for t <= 0: f = t - floor(t) in [0, 1) by vreduceps (AVX512DQ), a degree-5 minimax
 * polynomial for 2^f (relative error 7.7e-8, 1.5e-7 evaluated in float32), then vscalefps, which
 * multiplies by 2^floor(t) itself (0 or a denormal for t far below -126: no clamp needed). */
static inline __attribute__((always_inline)) V v_exp2(V t) {
    V f = _mm512_reduce_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    V y = _mm512_set1_ps(1.8777841469e-03f);
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(8.9891273528e-03f));
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(5.5826172233e-02f));
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(2.4015381932e-01f));
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(6.9315302372e-01f));
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(9.9999994040e-01f));
    return _mm512_scalef_ps(y, t);
}

/* natural log for positive normal x: getmant to [3/4, 3/2), degree-7 polynomial in m - 1
 * (absolute error 2.2e-7). */
static inline __attribute__((always_inline)) V v_log(V x) {
    V m = _mm512_getmant_ps(x, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);
    V e = _mm512_getexp_ps(x);
    e = _mm512_mask_add_ps(e, _mm512_cmp_ps_mask(m, _mm512_set1_ps(1.0f), _CMP_LT_OQ), e,
                           _mm512_set1_ps(1.0f));
    V f = _mm512_sub_ps(m, _mm512_set1_ps(1.0f));
    V y = _mm512_set1_ps(7.937867194414139e-2f);
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(-1.6684120893478394e-1f));
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(2.0778204500675201e-1f));
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(-2.509261667728424e-1f));
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(3.3307188749313354e-1f));
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(-4.999735653400421e-1f));
    y = _mm512_fmadd_ps(y, f, _mm512_set1_ps(1.000002384185791f));
    return _mm512_fmadd_ps(e, _mm512_set1_ps(0.693147180559945f), _mm512_mul_ps(y, f));
}

/* In-register transpose of a 16 x 16 block: unpack 32-bit and 64-bit pairs, then two rounds of
 * 128-bit lane shuffles (r[j] becomes column j of the input rows). */
static inline __attribute__((always_inline)) void rk_tr16(V r[16]) {
    V t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
        __m512d c = _mm512_castps_pd(t[4 * i + 2]), e = _mm512_castps_pd(t[4 * i + 3]);
        r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, e));
        r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, e));
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) {
            t[8 * i + j] = _mm512_shuffle_f32x4(r[8 * i + j], r[8 * i + j + 4], 0x88);
            t[8 * i + j + 4] = _mm512_shuffle_f32x4(r[8 * i + j], r[8 * i + j + 4], 0xdd);
        }
    for (int j = 0; j < 8; j++) {
        r[j] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0x88);
        r[j + 8] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0xdd);
    }
}

/* W^T packing of 16 actions: blk[k * ldb + c] = w[c * d + k] for c < 16, k < d (zero for
 * c >= cnt), 16 x 16 blocks through registers instead of one strided store per weight. */
#define RK_PACK_W16 rk_pack_w16
static void rk_pack_w16(const float *w, long d, int cnt, float *blk, long ldb) {
    for (long k0 = 0; k0 < d; k0 += 16) {
        const int kc = d - k0 < 16 ? (int)(d - k0) : 16;
        const __mmask16 km = (__mmask16)((1u << kc) - 1u);
        V r[16];
        for (int i = 0; i < 16; i++)
            r[i] = i < cnt ? _mm512_maskz_loadu_ps(km, w + i * d + k0) : _mm512_setzero_ps();
        rk_tr16(r);
        for (int j = 0; j < kc; j++) _mm512_storeu_ps(blk + (k0 + j) * ldb, r[j]);
    }
}

#ifndef MR
#define MR 8
#endif
#ifndef NV
#define NV 2
#endif
#ifndef BMR
#define BMR 8
#endif
#ifndef BNV
#define BNV 2
#endif

#define RK_HAS_FMA 1
#include "kernel_body.h"
