/*
 * Native REINFORCE gradient kernel: shared declarations.
 *
 * kernel_body.h is compiled once per ISA (kernel_portable.c, kernel_avx2.c,
 * kernel_avx512.c), each defining the vector layer and a symbol suffix; dispatch.c
 * holds the JNI entry points, CPU detection and thread-local scratch memory.
 */
#ifndef RK_KERNEL_H
#define RK_KERNEL_H

#include <stddef.h>

#define RK_ISA_PORTABLE 0
#define RK_ISA_AVX2 1
#define RK_ISA_AVX512 2

/* The best RK_ISA_* path this CPU supports (detected once, dispatch.c); not exported. */
__attribute__((visibility("hidden"))) int rk_max_isa(void);

/* Scratch (in floats, 64-byte aligned by the caller) needed by forward (and predict) / backward. */
typedef size_t (*rk_scratch_fn)(int batch, int features, int actions);

/*
 * Forward. x: B x d row-major; w: n x d row-major; bias: n; act: chosen action of row i at
 * act[i * astride]; probs: B x n (out); logp, ent: B (out).
 */
typedef void (*rk_forward_fn)(int batch, int features, int actions, const float *x,
                              const float *w, const float *bias, const int *act, long astride,
                              float *probs, float *logp, float *ent, float *scratch);

/*
 * Predict (forward's scratch). x: B x d row-major; w: n x d row-major; bias: n; out: B x n
 * (out), out = X W^T + b.
 */
typedef void (*rk_predict_fn)(int batch, int features, int actions, const float *x,
                              const float *w, const float *bias, float *out, float *scratch);

/*
 * Backward. probs (B x n) is overwritten with g; gw (n x d) and gb (n) are overwritten with
 * scale * G^T X and scale * column sums of G. values: the action values q (B x n, read only)
 * whose term p (q - p.q) g gets, or NULL for none.
 */
typedef void (*rk_backward_fn)(int batch, int features, int actions, const float *x,
                               const int *act, long astride, float *probs, const float *values,
                               const float *coef, float beta, const float *ent, float scale,
                               float *gw, float *gb, float *scratch);

#define RK_DECLARE(sfx)                                                                      \
    size_t rk_forward_scratch_##sfx(int, int, int);                                          \
    size_t rk_backward_scratch_##sfx(int, int, int);                                         \
    void rk_forward_##sfx(int, int, int, const float *, const float *, const float *,        \
                          const int *, long, float *, float *, float *, float *);            \
    void rk_predict_##sfx(int, int, int, const float *, const float *, const float *,        \
                          float *, float *);                                                 \
    void rk_backward_##sfx(int, int, int, const float *, const int *, long, float *,         \
                           const float *, const float *, float, const float *, float,        \
                           float *, float *, float *);

RK_DECLARE(portable)
#if defined(__x86_64__) || defined(__i386__)
RK_DECLARE(avx2)
RK_DECLARE(avx512)
#endif

#endif
