// The machine's multiply-add peak, measured: the denominator of the trainer benchmark's "share of peak".
#include <chrono>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "train/train.h"

// 8-float vectors (GCC vector extension): with -march=native, a*b+c compiles to the widest FMA the host
// has. 12 independent chains hide the FMA latency; the loop body has no loads or stores.
typedef float v8 __attribute__((vector_size(32)));

static double fma_loop(long iters) {
    v8 acc[12];
    for (int j = 0; j < 12; j++) acc[j] = (v8){} + 0.001f * j;
    const v8 a = (v8){} + 0.999999f, b = (v8){} + 1e-7f;
    for (long i = 0; i < iters; i++)
        for (int j = 0; j < 12; j++) acc[j] = acc[j] * a + b;
    float s = 0.0f;
    for (int j = 0; j < 12; j++)
        for (int k = 0; k < 8; k++) s += acc[j][k];
    return s;
}

double train_peak_gflops(int threads, double seconds) {
    const long iters = 2000000;                                   // 2M x 12 x 8 x 2 = 384 MFLOP a call
    double best = 0.0, sink = 0.0;
    const auto t_end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < t_end) {
        auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel for num_threads(threads) schedule(static, 1) reduction(+ : sink)
        for (int t = 0; t < threads; t++) sink += fma_loop(iters);
        double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double gflops = threads * (double)iters * 12 * 8 * 2 / dt * 1e-9;
        if (gflops > best) best = gflops;
    }
    return sink == 12345.678 ? -1.0 : best;                      // keep the loops alive
}
