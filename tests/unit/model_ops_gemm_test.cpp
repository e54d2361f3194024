// The GEMM kernels of src/model/ops.cpp (hand f32x4 micro-kernels in both builds) against a naive
// double-precision loop: odd sizes, T = 1 (KV-cache step), row strides wider than the row, bias, the
// transposed product with a scale, K deeper than one packing block.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "model/ops.h"
#include "model/safetensors.h"  // f16_to_f32

namespace {

struct Lcg {
    uint64_t s;
    float next() {  // uniform in [-1, 1)
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return (float)((s >> 40) & 0xFFFFFF) / 8388608.0f - 1.0f;
    }
};

std::vector<float> rnd(size_t n, uint64_t seed) {
    Lcg g{seed};
    std::vector<float> v(n);
    for (auto& x : v) x = g.next();
    return v;
}

// max |got - want| / (1 + |want|) over the [M, N] block; checks the padding columns are untouched.
void check(const std::vector<float>& got, const std::vector<double>& want, int M, int N, int ldo, float pad,
           const char* what) {
    double worst = 0;
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < ldo; j++) {
            float g = got[(size_t)i * ldo + j];
            if (j >= N) { ASSERT_EQ(g, pad) << what << ": wrote outside [M, N] at " << i << "," << j; continue; }
            double w = want[(size_t)i * N + j];
            worst = std::max(worst, std::fabs(g - w) / (1.0 + std::fabs(w)));
        }
    }
    EXPECT_LT(worst, 2e-5) << what << " M=" << M << " N=" << N;
}

struct Shape { int M, K, N; };

const Shape kShapes[] = {
    {1, 1, 1},   {1, 128, 384}, {1, 128, 4096}, {2, 7, 5},     {3, 33, 17},   {4, 8, 8},     {5, 9, 13},
    {7, 128, 128}, {16, 128, 512}, {17, 512, 128}, {64, 32, 64}, {33, 64, 31}, {13, 300, 9}, {64, 768, 2304},
    {9, 3072, 20}, {128, 128, 100}, {6, 1, 11},
};

TEST(ModelOpsGemm, MatmulMatchesNaive) {
    for (const Shape& s : kShapes) {
        for (int with_bias = 0; with_bias < 2; with_bias++) {
            const int M = s.M, K = s.K, N = s.N, lda = K + 3, ldb = N + 5, ldo = N + 2;
            std::vector<float> a = rnd((size_t)M * lda, 1 + M), b = rnd((size_t)K * ldb, 2 + K), bias = rnd(N, 3 + N);
            const float pad = 12345.0f;
            std::vector<float> out((size_t)M * ldo, pad);
            matmul(out.data(), ldo, a.data(), lda, b.data(), ldb, with_bias ? bias.data() : nullptr, M, K, N);
            std::vector<double> want((size_t)M * N);
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++) {
                    double acc = with_bias ? bias[j] : 0.0;
                    for (int k = 0; k < K; k++) acc += (double)a[(size_t)i * lda + k] * b[(size_t)k * ldb + j];
                    want[(size_t)i * N + j] = acc;
                }
            check(out, want, M, N, ldo, pad, with_bias ? "matmul+bias" : "matmul");
        }
    }
}

TEST(ModelOpsGemm, MatmulBtMatchesNaive) {
    for (const Shape& s : kShapes) {
        for (float scale : {1.0f, 0.17677669f}) {
            const int M = s.M, K = s.K, N = s.N, lda = K + 1, ldb = K + 4, ldo = N + 3;
            std::vector<float> a = rnd((size_t)M * lda, 7 + M), b = rnd((size_t)N * ldb, 8 + N);
            const float pad = -777.0f;
            std::vector<float> out((size_t)M * ldo, pad);
            matmul_bt(out.data(), ldo, a.data(), lda, b.data(), ldb, scale, M, K, N);
            std::vector<double> want((size_t)M * N);
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++) {
                    double acc = 0.0;
                    for (int k = 0; k < K; k++) acc += (double)a[(size_t)i * lda + k] * b[(size_t)j * ldb + k];
                    want[(size_t)i * N + j] = scale * acc;
                }
            check(out, want, M, N, ldo, pad, scale == 1.0f ? "matmul_bt" : "matmul_bt scaled");
        }
    }
}

// The forward pass writes head outputs into column slices of a wider matrix and reads
// overlapping views; the kernel must only touch out[0..M, 0..N) with stride ldo.
TEST(ModelOpsGemm, ColumnSliceOfWiderOutput) {
    const int M = 10, K = 12, N = 32, C = 128;
    std::vector<float> a = rnd((size_t)M * K, 11), b = rnd((size_t)K * N, 12);
    std::vector<float> out((size_t)M * C, 5.0f);
    matmul(out.data() + 2 * N, C, a.data(), K, b.data(), N, nullptr, M, K, N);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < C; j++) {
            float g = out[(size_t)i * C + j];
            if (j < 2 * N || j >= 3 * N) { ASSERT_EQ(g, 5.0f); continue; }
            double acc = 0;
            for (int k = 0; k < K; k++) acc += (double)a[(size_t)i * K + k] * b[(size_t)k * N + (j - 2 * N)];
            ASSERT_NEAR(g, acc, 1e-5 * (1 + std::fabs(acc)));
        }
}

// Weights packed at load (pack_weights + matmul_packed) give matmul's sums in matmul's order: bit for bit
// from 4 rows on (the same kernel on the same panels), and for 1-3 rows up to the scalar tail columns'
// rounding; the LM head's transposed packing gives matmul_bt's (scale 1) bit for bit from 16 rows on, and
// matmul_bt_packed at every row count.
TEST(ModelOpsGemm, PackedWeightsGiveTheSameProducts) {
    if (packed_floats(8, 8) == 0) GTEST_SKIP() << "this build (" << matmul_backend() << ") does not pack";
    for (const Shape& s : kShapes) {
        for (int bt = 0; bt < 2; bt++) {
            const int M = s.M, K = s.K, N = s.N, lda = K + 3, ldb = (bt ? K : N) + 5, ldo = N + 2;
            std::vector<float> a = rnd((size_t)M * lda, 21 + M), b = rnd((size_t)(bt ? N : K) * ldb, 22 + K);
            std::vector<float> bias = rnd(N, 23 + N), packed(packed_floats(K, N), -1.0f);
            ASSERT_EQ(packed.size(), (size_t)(N + 15) / 16 * 16 * K);
            pack_weights(packed.data(), b.data(), ldb, bt, K, N);
            const float pad = 4321.0f;
            std::vector<float> got((size_t)M * ldo, pad), want((size_t)M * ldo, pad);
            const float* with_bias = bt ? nullptr : bias.data();
            matmul_packed(got.data(), ldo, a.data(), lda, packed.data(), with_bias, M, K, N);
            if (bt) matmul_bt(want.data(), ldo, a.data(), lda, b.data(), ldb, 1.0f, M, K, N);
            else matmul(want.data(), ldo, a.data(), lda, b.data(), ldb, with_bias, M, K, N);
            const bool exact = bt ? M >= 16 : M >= 4;
            for (size_t i = 0; i < got.size(); i++) {
                if (exact || got[i] == pad) ASSERT_EQ(got[i], want[i]) << (bt ? "bt " : "") << M << "x" << K << "x" << N << " at " << i;
                else ASSERT_NEAR(got[i], want[i], 2e-5 * (1 + std::fabs(want[i]))) << (bt ? "bt " : "") << M << "x" << K << "x" << N;
            }
            if (!bt) continue;
            std::fill(got.begin(), got.end(), pad);
            matmul_bt_packed(got.data(), ldo, a.data(), lda, b.data(), ldb, packed.data(), M, K, N);
            ASSERT_EQ(got, want) << "matmul_bt_packed " << M << "x" << K << "x" << N;
        }
    }
}

// F16 weights are converted exactly as they are read: every finite half times 1, through the one-row loop,
// the packed kernel (M = 4) and the transposed products, equals the scalar f16_to_f32 bit for bit.
TEST(ModelOpsGemm, EveryFiniteHalfConvertsExactly) {
    std::vector<uint16_t> halves;
    for (int h = 0; h < 65536; h++)
        if ((h & 0x7c00) != 0x7c00) halves.push_back((uint16_t)h);  // not inf / NaN
    const int N = (int)halves.size();
    for (int M : {1, 4}) {
        std::vector<float> ones(M, 1.0f), out((size_t)M * N);
        matmul_f16(out.data(), N, ones.data(), 1, halves.data(), N, nullptr, M, 1, N);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                ASSERT_EQ(out[(size_t)i * N + j], f16_to_f32(halves[j])) << "M = " << M << std::hex << ", half " << halves[j];
        matmul_bt_f16(out.data(), N, ones.data(), 1, halves.data(), 1, 1.0f, M, 1, N);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                ASSERT_EQ(out[(size_t)i * N + j], f16_to_f32(halves[j])) << "bt, M = " << M << std::hex << ", half " << halves[j];
    }
}

// The FMA build fuses: (1 + 2^-12)^2 - 1 is 2^-11 + 2^-24 exactly when the multiply-add rounds once, and
// 2^-11 when the product rounds first (its 2^-24 is half an ulp of 1: a tie, to even). Every other build
// rounds twice: the same algorithm as the native build, so the two WASM builds can be told apart.
TEST(ModelOpsGemm, FusedMultiplyAddOnlyInTheFmaBuild) {
    const bool fused = std::string(matmul_backend()).find("fused") != std::string::npos;
    const float x = 1.0f + 0x1p-12f, want = fused ? 0x1p-11f + 0x1p-24f : 0x1p-11f;
    for (int M : {1, 4}) {                                       // the one-row loop and the packed kernel
        std::vector<float> a(M, x), b(8, x), bias(8, -1.0f), out((size_t)M * 8);
        matmul(out.data(), 8, a.data(), 1, b.data(), 8, bias.data(), M, 1, 8);
        for (float v : out) ASSERT_EQ(v, want) << "M = " << M << (fused ? " (fused)" : "");
    }
}

TEST(ModelOpsGemm, BackendNamed) {
    std::string name = matmul_backend();
    EXPECT_FALSE(name.empty());
#if defined(__wasm_simd128__) || defined(__SSE2__)
    EXPECT_NE(name.find("f32x4"), std::string::npos) << name;
#endif
}

}  // namespace
