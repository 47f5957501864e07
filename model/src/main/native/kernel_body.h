/*
 * ISA-generic body of the kernel. Included by kernel_<isa>.c after it defines:
 *   SFX (symbol suffix), VW (lanes), V (vector), M (tail mask), mask_of(cnt) (cnt in 1..VW),
 *   v_load, v_store, v_mload, v_mload_fill, v_mstore, v_mzero, v_set1, v_zero, v_fma, v_add,
 *   v_sub, v_mul, v_max, v_keep, v_first, v_hmax, v_hsum, v_add_lane, v_exp2, v_log, RK_HAS_FMA, and the
 *   register tile shapes
 *   MR x NV (forward: rows x vectors of actions) and BMR x BNV (backward: actions x vectors
 *   of features).
 *
 * Forward: Z = X W^T + b with W^T packed into contiguous NR-action panels (through 16 x 16
 * register transposes where the ISA file defines RK_PACK_W16) and X read in place or packed into
 * MR-row panels (thread-local scratch), MR x NV register tiles (broadcast x, load W^T vectors),
 * MC rows at a time into a scratch Z block, each row's maximum kept by the tiles' store phase;
 * then a 2-pass log-sum-exp softmax per row (exp2 + sum + sum e*u; normalise) that writes probs,
 * log p(chosen) and the entropy.
 * Predict: the forward's packing and GEMM with each block of Z copied out instead of the softmax.
 * Backward: g overwrites probs bc rows at a time (bias gradient accumulated on the way), X of
 * those rows is packed into BNR-wide column panels, then gW (n x d) += G_blk^T X_blk with
 * BMR-action x BNV-vector register tiles (broadcast g, load x vectors), vectorised over the
 * features, scaled on the last block's store.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernel.h"

#define RK_CAT_(a, b) a##b
#define RK_CAT(a, b) RK_CAT_(a, b)
#define FN(name) RK_CAT(name, SFX)
#ifndef AI
#define AI static inline __attribute__((always_inline))
#endif

#define NR (NV * VW)
#define BNR (BNV * VW)
#ifndef MC
#define MC MR /* rows per forward block (multiple of MR) */
#endif
#ifndef NC
#define NC (1L << 40) /* actions per forward chunk (multiple of NR); NR-wide tiles below it */
#endif
#ifndef FWD_DIRECT_MAX
#define FWD_DIRECT_MAX (1L << 40) /* padded action count up to which x is not packed */
#endif
#ifndef BWD_DIRECT_MAX
#define BWD_DIRECT_MAX 16384 /* floats of x per block up to which x is read in place */
#endif
#ifndef BC
#define BC 256 /* rows per backward block */
#endif
#define RK_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CLNV(x) ((x) <= NV ? (x) : NV)
#define CLBNV(x) ((x) <= BNV ? (x) : BNV)
#define CLBMR(x) ((x) <= BMR ? (x) : BMR)

static inline long FN(rk_up_)(long a, long b) { return (a + b - 1) / b * b; }

/* Row stride of the padded Wt / Z scratch: a multiple of NR, but not of 256 floats (1 KiB), so
 * that successive rows do not all map to the same L1 sets (4K aliasing). */
static inline long FN(rk_ld_)(long n) {
    long ld = FN(rk_up_)(n, NR);
    while (ld % 256 == 0) ld += NR;
    return ld;
}

/* ---------------------------------------------------------------- forward */

/* Z[r][c] = bias[c] + sum_k A(r, k) * Wt[k*ldw + c] for r < MR, c < nv*VW, where A(r, k) is
 * P[r*lda + k] (direct: rows of x) or P[k*MR + r] (packed panel); R[r*VW ..] keeps the lane-wise
 * maximum of row r over the tiles so far (set by the first tile), so the softmax needs no pass
 * for its maximum. */
AI void FN(fwd_mk_)(const int nv, const int direct, long K, const float *restrict P, long lda,
                    const float *restrict Wt, long ldw, const float *restrict bias,
                    float *restrict Z, long ldz, float *restrict R, int first) {
    V acc[MR][NV];
#pragma GCC unroll 16
    for (int v = 0; v < nv; v++) {
        V b = v_load(bias + v * VW);
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) acc[r][v] = b;
    }
    for (long k = 0; k < K; k++) {
        V b[NV];
#pragma GCC unroll 16
        for (int v = 0; v < nv; v++) b[v] = v_load(Wt + v * VW);
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
            V a = v_set1(direct ? P[r * lda] : P[r]);
#pragma GCC unroll 16
            for (int v = 0; v < nv; v++) acc[r][v] = v_fma(a, b[v], acc[r][v]);
        }
        P += direct ? 1 : MR;
        Wt += ldw;
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
        V mx = acc[r][0];
#pragma GCC unroll 16
        for (int v = 0; v < nv; v++) {
            v_store(Z + r * ldz + v * VW, acc[r][v]);
            mx = v_max(mx, acc[r][v]);
        }
        v_store(R + r * VW, first ? mx : v_max(v_load(R + r * VW), mx));
    }
}

/* Always inlined: forward and predict get their own copy, as forward did when it was the only
 * caller (a call per partial tile costs a few percent at small shapes). */
#define FARGS K, P, lda, Wt, ldw, bias, Z, ldz, R, first
AI void FN(fwd_tile_)(int nv, int direct, long K, const float *P, long lda, const float *Wt,
                      long ldw, const float *bias, float *Z, long ldz, float *R, int first) {
    switch (nv * 2 + (direct != 0)) {
    case 2: FN(fwd_mk_)(CLNV(1), 0, FARGS); break;
    case 3: FN(fwd_mk_)(CLNV(1), 1, FARGS); break;
    case 4: if (2 <= NV) FN(fwd_mk_)(CLNV(2), 0, FARGS); break;
    case 5: if (2 <= NV) FN(fwd_mk_)(CLNV(2), 1, FARGS); break;
    case 6: if (3 <= NV) FN(fwd_mk_)(CLNV(3), 0, FARGS); break;
    case 7: if (3 <= NV) FN(fwd_mk_)(CLNV(3), 1, FARGS); break;
    case 8: if (4 <= NV) FN(fwd_mk_)(CLNV(4), 0, FARGS); break;
    case 9: if (4 <= NV) FN(fwd_mk_)(CLNV(4), 1, FARGS); break;
    default: break;
    }
}
#undef FARGS

size_t FN(rk_forward_scratch_)(int batch, int d, int n) {
    (void)batch;
    const long nv = FN(rk_up_)(n, VW);
    const long ldz = FN(rk_ld_)(n);
    const long mcr = FN(rk_up_)(MC, MR);
    return (size_t)(FN(rk_up_)((long)d * nv, 16) + FN(rk_up_)(nv, 16) + FN(rk_up_)(mcr * d, 16) +
                    mcr * ldz + mcr * VW + 16);
}

/* Softmax of one row: z (scratch, n valid), its maximum mx (from the GEMM) -> p; returns log
 * p[a] and writes the entropy. */
static __attribute__((noinline)) void FN(softmax_row_)(int n, const float *restrict z, float mx,
                                                       float *restrict p, int a,
                                                       float *restrict logp,
                                                       float *restrict ent) {
    const int nf = n / VW * VW, rem = n - nf;
    const M m = mask_of(rem ? rem : VW);
    int c = 0;
    /* z is the padded scratch row: whole-vector loads are in bounds (and forward from the
     * GEMM's whole-vector stores); lanes past n are masked off */
    const V ztail = rem ? v_load(z + nf) : v_zero();
    /* e = 2^u, u = (z - max) log2(e), t accumulates e * u (log2 units). With a fused
     * multiply-add, u = fma(z, log2e, -c), c = fl(max log2e): every u is then off by the same
     * r = max log2e - c (exact via fma), which cancels in p and H and is corrected in log S. */
    const float l2e = 1.44269504088896341f;
#if RK_HAS_FMA
    const float cm = mx * l2e;
    const float r_off = fmaf(mx, l2e, -cm);
#define RK_U(zv) v_fma((zv), vl2e, vnm)
#else
    const float cm = mx * l2e;
    const float r_off = 0.0f;
#define RK_U(zv) v_mul(v_sub((zv), vmx), vl2e)
    const V vmx = v_set1(mx);
#endif
    const V vl2e = v_set1(l2e), vnm = v_set1(-cm);
    (void)vnm;
    V s0 = v_zero(), s1 = v_zero(), t0 = v_zero(), t1 = v_zero();
    for (c = 0; c + 2 * VW <= nf; c += 2 * VW) {
        V u0 = RK_U(v_load(z + c)), u1 = RK_U(v_load(z + c + VW));
        V e0 = v_exp2(u0), e1 = v_exp2(u1);
        v_store(p + c, e0);
        v_store(p + c + VW, e1);
        s0 = v_add(s0, e0);
        s1 = v_add(s1, e1);
        t0 = v_fma(e0, u0, t0);
        t1 = v_fma(e1, u1, t1);
    }
    if (c < nf) {
        V u0 = RK_U(v_load(z + c));
        V e0 = v_exp2(u0);
        v_store(p + c, e0);
        s0 = v_add(s0, e0);
        t0 = v_fma(e0, u0, t0);
    }
    V etail = v_zero(); /* kept in a register: a masked store does not forward to a load */
    if (rem) {
        V u1 = v_mzero(RK_U(ztail), m);
        etail = v_mzero(v_exp2(u1), m);
        s1 = v_add(s1, etail);
        t1 = v_fma(etail, u1, t1);
    }
    const float s = v_hsum(v_add(s0, s1)); /* >= 1: the max contributes 2^0 */
    const float t = v_hsum(v_add(t0, t1)) * 0.693147180559945f; /* sum e (z - max) <= 0 */
    const float inv = 1.0f / s;
    const V vinv = v_set1(inv);
    for (c = 0; c < nf; c += VW) v_store(p + c, v_mul(v_load(p + c), vinv));
    if (rem) v_mstore(p + nf, m, v_mul(etail, vinv));
#undef RK_U
    /* log of the exact sum (s >= 1: the inline vector log, no libm call) */
    const float ls = v_first(v_log(v_set1(s))) - r_off * 0.693147180559945f;
    float h = (ls + r_off * 0.693147180559945f) - t * inv;
    *ent = h > 0.0f ? h : 0.0f;
    *logp = (z[a] - mx) - ls;
}

/* Softmax of `cnt` rows of at most VW actions each (one vector per row), written out
 * side by side so that the rows' latency chains (reductions, exp, log) overlap. */
AI void FN(softmax_1v_)(const int cnt, int n, const float *restrict z, long ldz,
                        float *restrict p, const int *restrict act, long astride,
                        float *restrict logp, float *restrict ent) {
    const M m = mask_of(n);
    const float l2e = 1.44269504088896341f, ln2 = 0.693147180559945f;
    V zt[4], u[4], e[4];
    float mx[4], cm[4], roff[4];
#pragma GCC unroll 4
    for (int j = 0; j < cnt; j++) {
        zt[j] = v_load(z + j * ldz); /* padded scratch row: in bounds */
        mx[j] = v_hmax(v_keep(zt[j], m, -INFINITY));
#if RK_HAS_FMA
        cm[j] = mx[j] * l2e;
        roff[j] = fmaf(mx[j], l2e, -cm[j]);
        u[j] = v_mzero(v_fma(zt[j], v_set1(l2e), v_set1(-cm[j])), m);
#else
        (void)cm;
        roff[j] = 0.0f;
        u[j] = v_mzero(v_mul(v_sub(zt[j], v_set1(mx[j])), v_set1(l2e)), m);
#endif
        e[j] = v_mzero(v_exp2(u[j]), m);
    }
#pragma GCC unroll 4
    for (int j = 0; j < cnt; j++) {
        const float sj = v_hsum(e[j]);
        const float tj = v_hsum(v_mul(e[j], u[j])) * ln2;
        const float inv = 1.0f / sj;
        v_mstore(p + j * (long)n, m, v_mul(e[j], v_set1(inv)));
        const float ls = v_first(v_log(v_set1(sj))) - roff[j] * ln2;
        const float h = (ls + roff[j] * ln2) - tj * inv;
        ent[j] = h > 0.0f ? h : 0.0f;
        logp[j] = (z[j * ldz + act[j * astride]] - mx[j]) - ls;
    }
}

static __attribute__((noinline)) void FN(softmax_small_)(long rows, int n, const float *z,
                                                         long ldz, float *p, const int *act,
                                                         long astride, float *logp, float *ent) {
    long r = 0;
    for (; r + 4 <= rows; r += 4)
        FN(softmax_1v_)(4, n, z + r * ldz, ldz, p + r * n, act + r * astride, astride, logp + r,
                        ent + r);
    for (; r < rows; r++)
        FN(softmax_1v_)(1, n, z + r * ldz, ldz, p + r * n, act + r * astride, astride, logp + r,
                        ent + r);
}

/* The forward's scratch: packed W^T (Wp), padded bias (bp), the x panels, the Z block and its
 * rows' lane-wise maxima (R). */
AI void FN(fwd_layout_)(int d, int n, float *scratch, float **Wp, float **bp, float **panel,
                        float **Z, float **R) {
    const long nv = FN(rk_up_)(n, VW);
    const long mcr = FN(rk_up_)(MC, MR);
    *Wp = scratch;
    *bp = *Wp + FN(rk_up_)((long)d * nv, 16);
    *panel = *bp + FN(rk_up_)(nv, 16);
    *Z = *panel + FN(rk_up_)(mcr * d, 16);
    *R = *Z + mcr * FN(rk_ld_)(n);
}

/* Packs W^T and the bias into the scratch (see fwd_layout_). */
AI void FN(fwd_pack_)(int d, int n, const float *w, const float *bias, float *scratch) {
    const long nv = FN(rk_up_)(n, VW); /* actions padded to whole vectors */
    float *Wp, *bp, *panel, *Z, *R;
    FN(fwd_layout_)(d, n, scratch, &Wp, &bp, &panel, &Z, &R);

    /* Wp: tile [a0, a0 + wq) of the actions is the d x wq block at Wp + a0 * d, row k holding
     * W[a0 .. a0+wq)[k] (zero past n), so the GEMM streams it contiguously. */
    for (long a0 = 0; a0 < nv; a0 += NR) {
        const long wq = RK_MIN((long)NR, nv - a0);
        float *blk = Wp + a0 * d;
#ifdef RK_PACK_W16
        for (long c0 = 0; c0 < wq; c0 += 16) { /* wq is a multiple of VW = 16 */
            const long cnt = RK_MIN(16L, n - (a0 + c0));
            RK_PACK_W16(cnt > 0 ? w + (a0 + c0) * d : w, d, cnt > 0 ? (int)cnt : 0, blk + c0, wq);
        }
#else
        for (long c = 0; c < wq; c++) {
            const long a = a0 + c;
            if (a < n) {
                const float *wr = w + a * d;
                for (long k = 0; k < d; k++) blk[k * wq + c] = wr[k];
            } else {
                for (long k = 0; k < d; k++) blk[k * wq + c] = 0.0f;
            }
        }
#endif
    }
    /* padding columns: logit -inf (weights 0), so that they never win the maximum */
    memcpy(bp, bias, sizeof(float) * n);
    for (long a = n; a < nv; a++) bp[a] = -INFINITY;
}

/* Z = X W^T + b for the mc rows from i0 (mc <= MC) into the scratch's Z block (row stride
 * rk_ld_(n)), from the packing of fwd_pack_; R gets each row's lane-wise maximum. */
AI void FN(fwd_logits_)(long i0, long mc, int d, int n, const float *x, float *scratch) {
    const long nv = FN(rk_up_)(n, VW);
    const long ldz = FN(rk_ld_)(n);
    float *Wp, *bp, *panel, *Z, *R;
    FN(fwd_layout_)(d, n, scratch, &Wp, &bp, &panel, &Z, &R);
    const long tiles = (mc + MR - 1) / MR;
    /* Full row tiles broadcast straight from the rows of x (measured as fast as a packed
     * panel, without the copy); a partial last tile (zero rows past the batch), or every
     * tile when nv > FWD_DIRECT_MAX (a tuning knob), is packed into panel[t][k][r]. */
    const int direct_ok = nv <= FWD_DIRECT_MAX;
    for (long t = 0; t < tiles; t++) {
        const long row0 = i0 + t * MR;
        if (direct_ok && row0 + MR <= i0 + mc) continue;
        float *pt = panel + t * MR * (long)d;
        for (int r = 0; r < MR; r++) {
            const long row = row0 + r;
            if (row < i0 + mc) {
                const float *xr = x + row * d;
                for (long k = 0; k < d; k++) pt[k * MR + r] = xr[k];
            } else {
                for (long k = 0; k < d; k++) pt[k * MR + r] = 0.0f;
            }
        }
    }
    for (long c0 = 0; c0 < nv; c0 += NC) {
        const long c1 = RK_MIN(nv, c0 + NC);
        for (long t = 0; t < tiles; t++) {
            const long row0 = i0 + t * MR;
            const int direct = direct_ok && row0 + MR <= i0 + mc;
            const float *pt = direct ? x + row0 * d : panel + t * MR * (long)d;
            float *zt = Z + t * MR * ldz;
            float *rt = R + t * MR * VW;
            long a0 = c0;
            if (direct)
                for (; a0 + NR <= c1; a0 += NR)
                    FN(fwd_mk_)(NV, 1, d, pt, d, Wp + a0 * d, NR, bp + a0, zt + a0, ldz, rt,
                                a0 == 0);
            else
                for (; a0 + NR <= c1; a0 += NR)
                    FN(fwd_mk_)(NV, 0, d, pt, MR, Wp + a0 * d, NR, bp + a0, zt + a0, ldz, rt,
                                a0 == 0);
            if (a0 < c1) {
                const long wq = c1 - a0;
                FN(fwd_tile_)((int)(wq / VW), direct, d, pt, direct ? d : MR, Wp + a0 * d, wq,
                              bp + a0, zt + a0, ldz, rt, a0 == 0);
            }
        }
    }
}

/* The forward's blocks: Z = X W^T + b per MC rows, then either the softmax of each row (out ==
 * NULL: probs, log p(chosen), entropy) or, for predict, the logits copied to out (B x n). Always
 * inlined, so each caller gets its own copy with the branch decided at compile time. */
AI void FN(fwd_run_)(int batch, int d, int n, const float *x, const float *w, const float *bias,
                     const int *act, long astride, float *probs, float *logp, float *ent,
                     float *out, float *scratch) {
    const long ldz = FN(rk_ld_)(n);
    float *Wp, *bp, *panel, *Z, *R;
    FN(fwd_layout_)(d, n, scratch, &Wp, &bp, &panel, &Z, &R);
    FN(fwd_pack_)(d, n, w, bias, scratch);
    for (long i0 = 0; i0 < batch; i0 += MC) {
        const long mc = RK_MIN((long)MC, batch - i0);
        FN(fwd_logits_)(i0, mc, d, n, x, scratch);
        if (out) {
            for (long r = 0; r < mc; r++)
                memcpy(out + (i0 + r) * (long)n, Z + r * ldz, sizeof(float) * n);
        } else if (n <= VW) {
            FN(softmax_small_)(mc, n, Z, ldz, probs + i0 * n, act + i0 * astride, astride,
                               logp + i0, ent + i0);
        } else {
            for (long r = 0; r < mc; r++) {
                const long i = i0 + r;
                FN(softmax_row_)(n, Z + r * ldz, v_hmax(v_load(R + r * VW)), probs + i * n,
                                 act[i * astride], logp + i, ent + i);
            }
        }
    }
}

void FN(rk_forward_)(int batch, int d, int n, const float *x, const float *w, const float *bias,
                     const int *act, long astride, float *probs, float *logp, float *ent,
                     float *scratch) {
    FN(fwd_run_)(batch, d, n, x, w, bias, act, astride, probs, logp, ent, NULL, scratch);
}

/* Predict: out = X W^T + b (B x n, row-major), the forward's GEMM with each block of logits
 * copied out instead of the softmax. Scratch: rk_forward_scratch_. */
void FN(rk_predict_)(int batch, int d, int n, const float *x, const float *w, const float *bias,
                     float *out, float *scratch) {
    FN(fwd_run_)(batch, d, n, x, w, bias, NULL, 0, NULL, NULL, NULL, out, scratch);
}

/* --------------------------------------------------------------- backward */

/* C[r][c] (+)= sum_k G[k*ldg + r] * X[k*ldx + c], r < mr, c < nv*VW (last vector of C masked if
 * ml; X is a zero-padded panel, read in whole vectors);
 * the stored value is multiplied by scale when fin. */
AI void FN(bwd_mk_)(const int mr, const int nv, const int ml, long K, const float *restrict G,
                    long ldg, const float *restrict X, long ldx, float *restrict C, long ldc,
                    M mask, int accum, int fin, float scale) {
    V acc[BMR][BNV];
    if (accum) {
#pragma GCC unroll 16
        for (int r = 0; r < mr; r++)
#pragma GCC unroll 16
            for (int v = 0; v < nv; v++)
                acc[r][v] = (ml && v == nv - 1) ? v_mload(C + r * ldc + v * VW, mask)
                                                : v_load(C + r * ldc + v * VW);
    } else {
#pragma GCC unroll 16
        for (int r = 0; r < mr; r++)
#pragma GCC unroll 16
            for (int v = 0; v < nv; v++) acc[r][v] = v_zero();
    }
    for (long k = 0; k < K; k++) {
        V b[BNV];
#pragma GCC unroll 16
        for (int v = 0; v < nv; v++) b[v] = v_load(X + v * VW); /* X panel: zero-padded */
#pragma GCC unroll 16
        for (int r = 0; r < mr; r++) {
            V a = v_set1(G[r]);
#pragma GCC unroll 16
            for (int v = 0; v < nv; v++) acc[r][v] = v_fma(a, b[v], acc[r][v]);
        }
        G += ldg;
        X += ldx;
    }
    if (fin) {
        const V vs = v_set1(scale);
#pragma GCC unroll 16
        for (int r = 0; r < mr; r++)
#pragma GCC unroll 16
            for (int v = 0; v < nv; v++) acc[r][v] = v_mul(acc[r][v], vs);
    }
#pragma GCC unroll 16
    for (int r = 0; r < mr; r++)
#pragma GCC unroll 16
        for (int v = 0; v < nv; v++) {
            if (ml && v == nv - 1)
                v_mstore(C + r * ldc + v * VW, mask, acc[r][v]);
            else
                v_store(C + r * ldc + v * VW, acc[r][v]);
        }
}

#define BARGS K, G, ldg, X, ldx, C, ldc, mask, accum, fin, scale
#define BCASE_NV(MRC)                                                                       \
    switch (nv * 2 + ml) {                                                                  \
    case 2: FN(bwd_mk_)(MRC, CLBNV(1), 0, BARGS); return;                                   \
    case 3: FN(bwd_mk_)(MRC, CLBNV(1), 1, BARGS); return;                                   \
    case 4: if (2 <= BNV) FN(bwd_mk_)(MRC, CLBNV(2), 0, BARGS); return;                     \
    case 5: if (2 <= BNV) FN(bwd_mk_)(MRC, CLBNV(2), 1, BARGS); return;                     \
    case 6: if (3 <= BNV) FN(bwd_mk_)(MRC, CLBNV(3), 0, BARGS); return;                     \
    case 7: if (3 <= BNV) FN(bwd_mk_)(MRC, CLBNV(3), 1, BARGS); return;                     \
    case 8: if (4 <= BNV) FN(bwd_mk_)(MRC, CLBNV(4), 0, BARGS); return;                     \
    case 9: if (4 <= BNV) FN(bwd_mk_)(MRC, CLBNV(4), 1, BARGS); return;                     \
    default: return;                                                                        \
    }
#define BCASE(MRC) case MRC: if (MRC <= BMR) { BCASE_NV(CLBMR(MRC)) } return;

static void FN(bwd_tile_)(int mr, int nv, int ml, long K, const float *G, long ldg,
                          const float *X, long ldx, float *C, long ldc, M mask, int accum,
                          int fin, float scale) {
    switch (mr) {
        BCASE(1) BCASE(2) BCASE(3) BCASE(4) BCASE(5) BCASE(6) BCASE(7) BCASE(8)
        BCASE(9) BCASE(10) BCASE(11) BCASE(12) BCASE(13) BCASE(14) BCASE(15) BCASE(16)
    default: return;
    }
}
#undef BCASE
#undef BCASE_NV
#undef BARGS

/* rows per backward block: BC, fewer for wide x so that the X panel block stays <= 256 KiB */
static inline long FN(rk_bc_)(int d) {
    long bc = 65536 / FN(rk_up_)(d > 0 ? d : 1, VW);
    bc = bc < 16 ? 16 : bc;
    return bc < BC ? bc : BC;
}

/* Backward scratch: the packed X block, bc rows x d padded to whole vectors, cut into BNR-wide
 * column tiles (tile [j0, j0+wj) is the bc x wj block at Xp + j0 * bc). */
size_t FN(rk_backward_scratch_)(int batch, int d, int n) {
    return (size_t)(FN(rk_up_)(RK_MIN(FN(rk_bc_)(d), (long)batch) * FN(rk_up_)(d, VW), 16) +
                    FN(rk_up_)(n, VW) + 16);
}

/* g for rows [i0, i1): overwrite probs, accumulate the (unscaled) bias gradient into gb (a
 * scratch row padded to whole vectors: unmasked loads and stores, so store forwarding works
 * from one row to the next; the lanes past n accumulate zeros). The one-hot term c is added
 * inside the vector holding the chosen action (no scalar read-modify-write of freshly stored
 * vectors: store forwarding would fail). BODY sees p, and with WITH_Q the row's action values
 * less their reference value (q - q0, zero past n). */
#define RK_G_ROW(BODY, WITH_Q)                                                                \
    do {                                                                                      \
        int a_ = 0;                                                                           \
        for (; a_ < nf; a_ += VW) {                                                           \
            V p = v_load(pr + a_);                                                            \
            V q = WITH_Q ? v_sub(v_load(qr + a_), q0) : p;                                    \
            (void)q;                                                                          \
            V g = BODY;                                                                       \
            if ((unsigned)(ai - a_) < (unsigned)VW) g = v_add_lane(g, ai - a_, c);            \
            v_store(pr + a_, g);                                                              \
            v_store(gb + a_, v_add(v_load(gb + a_), g));                                      \
        }                                                                                     \
        if (rem) {                                                                            \
            V p = v_mload(pr + nf, m);                                                        \
            V q = WITH_Q ? v_mzero(v_sub(v_mload(qr + nf, m), q0), m) : p;                    \
            (void)q;                                                                          \
            V g = BODY;                                                                       \
            if (ai >= nf) g = v_add_lane(g, ai - nf, c);                                      \
            v_mstore(pr + nf, m, g);                                                          \
            v_store(gb + nf, v_add(v_load(gb + nf), g));                                      \
        }                                                                                     \
    } while (0)

static __attribute__((noinline)) void FN(grad_rows_)(long i0, long i1, int n, const int *act,
                                                     long astride, float *probs,
                                                     const float *coef, float beta,
                                                     const float *ent, float *gb) {
    const int nf = n / VW * VW, rem = n - nf;
    const M m = mask_of(rem ? rem : VW);
    const float *qr = NULL;
    const V q0 = v_zero();
    (void)qr;
    (void)q0;
    for (long i = i0; i < i1; i++) {
        float *pr = probs + i * (long)n;
        const float c = coef[i];
        const int ai = act[i * astride];
        if (beta == 0.0f) {
            const V nc = v_set1(-c);
            RK_G_ROW(v_mul(p, nc), 0);
        } else {
            /* g = -p (c + beta H + beta log p); p log p := 0 where p == 0 */
            const V k = v_set1(c + beta * ent[i]);
            const V vb = v_set1(beta), tiny = v_set1(FLT_MIN), zero = v_zero();
            RK_G_ROW(v_mul(v_sub(zero, p), v_fma(vb, v_log(v_max(p, tiny)), k)), 0);
        }
    }
}

/* grad_rows_ with the action values q (B x n) of a reward model: g gets p (q - p.q) more. It is
 * computed from q less the row's first value q0 (the term is unchanged by a constant shift of a
 * row of q; a constant row gives exactly 0): s = sum p (q - q0), then g = p ((q - q0) - (c + s +
 * beta H) - beta log p) + c 1[a = ai], one pass for the three terms. The sums s of all the rows
 * come first, in a pass of their own, so that their reductions overlap instead of delaying each
 * row's pass (1.7x the backward without q at 256x32x10 when interleaved). */
static __attribute__((noinline)) void FN(grad_rows_q_)(long i0, long i1, int n, const int *act,
                                                       long astride, float *probs,
                                                       const float *values, const float *coef,
                                                       float beta, const float *ent,
                                                       float *gb) {
    const int nf = n / VW * VW, rem = n - nf;
    const M m = mask_of(rem ? rem : VW);
    float sums[BC]; /* i1 - i0 <= rk_bc_(d) <= BC */
    for (long i = i0; i < i1; i++) {
        const float *pr = probs + i * (long)n;
        const float *qr = values + i * (long)n;
        const V q0 = v_set1(qr[0]);
        V s0 = v_zero(), s1 = v_zero();
        int a = 0;
        for (; a + 2 * VW <= nf; a += 2 * VW) {
            s0 = v_fma(v_load(pr + a), v_sub(v_load(qr + a), q0), s0);
            s1 = v_fma(v_load(pr + a + VW), v_sub(v_load(qr + a + VW), q0), s1);
        }
        if (a < nf) s0 = v_fma(v_load(pr + a), v_sub(v_load(qr + a), q0), s0);
        if (rem) s1 = v_fma(v_mload(pr + nf, m), v_mzero(v_sub(v_mload(qr + nf, m), q0), m), s1);
        sums[i - i0] = v_hsum(v_add(s0, s1));
    }
    for (long i = i0; i < i1; i++) {
        float *pr = probs + i * (long)n;
        const float *qr = values + i * (long)n;
        const V q0 = v_set1(qr[0]);
        const float c = coef[i];
        const int ai = act[i * astride];
        if (beta == 0.0f) {
            const V k = v_set1(c + sums[i - i0]);
            RK_G_ROW(v_mul(p, v_sub(q, k)), 1);
        } else {
            const V k = v_set1(c + beta * ent[i] + sums[i - i0]);
            const V vb = v_set1(beta), tiny = v_set1(FLT_MIN);
            RK_G_ROW(v_mul(p, v_sub(q, v_fma(vb, v_log(v_max(p, tiny)), k))), 1);
        }
    }
}
#undef RK_G_ROW

void FN(rk_backward_)(int batch, int d, int n, const float *x, const int *act, long astride,
                      float *probs, const float *values, const float *coef, float beta,
                      const float *ent, float scale, float *gw, float *gb, float *scratch) {
    const long dv = FN(rk_up_)(d, VW);
    float *Xp = scratch;
    float *gbs = scratch + FN(rk_up_)(RK_MIN(FN(rk_bc_)(d), (long)batch) * dv, 16);
    memset(gbs, 0, sizeof(float) * FN(rk_up_)(n, VW));
    const long bcmax = FN(rk_bc_)(d);
    for (long i0 = 0; i0 < batch; i0 += bcmax) {
        const long bc = RK_MIN(bcmax, batch - i0);
        if (values)
            FN(grad_rows_q_)(i0, i0 + bc, n, act, astride, probs, values, coef, beta, ent, gbs);
        else
            FN(grad_rows_)(i0, i0 + bc, n, act, astride, probs, coef, beta, ent, gbs);
        if (d == 0) continue;
        /* X rows [i0, i0+bc): read in place when d is a whole number of vectors (and the
         * block is small enough for the cache: BWD_DIRECT_MAX), else packed into zero-padded
         * column panels */
        const int direct = d == dv && dv * bc <= BWD_DIRECT_MAX;
        for (long j0 = 0; !direct && j0 < dv; j0 += BNR) {
            const long wj = RK_MIN((long)BNR, dv - j0), cols = RK_MIN(wj, (long)d - j0);
            float *blk = Xp + j0 * bc;
            for (long i = 0; i < bc; i++) {
                memcpy(blk + i * wj, x + (i0 + i) * d + j0, sizeof(float) * cols);
                for (long c = cols; c < wj; c++) blk[i * wj + c] = 0.0f;
            }
        }
        const int accum = i0 > 0, fin = i0 + bc >= batch;
        const float *G0 = probs + i0 * (long)n;
        /* action tiles outer: the G stripe (bc rows x BMR) stays in L1 across the feature
         * tiles, the X panel block (bc x dv) in L2 */
        for (long a0 = 0; a0 < n; a0 += BMR) {
            const int mr = (int)RK_MIN((long)BMR, n - a0);
            for (long j0 = 0; j0 < dv; j0 += BNR) {
                const long wj = RK_MIN((long)BNR, dv - j0);
                const int cols = (int)RK_MIN(wj, (long)d - j0);
                const float *Xb = direct ? x + i0 * (long)d + j0 : Xp + j0 * bc;
                const long ldx = direct ? d : wj;
                float *C = gw + a0 * d + j0;
                if (cols == BNR && mr == BMR) {
                    FN(bwd_mk_)(BMR, BNV, 0, bc, G0 + a0, n, Xb, ldx, C, d, mask_of(VW), accum,
                                fin, scale);
                } else {
                    const int ml = cols % VW != 0;
                    FN(bwd_tile_)(mr, (int)(wj / VW), ml, bc, G0 + a0, n, Xb, ldx, C, d,
                                  mask_of(ml ? cols % VW : VW), accum, fin, scale);
                }
            }
        }
    }
    const V vs = v_set1(scale);
    const int nf = n / VW * VW, rem = n - nf;
    for (int a = 0; a < nf; a += VW) v_store(gb + a, v_mul(v_load(gbs + a), vs));
    if (rem) v_mstore(gb + nf, mask_of(rem), v_mul(v_load(gbs + nf), vs));
}
