/*
 * ISA-generic body of Adam's loop and the sum of squares. Included by optim.c once per ISA after
 * it defines: SFX (symbol suffix), TARGET (the function attribute), DW (doubles per vector), VD
 * (a vector of DW doubles), VF (a vector of DW floats), d_load (DW floats widened), d_set1,
 * d_zero, d_add, d_sub, d_mul, d_div, d_sqrt, d_store, f_narrow (DW doubles rounded to floats),
 * f_zero, f_add, f_mul, f_store; it undefines them all at its end.
 */
#define RK_CAT_(a, b) a##b
#define RK_CAT(a, b) RK_CAT_(a, b)
#define FN(name) RK_CAT(name, SFX)

/* Adam's step for parameters 0 .. size - 1, DW at a time; returns 1 if a result is not finite. */
TARGET static int FN(rk_adam_)(const rk_adam *c, long size, const float *grad, const float *par,
                                const float *first, const float *second, float *parOut,
                                float *firstOut, float *secondOut) {
    const VD l2 = d_set1(c->l2), clip = d_set1(c->clip);
    const VD b1 = d_set1(c->beta1), a1 = d_set1(c->oneMinusBeta1);
    const VD b2 = d_set1(c->beta2), a2 = d_set1(c->oneMinusBeta2);
    const VD rate = d_set1(c->rate), isc2 = d_set1(c->inverseSqrtCorrection2);
    const VD eps = d_set1(c->epsilon);
    const VF zero = f_zero();
    VF bad = f_zero(); /* x * 0: 0 for finite x, NaN otherwise */
    long k = 0;
    for (; k + DW <= size; k += DW) {
        const VD g = d_load(grad + k), p = d_load(par + k);
        const VD f = d_load(first + k), s = d_load(second + k);
        const VD direction = d_mul(d_sub(g, d_mul(l2, p)), clip);
        const VD m = d_add(d_mul(b1, f), d_mul(a1, direction));
        const VD v = d_add(d_mul(b2, s), d_mul(d_mul(a2, direction), direction));
        const VD step = d_div(d_mul(rate, m), d_add(d_mul(d_sqrt(v), isc2), eps));
        const VF fo = f_narrow(m), so = f_narrow(v), po = f_narrow(d_add(p, step));
        f_store(firstOut + k, fo);
        f_store(secondOut + k, so);
        f_store(parOut + k, po);
        bad = f_add(bad, f_add(f_mul(fo, zero), f_add(f_mul(so, zero), f_mul(po, zero))));
    }
    float lanes[DW];
    f_store(lanes, bad);
    int nonFinite = 0;
    for (int l = 0; l < DW; l++) nonFinite |= lanes[l] != lanes[l];
    for (; k < size; k++)
        nonFinite |= rk_adam_one(c, grad[k], par[k], first[k], second[k], parOut + k,
                                 firstOut + k, secondOut + k);
    return nonFinite;
}

/* sum_k (g_k - l2 p_k)^2 as Optimizer.squares: lane j of 8 (in 8 / DW vectors) sums k = j mod 8,
 * tails into their lanes, then ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7)). */
TARGET static double FN(rk_squares_)(long size, const float *grad, const float *par, double l2) {
    const VD vl2 = d_set1(l2);
    VD acc[8 / DW];
    for (int j = 0; j < 8 / DW; j++) acc[j] = d_zero();
    long k = 0;
    for (; k + 8 <= size; k += 8) {
        for (int j = 0; j < 8 / DW; j++) {
            const VD d = d_sub(d_load(grad + k + j * DW), d_mul(vl2, d_load(par + k + j * DW)));
            acc[j] = d_add(acc[j], d_mul(d, d));
        }
    }
    double lanes[8];
    for (int j = 0; j < 8 / DW; j++) d_store(lanes + j * DW, acc[j]);
    for (; k < size; k++) {
        const double d = (double)grad[k] - l2 * (double)par[k];
        lanes[k & 7] += d * d;
    }
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
           ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

#undef FN
#undef RK_CAT
#undef RK_CAT_
#undef SFX
#undef TARGET
#undef DW
#undef VD
#undef VF
#undef d_load
#undef d_set1
#undef d_zero
#undef d_add
#undef d_sub
#undef d_mul
#undef d_div
#undef d_sqrt
#undef d_store
#undef f_narrow
#undef f_zero
#undef f_add
#undef f_mul
#undef f_store
