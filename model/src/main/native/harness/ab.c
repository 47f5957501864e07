/*
 * A/B timing of two builds of one ISA's kernel (see ab.sh; AB_ISA, default avx512): "old"
 * (symbols renamed old_*) and "new" run one after the other on the same inputs, call by call, so
 * that the noise of a shared machine falls on both. Inputs sit 16 bytes past a 64-byte boundary,
 * as in a Java float[]. The new build's predict and its backward with action values are timed in
 * the same rounds. AB_OLD_VALUES: whether the old backward takes action values (1) or predates
 * them (0).
 *   ab B d n [reps [beta]]
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernel.h"

#ifndef AB_ISA
#define AB_ISA avx512
#endif
#ifndef AB_OLD_VALUES
#define AB_OLD_VALUES 1
#endif
#define AB_CAT_(a, b) a##b
#define AB_CAT(a, b) AB_CAT_(a, b)
#define NEW(name) AB_CAT(name, AB_ISA)

size_t old_fs(int, int, int);
size_t old_bs(int, int, int);
void old_f(int, int, int, const float *, const float *, const float *, const int *, long, float *,
           float *, float *, float *);
#if AB_OLD_VALUES
void old_b(int, int, int, const float *, const int *, long, float *, const float *,
           const float *, float, const float *, float, float *, float *, float *);
#define OLD_B(B, d, n, x, act, s, probs, coef, beta, ent, scale, gw, gb, sc) \
    old_b(B, d, n, x, act, s, probs, NULL, coef, beta, ent, scale, gw, gb, sc)
#else
void old_b(int, int, int, const float *, const int *, long, float *, const float *, float,
           const float *, float, float *, float *, float *);
#define OLD_B old_b
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static float *floats(size_t n) { return (float *)aligned_alloc(64, (4 * n + 64 + 63) / 64 * 64) + 4; }

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: ab B d n [reps [beta]]\n");
        return 2;
    }
    const int B = atoi(argv[1]), d = atoi(argv[2]), n = atoi(argv[3]);
    const int reps = argc > 4 ? atoi(argv[4]) : 300;
    const float beta = argc > 5 ? (float)atof(argv[5]) : 0.0f;
    float *x = floats((size_t)B * d + 1), *params = floats((size_t)n * d + n);
    float *probs = floats((size_t)B * n), *grad = floats((size_t)n * d + n);
    float *logp = floats(B), *ent = floats(B), *coef = floats(B);
    float *model = floats((size_t)n * d + n), *values = floats((size_t)B * n);
    int *act = malloc(sizeof(int) * B);
    srand(1);
    for (long i = 0; i < (long)B * d; i++) x[i] = rand() / (float)RAND_MAX * 2 - 1;
    for (long i = 0; i < (long)n * d + n; i++)
        params[i] = (rand() / (float)RAND_MAX * 2 - 1) / sqrtf(d + 1.0f);
    for (long i = 0; i < (long)n * d + n; i++) model[i] = rand() / (float)RAND_MAX;
    for (int i = 0; i < B; i++) {
        act[i] = rand() % n;
        coef[i] = rand() / (float)RAND_MAX * 2 - 1;
    }
    size_t so = old_fs(B, d, n) + old_bs(B, d, n);
    size_t sn = NEW(rk_forward_scratch_)(B, d, n) + NEW(rk_backward_scratch_)(B, d, n);
    float *sc = aligned_alloc(64, (4 * (so > sn ? so : sn) + 127) / 64 * 64);
    double *to = malloc(8 * reps), *tn = malloc(8 * reps), *fo = malloc(8 * reps),
           *fn = malloc(8 * reps), *pn = malloc(8 * reps), *qn = malloc(8 * reps);
    const float *w = params, *b = params + (long)n * d;
    float *gw = grad, *gb = grad + (long)n * d;
    for (int r = -20; r < reps; r++) { /* 20 warm-up rounds */
        double t0 = now();
        old_f(B, d, n, x, w, b, act, 1, probs, logp, ent, sc);
        double t1 = now();
        OLD_B(B, d, n, x, act, 1, probs, coef, beta, ent, 1.0f / B, gw, gb, sc);
        double t2 = now();
        NEW(rk_forward_)(B, d, n, x, w, b, act, 1, probs, logp, ent, sc);
        double t3 = now();
        NEW(rk_backward_)(B, d, n, x, act, 1, probs, NULL, coef, beta, ent, 1.0f / B, gw, gb, sc);
        double t4 = now();
        NEW(rk_predict_)(B, d, n, x, model, model + (long)n * d, values, sc);
        double t5 = now();
        NEW(rk_forward_)(B, d, n, x, w, b, act, 1, probs, logp, ent, sc);
        double t6 = now();
        NEW(rk_backward_)(B, d, n, x, act, 1, probs, values, coef, beta, ent, 1.0f / B, gw, gb, sc);
        double t7 = now();
        if (r >= 0) {
            to[r] = t2 - t0;
            fo[r] = t1 - t0;
            tn[r] = t4 - t2;
            fn[r] = t3 - t2;
            pn[r] = t5 - t4;
            qn[r] = t7 - t6;
        }
    }
    qsort(to, reps, 8, cmp);
    qsort(tn, reps, 8, cmp);
    qsort(fo, reps, 8, cmp);
    qsort(fn, reps, 8, cmp);
    qsort(pn, reps, 8, cmp);
    qsort(qn, reps, 8, cmp);
    const double gf = 4.0 * B * d * n / 1e9, m = reps / 2;
    printf("%dx%dx%d beta=%g, %d rounds, medians: old fwd %.1f us, fwd+bwd %.1f us (%.1f GFLOP/s, "
           "best %.1f) | new fwd %.1f us, fwd+bwd %.1f us (%.1f GFLOP/s, best %.1f) | old/new %.3f\n",
           B, d, n, beta, reps, fo[(int)m] * 1e6, to[(int)m] * 1e6, gf / to[(int)m], gf / to[0],
           fn[(int)m] * 1e6, tn[(int)m] * 1e6, gf / tn[(int)m], gf / tn[0], to[(int)m] / tn[(int)m]);
    printf("  new predict %.1f us (%.2f x fwd), bwd with action values %.1f us (%.2f x bwd)\n",
           pn[(int)m] * 1e6, pn[(int)m] / fn[(int)m], qn[(int)m] * 1e6,
           qn[(int)m] / (tn[(int)m] - fn[(int)m]));
    return 0;
}
