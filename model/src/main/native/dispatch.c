/*
 * JNI entry points of org.flinkreinforce.model.kernel.NativeKernel, ISA dispatch and
 * thread-local scratch. Compiled for the baseline ISA.
 */
#include <jni.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "kernel.h"

/* ------------------------------------------------------------- ISA detection */

static int rk_detect_isa(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    /* __builtin_cpu_supports also checks that the OS saves the ymm / zmm state (XCR0). */
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        return RK_ISA_AVX512;
    if (avx2) return RK_ISA_AVX2;
#endif
    return RK_ISA_PORTABLE;
}

static pthread_once_t rk_isa_once = PTHREAD_ONCE_INIT;
static int rk_isa_max = RK_ISA_PORTABLE;
static void rk_isa_init(void) { rk_isa_max = rk_detect_isa(); }

int rk_max_isa(void) {
    pthread_once(&rk_isa_once, rk_isa_init);
    return rk_isa_max;
}

/* Clamp a requested ISA to what this CPU supports (never execute an illegal instruction). */
static int rk_clamp_isa(int isa) {
    const int max = rk_max_isa();
    if (isa > max) isa = max;
    if (isa < RK_ISA_PORTABLE) isa = RK_ISA_PORTABLE;
    return isa;
}

typedef struct {
    rk_scratch_fn fwd_scratch, bwd_scratch;
    rk_forward_fn forward;
    rk_backward_fn backward;
    rk_predict_fn predict;
} rk_impl;

static const rk_impl rk_impls[] = {
    {rk_forward_scratch_portable, rk_backward_scratch_portable, rk_forward_portable,
     rk_backward_portable, rk_predict_portable},
#if defined(__x86_64__) || defined(__i386__)
    {rk_forward_scratch_avx2, rk_backward_scratch_avx2, rk_forward_avx2, rk_backward_avx2,
     rk_predict_avx2},
    {rk_forward_scratch_avx512, rk_backward_scratch_avx512, rk_forward_avx512, rk_backward_avx512,
     rk_predict_avx512},
#endif
};

/* ------------------------------------------------------ thread-local scratch */

typedef struct {
    float *buf;
    size_t cap; /* floats */
} rk_scratch;

static pthread_key_t rk_key;
static pthread_once_t rk_key_once = PTHREAD_ONCE_INIT;
static int rk_key_ok = 0;

static void rk_scratch_free(void *p) {
    rk_scratch *s = (rk_scratch *)p;
    if (s) {
        free(s->buf);
        free(s);
    }
}
static void rk_key_init(void) { rk_key_ok = pthread_key_create(&rk_key, rk_scratch_free) == 0; }

/* A 64-byte aligned buffer of at least n floats owned by the calling thread; NULL on failure. */
static float *rk_scratch_get(size_t n) {
    static float dummy[16] __attribute__((aligned(64)));
    if (n == 0) return dummy;
    pthread_once(&rk_key_once, rk_key_init);
    if (!rk_key_ok) return NULL;
    rk_scratch *s = (rk_scratch *)pthread_getspecific(rk_key);
    if (!s) {
        s = (rk_scratch *)calloc(1, sizeof *s);
        if (!s) return NULL;
        if (pthread_setspecific(rk_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    if (s->cap < n) {
        size_t cap = n + n / 4 + 1024;
        size_t bytes = (cap * sizeof(float) + 63) & ~(size_t)63;
        void *p = aligned_alloc(64, bytes);
        if (!p) return NULL;
        free(s->buf);
        s->buf = (float *)p;
        s->cap = cap;
    }
    return s->buf;
}

/* ---------------------------------------------------------------- JNI glue */

#define JNIFN(ret, name) JNIEXPORT ret JNICALL Java_org_flinkreinforce_model_kernel_NativeKernel_##name

JNIFN(jint, maxIsa0)(JNIEnv *env, jclass cls) {
    (void)env;
    (void)cls;
    return rk_max_isa();
}

JNIFN(void, forward0)(JNIEnv *env, jclass cls, jint isa, jint batch, jint features,
                      jint actions, jfloatArray x, jfloatArray params, jint weightOffset,
                      jint biasOffset, jintArray chosen, jint actionOffset, jint actionStride,
                      jfloatArray probs, jfloatArray logProbChosen, jfloatArray entropy) {
    (void)cls;
    if (batch <= 0 || actions <= 0 || features < 0) return;
    const rk_impl *impl = &rk_impls[rk_clamp_isa(isa)];
    float *scratch = rk_scratch_get(impl->fwd_scratch(batch, features, actions));
    if (!scratch) return;
    float *px = NULL, *pp = NULL, *ppr = NULL, *plp = NULL, *pe = NULL;
    int *pa = NULL;
    if (!(px = (*env)->GetPrimitiveArrayCritical(env, x, NULL))) goto out;
    if (!(pp = (*env)->GetPrimitiveArrayCritical(env, params, NULL))) goto out;
    if (!(pa = (*env)->GetPrimitiveArrayCritical(env, chosen, NULL))) goto out;
    if (!(ppr = (*env)->GetPrimitiveArrayCritical(env, probs, NULL))) goto out;
    if (!(plp = (*env)->GetPrimitiveArrayCritical(env, logProbChosen, NULL))) goto out;
    if (!(pe = (*env)->GetPrimitiveArrayCritical(env, entropy, NULL))) goto out;
    impl->forward(batch, features, actions, px, pp + weightOffset, pp + biasOffset,
                  pa + actionOffset, actionStride, ppr, plp, pe, scratch);
out:
    if (pe) (*env)->ReleasePrimitiveArrayCritical(env, entropy, pe, 0);
    if (plp) (*env)->ReleasePrimitiveArrayCritical(env, logProbChosen, plp, 0);
    if (ppr) (*env)->ReleasePrimitiveArrayCritical(env, probs, ppr, 0);
    if (pa) (*env)->ReleasePrimitiveArrayCritical(env, chosen, pa, JNI_ABORT);
    if (pp) (*env)->ReleasePrimitiveArrayCritical(env, params, pp, JNI_ABORT);
    if (px) (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
}

JNIFN(void, predict0)(JNIEnv *env, jclass cls, jint isa, jint batch, jint features,
                      jint actions, jfloatArray x, jfloatArray model, jint weightOffset,
                      jint biasOffset, jfloatArray actionValues) {
    (void)cls;
    if (batch <= 0 || actions <= 0 || features < 0) return;
    const rk_impl *impl = &rk_impls[rk_clamp_isa(isa)];
    float *scratch = rk_scratch_get(impl->fwd_scratch(batch, features, actions));
    if (!scratch) return;
    float *px = NULL, *pm = NULL, *pq = NULL;
    if (!(px = (*env)->GetPrimitiveArrayCritical(env, x, NULL))) goto out;
    if (!(pm = (*env)->GetPrimitiveArrayCritical(env, model, NULL))) goto out;
    if (!(pq = (*env)->GetPrimitiveArrayCritical(env, actionValues, NULL))) goto out;
    impl->predict(batch, features, actions, px, pm + weightOffset, pm + biasOffset, pq, scratch);
out:
    if (pq) (*env)->ReleasePrimitiveArrayCritical(env, actionValues, pq, 0);
    if (pm) (*env)->ReleasePrimitiveArrayCritical(env, model, pm, JNI_ABORT);
    if (px) (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
}

/* actionValues: null when the batch has no reward model. */
JNIFN(void, backward0)(JNIEnv *env, jclass cls, jint isa, jint batch, jint features,
                       jint actions, jfloatArray x, jintArray chosen, jint actionOffset,
                       jint actionStride, jfloatArray probs, jfloatArray actionValues,
                       jfloatArray coefficients, jfloat entropyBonus, jfloatArray entropy,
                       jfloat scale, jfloatArray gradient, jint weightOffset, jint biasOffset) {
    (void)cls;
    if (batch <= 0 || actions <= 0 || features < 0) return;
    const rk_impl *impl = &rk_impls[rk_clamp_isa(isa)];
    float *scratch = rk_scratch_get(impl->bwd_scratch(batch, features, actions));
    if (!scratch) return;
    float *px = NULL, *ppr = NULL, *pq = NULL, *pc = NULL, *pe = NULL, *pg = NULL;
    int *pa = NULL;
    if (!(px = (*env)->GetPrimitiveArrayCritical(env, x, NULL))) goto out;
    if (!(pa = (*env)->GetPrimitiveArrayCritical(env, chosen, NULL))) goto out;
    if (!(ppr = (*env)->GetPrimitiveArrayCritical(env, probs, NULL))) goto out;
    if (actionValues && !(pq = (*env)->GetPrimitiveArrayCritical(env, actionValues, NULL)))
        goto out;
    if (!(pc = (*env)->GetPrimitiveArrayCritical(env, coefficients, NULL))) goto out;
    if (!(pe = (*env)->GetPrimitiveArrayCritical(env, entropy, NULL))) goto out;
    if (!(pg = (*env)->GetPrimitiveArrayCritical(env, gradient, NULL))) goto out;
    impl->backward(batch, features, actions, px, pa + actionOffset, actionStride, ppr, pq, pc,
                   entropyBonus, pe, scale, pg + weightOffset, pg + biasOffset, scratch);
out:
    if (pg) (*env)->ReleasePrimitiveArrayCritical(env, gradient, pg, 0);
    if (pe) (*env)->ReleasePrimitiveArrayCritical(env, entropy, pe, JNI_ABORT);
    if (pc) (*env)->ReleasePrimitiveArrayCritical(env, coefficients, pc, JNI_ABORT);
    if (pq) (*env)->ReleasePrimitiveArrayCritical(env, actionValues, pq, JNI_ABORT);
    if (ppr) (*env)->ReleasePrimitiveArrayCritical(env, probs, ppr, 0);
    if (pa) (*env)->ReleasePrimitiveArrayCritical(env, chosen, pa, JNI_ABORT);
    if (px) (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
}

/* For the standalone harness (not used by Java). */
int rk_harness_max_isa(void) { return rk_max_isa(); }
const void *rk_harness_impl(int isa, int which) {
    const rk_impl *impl = &rk_impls[rk_clamp_isa(isa)];
    return which == 0 ? (const void *)impl->forward
           : which == 1 ? (const void *)impl->backward
                        : (const void *)impl->predict;
}
float *rk_harness_scratch(size_t n) { return rk_scratch_get(n); }
