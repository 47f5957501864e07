/*
 * Portable variant of the kernel: GCC/Clang generic vector extensions, 4 lanes (SSE2 on
 * x86_64, NEON on aarch64). Compiled for the baseline ISA.
 */
#include <string.h>

#define SFX portable
#define VW 4
typedef float V __attribute__((vector_size(16)));
typedef int VI __attribute__((vector_size(16)));
typedef int M; /* number of valid lanes, 1..VW */

#define AI static inline __attribute__((always_inline))
AI M mask_of(int cnt) { return cnt; }
AI V v_load(const float *p) { V v; memcpy(&v, p, sizeof v); return v; }
AI void v_store(float *p, V v) { memcpy(p, &v, sizeof v); }
AI V v_set1(float x) { V v = {x, x, x, x}; return v; }
AI V v_zero(void) { return v_set1(0.0f); }
AI V v_mload_fill(const float *p, M m, float fill) {
    V v = v_set1(fill);
    for (int l = 0; l < m; l++) v[l] = p[l];
    return v;
}
AI V v_mload(const float *p, M m) { return v_mload_fill(p, m, 0.0f); }
AI void v_mstore(float *p, M m, V v) {
    for (int l = 0; l < m; l++) p[l] = v[l];
}
AI V v_mzero(V v, M m) {
    for (int l = m; l < VW; l++) v[l] = 0.0f;
    return v;
}
AI V v_keep(V v, M m, float fill) {
    for (int l = m; l < VW; l++) v[l] = fill;
    return v;
}
AI V v_fma(V a, V b, V c) { return a * b + c; }
AI V v_add(V a, V b) { return a + b; }
AI V v_sub(V a, V b) { return a - b; }
AI V v_mul(V a, V b) { return a * b; }
AI V v_sel(VI m, V a, V b) { return (V)((m & (VI)a) | (~m & (VI)b)); }
AI V v_max(V a, V b) { return v_sel(a > b, a, b); }
AI V v_min(V a, V b) { return v_sel(a < b, a, b); }
AI float v_hmax(V v) {
    float m = v[0];
    for (int l = 1; l < VW; l++) m = v[l] > m ? v[l] : m;
    return m;
}
AI V v_add_lane(V v, int l, float x) {
    v[l] += x;
    return v;
}
AI float v_first(V v) { return v[0]; }
AI float v_hsum(V v) { return (v[0] + v[1]) + (v[2] + v[3]); }

/* 2^t for t <= 0; exactly 0 below -127. Degree-5 minimax, rel. error 2.4e-7. */
AI V v_exp2(V t) {
    t = v_max(t, v_set1(-127.0f));
    V h = t + v_set1(0.5f);
    VI ti = __builtin_convertvector(h, VI); /* truncation toward zero */
    VI over = __builtin_convertvector(ti, V) > h;
    ti = ti + over; /* floor(t + 1/2): over is -1 where the truncation rounded up */
    V fx = __builtin_convertvector(ti, V);
    V f = t - fx;
    V y = v_set1(1.327645848505199e-3f);
    y = y * f + v_set1(9.675541892647743e-3f);
    y = y * f + v_set1(5.550713464617729e-2f);
    y = y * f + v_set1(2.4022120237350464e-1f);
    y = y * f + v_set1(6.931469440460205e-1f);
    y = y * f + v_set1(1.0000001192092896f);
    VI pw = (ti + 127) << 23;
    return y * (V)pw;
}

AI V v_log(V x) {
    VI xi = (VI)x;
    VI ei = ((xi >> 23) & 0xff) - 127;
    V m = (V)((xi & 0x007fffff) | 0x3f800000);
    V e = __builtin_convertvector(ei, V);
    VI big = m > v_set1(1.41421356237f);
    m = v_sel(big, m * v_set1(0.5f), m);
    e = e + (V)(big & (VI)v_set1(1.0f));
    V f = m - v_set1(1.0f);
    V z = f * f;
    V y = v_set1(7.0376836292E-2f);
    y = y * f + v_set1(-1.1514610310E-1f);
    y = y * f + v_set1(1.1676998740E-1f);
    y = y * f + v_set1(-1.2420140846E-1f);
    y = y * f + v_set1(1.4249322787E-1f);
    y = y * f + v_set1(-1.6668057665E-1f);
    y = y * f + v_set1(2.0000714765E-1f);
    y = y * f + v_set1(-2.4999993993E-1f);
    y = y * f + v_set1(3.3333331174E-1f);
    y = y * f * z;
    y = y + e * v_set1(-2.12194440e-4f);
    y = y - v_set1(0.5f) * z;
    return f + y + e * v_set1(0.693359375f);
}

#ifndef MR
#define MR 4
#endif
#ifndef NV
#define NV 3
#endif
#ifndef BMR
#define BMR 4
#endif
#ifndef BNV
#define BNV 3
#endif

#define RK_HAS_FMA 0
#include "kernel_body.h"
