/*
 * Standalone correctness test + benchmark of the native kernel (not built by Maven).
 *   bash run.sh            # build + test + bench (see run.sh)
 * Correctness: every ISA path against a double-precision naive reference on random shapes (predict,
 * and backward with and without action values).
 * Bench: best-of-N wall time of forward+backward, GFLOP/s counted as 4*B*d*n.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../kernel.h"

int rk_harness_max_isa(void);
const void *rk_harness_impl(int isa, int which);
float *rk_harness_scratch(size_t n);

static const char *isa_name[] = {"portable", "avx2", "avx512"};
static rk_scratch_fn fwd_scr[] = {rk_forward_scratch_portable, rk_forward_scratch_avx2, rk_forward_scratch_avx512};
static rk_scratch_fn bwd_scr[] = {rk_backward_scratch_portable, rk_backward_scratch_avx2, rk_backward_scratch_avx512};

static unsigned long long rng = 88172645463325252ULL;
static double urand(void) { /* [0,1) */
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (rng >> 11) * (1.0 / 9007199254740992.0);
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

/* max |got - ref| / max|ref| over an array; NaN/inf in got -> 1e30 */
static double relerr(const float *got, const double *ref, long cnt, double floor) {
    double mx = floor, e = 0;
    for (long i = 0; i < cnt; i++) mx = fmax(mx, fabs(ref[i]));
    for (long i = 0; i < cnt; i++) {
        if (!isfinite(got[i])) return 1e30;
        e = fmax(e, fabs(got[i] - ref[i]));
    }
    return e / mx;
}

/* use_q: backward with action values q from predict with a reward model (random, rewards of
 * magnitude ~3 whatever the logits' scale), and the reference's g gets p (q - p.q). */
static int test_case(int isa, int B, int d, int n, double logit_scale, float beta, int stride, int off, int repeat_act, int use_q) {
    const int P = n * d + n + 7; /* params: W at 3, bias after */
    const int wo = 3, bo = 3 + n * d;
    float *x = malloc(sizeof(float) * (B * (size_t)d + 1)), *params = malloc(sizeof(float) * P);
    int *act = malloc(sizeof(int) * ((size_t)B * stride + off + 1));
    float *probs = malloc(sizeof(float) * (size_t)B * n), *logp = malloc(4 * B), *ent = malloc(4 * B), *coef = malloc(4 * B);
    const int G = n * d + n + 11, gwo = 5 + n, gbo = 2;
    float *grad = malloc(sizeof(float) * G);
    double *zr = malloc(8 * (size_t)B * n), *pr = malloc(8 * (size_t)B * n), *lpr = malloc(8 * B), *hr = malloc(8 * B);
    double *gr = malloc(8 * (size_t)B * n), *gwr = malloc(8 * ((size_t)n * d + 1)), *gbr = malloc(8 * n);
    /* Large logits: inputs on a coarse grid so that the float32 logits are exact and the
     * comparison measures the kernel, not the conditioning of float32 x.W at |z| ~ 1e4. */
    const int exact = logit_scale > 100;
    for (long i = 0; i < (long)B * d; i++) x[i] = exact ? (float)(floor(urand() * 5) * 0.5 - 1) : (float)(urand() * 2 - 1);
    for (int i = 0; i < P; i++) {
        double v = (urand() * 2 - 1) * logit_scale / sqrt(d + 1.0);
        params[i] = exact ? (float)(round(v * 4) / 4) : (float)v;
    }
    float *model = malloc(sizeof(float) * P);
    double *qr = malloc(8 * (size_t)B * n);
    for (int i = 0; i < P; i++) model[i] = (float)((urand() * 2 - 1) * 3 / sqrt(d + 1.0));
    for (int i = 0; i < B; i++)
        for (int a = 0; a < n; a++) {
            double v = model[bo + a];
            for (int j = 0; j < d; j++) v += (double)x[i * d + j] * model[wo + a * d + j];
            qr[(long)i * n + a] = v;
        }
    for (int i = 0; i < B * stride + off + 1; i++) act[i] = -1;
    for (int i = 0; i < B; i++) act[off + i * stride] = repeat_act ? (int)(i % 2) : (int)(urand() * n);
    for (int i = 0; i < B; i++) coef[i] = (float)(urand() * 4 - 2);
    for (int i = 0; i < G; i++) grad[i] = 12345.0f; /* must be overwritten */
    const float scale = 0.37f;

    /* reference */
    for (int i = 0; i < B; i++) {
        double mx = -INFINITY;
        for (int a = 0; a < n; a++) {
            double z = params[bo + a];
            for (int j = 0; j < d; j++) z += (double)x[i * d + j] * params[wo + a * d + j];
            zr[(long)i * n + a] = z;
            mx = fmax(mx, z);
        }
        double s = 0;
        for (int a = 0; a < n; a++) s += exp(zr[(long)i * n + a] - mx);
        double ls = log(s), h = 0;
        for (int a = 0; a < n; a++) {
            double lp = zr[(long)i * n + a] - mx - ls, p = exp(lp);
            pr[(long)i * n + a] = p;
            if (p > 0) h -= p * lp;
        }
        hr[i] = h;
        lpr[i] = zr[(long)i * n + act[off + i * stride]] - mx - ls;
        for (int a = 0; a < n; a++) {
            double p = pr[(long)i * n + a], lp = zr[(long)i * n + a] - mx - ls;
            double g = coef[i] * ((a == act[off + i * stride]) - p);
            if (p > 0) g += beta * (-p * (lp + h));
            if (use_q) {
                double s = 0;
                for (int b = 0; b < n; b++) s += pr[(long)i * n + b] * qr[(long)i * n + b];
                g += p * (qr[(long)i * n + a] - s);
            }
            gr[(long)i * n + a] = g;
        }
    }
    for (int a = 0; a < n; a++) {
        double sb = 0;
        for (int i = 0; i < B; i++) sb += gr[(long)i * n + a];
        gbr[a] = scale * sb;
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int i = 0; i < B; i++) s += gr[(long)i * n + a] * x[i * d + j];
            gwr[a * d + j] = scale * s;
        }
    }

    rk_forward_fn fw = (rk_forward_fn)rk_harness_impl(isa, 0);
    rk_backward_fn bw = (rk_backward_fn)rk_harness_impl(isa, 1);
    rk_predict_fn pd = (rk_predict_fn)rk_harness_impl(isa, 2);
    float *q = malloc(sizeof(float) * (size_t)B * n);
    pd(B, d, n, x, model + wo, model + bo, q, rk_harness_scratch(fwd_scr[isa](B, d, n)));
    double e_q = relerr(q, qr, (long)B * n, 1.0);
    fw(B, d, n, x, params + wo, params + bo, act + off, stride, probs, logp, ent, rk_harness_scratch(fwd_scr[isa](B, d, n)));
    /* probs / g / gradients: relative to the array's max magnitude; log p and H (nats): absolute
     * below magnitude 1 */
    double e_p = relerr(probs, pr, (long)B * n, 1e-30), e_lp = relerr(logp, lpr, B, 1.0), e_h = relerr(ent, hr, B, 1.0);
    /* feed the kernel's own probs/entropy into backward (as Java does) */
    bw(B, d, n, x, act + off, stride, probs, use_q ? q : NULL, coef, beta, ent, scale, grad + gwo, grad + gbo, rk_harness_scratch(bwd_scr[isa](B, d, n)));
    /* with q, the error of the term p (q - p.q) scales with |q| (~3) even where the term cancels
     * (p = 1 at the chosen action): no longer relative to tiny gradients */
    const double gfl = use_q ? 1.0 : 1e-30;
    double e_g = relerr(probs, gr, (long)B * n, gfl), e_w = d ? relerr(grad + gwo, gwr, (long)n * d, gfl) : 0,
           e_b = relerr(grad + gbo, gbr, n, gfl);
    int untouched = 0;
    for (int i = 0; i < gbo; i++) untouched |= grad[i] != 12345.0f;
    for (int i = gbo + n; i < gwo; i++) untouched |= grad[i] != 12345.0f;
    for (int i = gwo + n * d; i < G; i++) untouched |= grad[i] != 12345.0f;
    double worst = fmax(fmax(fmax(fmax(e_p, e_lp), fmax(e_h, e_g)), fmax(e_w, e_b)), e_q);
    int ok = worst < 1e-4 && !untouched;
    if (!ok || getenv("VERBOSE"))
        printf("%s %-8s B=%d d=%d n=%d scale=%g beta=%g stride=%d off=%d rep=%d q=%d: p %.1e logp %.1e H %.1e g %.1e gW %.1e gb %.1e predict %.1e%s\n",
               ok ? "ok  " : "FAIL", isa_name[isa], B, d, n, logit_scale, beta, stride, off, repeat_act, use_q, e_p, e_lp, e_h, e_g, e_w, e_b, e_q,
               untouched ? " (wrote outside its region)" : "");
    free(x); free(params); free(act); free(probs); free(logp); free(ent); free(coef); free(grad); free(q); free(model);
    free(qr); free(zr); free(pr); free(lpr); free(hr); free(gr); free(gwr); free(gbr);
    return ok;
}

static void bench(int isa, int B, int d, int n, float beta, double min_time, double *gf_total, double *gf_fwd, double *gf_bwd) {
    float *x = malloc(4 * (size_t)B * d + 4), *params = malloc(4 * ((size_t)n * d + n)), *probs = malloc(4 * (size_t)B * n);
    float *logp = malloc(4 * B), *ent = malloc(4 * B), *coef = malloc(4 * B), *grad = malloc(4 * ((size_t)n * d + n));
    int *act = malloc(4 * B);
    for (long i = 0; i < (long)B * d; i++) x[i] = (float)(urand() * 2 - 1);
    for (long i = 0; i < (long)n * d + n; i++) params[i] = (float)((urand() * 2 - 1) / sqrt(d + 1.0));
    for (int i = 0; i < B; i++) { act[i] = (int)(urand() * n); coef[i] = (float)(urand() * 2 - 1); }
    rk_forward_fn fw = (rk_forward_fn)rk_harness_impl(isa, 0);
    rk_backward_fn bw = (rk_backward_fn)rk_harness_impl(isa, 1);
    float *sf = rk_harness_scratch(fwd_scr[isa](B, d, n) + bwd_scr[isa](B, d, n));
    double bf = 1e30, bb = 1e30, bt = 1e30, t_start = now();
    int reps = 0;
    while (reps < 5 || now() - t_start < min_time) {
        double t0 = now();
        fw(B, d, n, x, params, params + (long)n * d, act, 1, probs, logp, ent, sf);
        double t1 = now();
        bw(B, d, n, x, act, 1, probs, NULL, coef, beta, ent, 1.0f / B, grad, grad + (long)n * d, sf);
        double t2 = now();
        bf = fmin(bf, t1 - t0); bb = fmin(bb, t2 - t1); bt = fmin(bt, t2 - t0);
        reps++;
    }
    double fl = 2.0 * B * d * n;
    *gf_total = 2 * fl / bt / 1e9; *gf_fwd = fl / bf / 1e9; *gf_bwd = fl / bb / 1e9;
    free(x); free(params); free(probs); free(logp); free(ent); free(coef); free(grad); free(act);
}

int main(int argc, char **argv) {
    const int maxisa = rk_harness_max_isa();
    int do_test = 1, do_bench = 1, only_isa = -1;
    double min_time = 1.0;
    int shape[3] = {0, 0, 0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "test")) do_bench = 0;
        else if (!strcmp(argv[i], "bench")) do_test = 0;
        else if (!strncmp(argv[i], "isa=", 4)) only_isa = atoi(argv[i] + 4);
        else if (!strncmp(argv[i], "time=", 5)) min_time = atof(argv[i] + 5);
        else if (!strncmp(argv[i], "shape=", 6)) sscanf(argv[i] + 6, "%d,%d,%d", &shape[0], &shape[1], &shape[2]);
    }
    printf("max ISA on this CPU: %d (%s)\n", maxisa, isa_name[maxisa]);
    int fails = 0, total = 0;
    if (do_test) {
        static const int shapes[][3] = {{1, 0, 2}, {1, 1, 2}, {1, 5, 3}, {3, 0, 7}, {2, 3, 2}, {7, 13, 17}, {9, 16, 16}, {17, 33, 31},
                                        {5, 31, 65}, {33, 17, 100}, {64, 64, 10}, {100, 7, 1000}, {257, 129, 33}, {300, 40, 257},
                                        {513, 3, 5}, {1, 200, 1001}, {16, 48, 96}, {11, 100, 3}, {40, 1, 129}};
        for (int isa = 0; isa <= maxisa; isa++) {
            if (only_isa >= 0 && isa != only_isa) continue;
            for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                for (int v = 0; v < 12; v++) {
                    const int u = v % 6;
                    double ls = u == 2 ? 1e4 : u == 3 ? 3e4 : 3.0;
                    float beta = (u & 1) ? 0.01f : 0.0f;
                    int stride = u >= 4 ? 3 : 1, off = u >= 4 ? 2 : 0;
                    fails += !test_case(isa, shapes[s][0], shapes[s][1], shapes[s][2], ls, beta, stride, off, v % 6 == 5, v >= 6);
                    total++;
                }
            for (int r = 0; r < 40; r++) { /* random shapes */
                int B = 1 + (int)(urand() * 300), d = (int)(urand() * 150), n = 2 + (int)(urand() * 400);
                fails += !test_case(isa, B, d, n, urand() < 0.2 ? 1e4 : 4.0, urand() < 0.5 ? 0.01f : 0.0f, 1 + (int)(urand() * 3), (int)(urand() * 3), urand() < 0.2, urand() < 0.5);
                total++;
            }
        }
        printf("correctness: %d/%d cases passed (tolerance 1e-4 relative to the output's max magnitude)\n", total - fails, total);
    }
    if (do_bench) {
        static const int bs[][3] = {{256, 32, 10}, {512, 64, 100}, {1024, 128, 1000}, {2048, 256, 10000}};
        printf("%-8s %-18s %10s %10s %10s %12s\n", "isa", "B x d x n", "fwd+bwd", "fwd", "bwd", "fwd+bwd b=.01");
        for (unsigned s = 0; s < sizeof bs / sizeof bs[0]; s++)
            for (int isa = maxisa; isa >= 0; isa--) {
                if (only_isa >= 0 && isa != only_isa) continue;
                if (shape[0] && (shape[0] != bs[s][0] || shape[1] != bs[s][1] || shape[2] != bs[s][2])) continue;
                double t, f, b, t2, f2, b2;
                bench(isa, bs[s][0], bs[s][1], bs[s][2], 0.0f, min_time, &t, &f, &b);
                bench(isa, bs[s][0], bs[s][1], bs[s][2], 0.01f, min_time, &t2, &f2, &b2);
                char shp[64];
                snprintf(shp, sizeof shp, "%dx%dx%d", bs[s][0], bs[s][1], bs[s][2]);
                printf("%-8s %-18s %10.1f %10.1f %10.1f %12.1f   GFLOP/s\n", isa_name[isa], shp, t, f, b, t2);
                fflush(stdout);
            }
    }
    return fails != 0;
}
