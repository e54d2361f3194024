// Model benchmark harness (not a test). One C entry point, bench_run(spec) -> JSON, shared by the
// native executable, the WASM build in node and the WASM build in Chromium (bench/model_bench.mjs,
// bench/model_bench_page.js), so all three time exactly the same code.
//
//   peak                      tight f32x4 multiply + add loop (12 dependent chains acc = acc * m + c)
//   peak_l1                   acc += x * b, b loaded from L1 each step (8 accumulators: the GEMM's mix)
//   peak_fma                  the peak loop with a fused multiply-add (f32x4.relaxed_madd; builds with
//                             -mrelaxed-simd only, else an error): 12 dependent chains acc = madd(acc, m, c)
//   peak_l1_fma               peak_l1 with a fused multiply-add (relaxed-SIMD builds only)
//   read MB                   single-thread memory read bandwidth: f32x4 loads summed (4 chains) over an
//                             MB-megabyte buffer, much larger than the caches ("flop" holds the bytes read)
//   gemm M K N bt             matmul / matmul_bt of src/model/ops.cpp on [M, K] x [K, N]
//   forward DIR T             model_forward, all-position logits + all attention weights
//   page DIR T                model_forward with the default capture (everything but the lens), all logits
//   app DIR T [VIEW]          model_forward with src/app/app.cpp's options for VIEW (predict: the default
//                             here, the costliest, lens top-3; matrix: the page's default view, no lens),
//                             last-position logits
//   bare DIR T                model_forward with no capture at all (last-position logits only): the bare forward
//   step DIR P                keystroke: prefix of P tokens in a KV cache, append one token (model_step)
//   keystroke DIR P [VIEW]    the page's keystroke path: model_forward_reuse with app.cpp's options on
//                             P + 1 tokens whose last token alternates (each call recomputes that token only)
//   ablate DIR T              Intervene mode: app_toggle_ablation (src/app/app.cpp) of head 1.1 on a text of
//                             about T tokens in the Model view, alternately on and off: the re-run with the
//                             ablation, the "before" run (its prefix reused) and the effects panel's numbers
//   patch DIR T               patch_scan over every head (L·H single-head patched runs), the source a second
//                             id sequence of the same length: the Intervene panel's heat map
//   dump DIR T FILE           one `forward` run; writes logits [T, V] then attention [L, H, T, T] (f32 LE)
//                             to FILE (the ORT comparison reads it back from MEMFS and diffs the outputs)
//   unload DIR                frees a loaded model and the activation scratch (GPT-2 small in the browser)
//   set runs N                timed runs per spec from now on (scripts/dev/bench interleaves configurations
//                             with N = 1 per round)
//
// Every spec runs g_runs (default 7) timed runs, each a batch of calls lasting >= ~30 ms; the JSON
// holds the per-call time of each run in ms.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "app/app.h"  // app_capture_options: the page's capture policy
#include "model/intervene.h"
#include "model/model.h"
#include "model/ops.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define BENCH_EXPORT extern "C" EMSCRIPTEN_KEEPALIVE
static double now_ms() { return emscripten_get_now(); }
// CPU time of the process (node: process.cpuUsage) or -1 (browser; scripts/dev/bench reads the renderer's
// main thread from outside instead): the box is shared, and CPU time does not count the time other
// processes hold the core. scripts/dev/bench runs node with --single-threaded --no-liftoff
// --no-wasm-dynamic-tiering: everything compiled by TurboFan up front and no V8 background threads, so
// the process time is the main thread's. (Not /proc/self/task/N/schedstat: for the running thread it is
// only updated at scheduler ticks.)
EM_JS(double, cpu_ms, (), {
    if (typeof process !== 'undefined' && process.cpuUsage) { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
    return -1;
});
#else
#include <time.h>
static double cpu_ms() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}
#define BENCH_EXPORT extern "C"
static double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}
#endif

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
typedef v128_t f4;
#define F4_SPLAT wasm_f32x4_splat
#define F4_MUL wasm_f32x4_mul
#define F4_ADD wasm_f32x4_add
#ifdef __wasm_relaxed_simd__
// a * b + c in one rounding, as src/model/ops.cpp's f4_madd: clang-14 writes the proposal's early opcode,
// scripts/dev/bench renumbers it to f32x4.relaxed_madd after the link (scripts/lib/wasm-relaxed.mjs).
#define F4_MADD(a, b, c) __builtin_wasm_fma_f32x4(a, b, c)
#endif
static float f4_first(f4 v) { return wasm_f32x4_extract_lane(v, 0); }
#else
#include <immintrin.h>
typedef __m128 f4;
#define F4_SPLAT _mm_set1_ps
#define F4_MUL _mm_mul_ps
#define F4_ADD _mm_add_ps
static float f4_first(f4 v) { return _mm_cvtss_f32(v); }
#endif

static int g_runs = 7;
static volatile float g_sink;

static std::vector<double> g_cpu;                             // CPU ms per call of each batch of the last time_runs
static int g_calls = 0;                                       // calls of fn in the last time_runs (warm-up included)

// Times fn (one call = one unit of work) in g_runs batches; returns wall ms per call of each batch.
template <class F>
static std::vector<double> time_runs(F fn, double batch_ms = 30.0) {
    g_cpu.clear();
    fn();                                                        // warm up (and size the scratch)
    double t0 = now_ms();
    fn();
    double one = std::max(now_ms() - t0, 1e-4);
    int reps = std::max(1, (int)(batch_ms / one));
    g_calls = 2 + reps * g_runs;                                 // scripts/dev/bench divides the renderer's CPU time by it
    std::vector<double> out;
    for (int r = 0; r < g_runs; r++) {
        double s = now_ms(), c = cpu_ms();
        for (int i = 0; i < reps; i++) fn();
        out.push_back((now_ms() - s) / reps);
        g_cpu.push_back(c < 0 ? -1 : (cpu_ms() - c) / reps);
    }
    return out;
}

// FUSED: one fused multiply-add per step (F4_MADD, the FMA build), else a multiply then an add.
template <bool FUSED>
static inline f4 mul_add(f4 a, f4 b, f4 c) {
#ifdef F4_MADD
    if constexpr (FUSED) return F4_MADD(a, b, c);
#endif
    return F4_ADD(F4_MUL(a, b), c);
}

// 12 independent chains acc = acc * m + c (f32x4 multiply, then add, or FUSED): 24 (12) vector ops per
// iteration, enough to fill 2 vector ports past the latency. m, c come from the caller so nothing folds;
// m < 1 keeps the values bounded and normal.
template <bool FUSED>
__attribute__((noinline)) static float peak_loop(int iters, float seed) {
    const f4 m = F4_SPLAT(0.99999f), c = F4_SPLAT(seed * 1e-3f);
#define P(i) f4 a##i = F4_SPLAT(seed + i);
    P(0) P(1) P(2) P(3) P(4) P(5) P(6) P(7) P(8) P(9) P(10) P(11)
#undef P
    for (int i = 0; i < iters; i++) {
#define S(i) a##i = mul_add<FUSED>(a##i, m, c);
        S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8) S(9) S(10) S(11)
#undef S
    }
    f4 s = F4_ADD(F4_ADD(F4_ADD(a0, a1), F4_ADD(a2, a3)), F4_ADD(F4_ADD(a4, a5), F4_ADD(a6, a7)));
    s = F4_ADD(s, F4_ADD(F4_ADD(a8, a9), F4_ADD(a10, a11)));
    return f4_first(s);
}

// The GEMM's instruction mix at its best: acc[r][j] += a[r] * b[j] with b[2] loaded from a 1 KB
// buffer (L1) every step and 4 fixed a: 8 independent accumulators, 16 mul+add per 2 loads. The
// products are not loop-invariant, so nothing can be hoisted.
template <bool FUSED>
__attribute__((noinline)) static float peak_loop_l1(int iters, const float* buf, float seed) {
    const f4 x0 = F4_SPLAT(seed), x1 = F4_SPLAT(seed * 0.5f), x2 = F4_SPLAT(seed * 0.25f), x3 = F4_SPLAT(seed * 0.125f);
    f4 c00 = F4_SPLAT(0.f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (int i = 0; i < iters; i++) {
        const float* p = buf + (i & 31) * 8;
#if defined(__wasm_simd128__)
        f4 b0 = wasm_v128_load(p), b1 = wasm_v128_load(p + 4);
#else
        f4 b0 = _mm_loadu_ps(p), b1 = _mm_loadu_ps(p + 4);
#endif
        c00 = mul_add<FUSED>(x0, b0, c00); c01 = mul_add<FUSED>(x0, b1, c01);
        c10 = mul_add<FUSED>(x1, b0, c10); c11 = mul_add<FUSED>(x1, b1, c11);
        c20 = mul_add<FUSED>(x2, b0, c20); c21 = mul_add<FUSED>(x2, b1, c21);
        c30 = mul_add<FUSED>(x3, b0, c30); c31 = mul_add<FUSED>(x3, b1, c31);
    }
    f4 s = F4_ADD(F4_ADD(F4_ADD(c00, c01), F4_ADD(c10, c11)), F4_ADD(F4_ADD(c20, c21), F4_ADD(c30, c31)));
    return f4_first(s);
}

// Sums n floats (n a multiple of 16) with 4 independent f32x4 chains: as fast as memory delivers them.
__attribute__((noinline)) static float read_loop(const float* p, size_t n) {
    f4 s0 = F4_SPLAT(0.f), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < n; i += 16) {
#if defined(__wasm_simd128__)
        s0 = F4_ADD(s0, wasm_v128_load(p + i)), s1 = F4_ADD(s1, wasm_v128_load(p + i + 4));
        s2 = F4_ADD(s2, wasm_v128_load(p + i + 8)), s3 = F4_ADD(s3, wasm_v128_load(p + i + 12));
#else
        s0 = F4_ADD(s0, _mm_loadu_ps(p + i)), s1 = F4_ADD(s1, _mm_loadu_ps(p + i + 4));
        s2 = F4_ADD(s2, _mm_loadu_ps(p + i + 8)), s3 = F4_ADD(s3, _mm_loadu_ps(p + i + 12));
#endif
    }
    return f4_first(F4_ADD(F4_ADD(s0, s1), F4_ADD(s2, s3)));
}

static std::map<std::string, std::unique_ptr<Model>> g_models;  // loaded once per directory

static Model* model_get(const std::string& dir, std::string& err) {
    auto it = g_models.find(dir);
    if (it != g_models.end()) return it->second.get();
    auto m = std::make_unique<Model>();
    if (!model_load_dir(*m, dir, err)) return nullptr;
    Model* p = m.get();
    g_models[dir] = std::move(m);
    return p;
}

// The page's capture policy (src/app/app.cpp, called, not copied) for T tokens in the Predict view, the
// costliest (the other views skip the logit lens); layer 0, head 0 selected.
static CaptureOptions app_options(const Model& m, int T, int view = VIEW_PREDICT) {
    return app_capture_options(m.cfg, std::min(T, m.cfg.n_positions), view, 0, 0);
}

// The optional VIEW word of the app and keystroke specs (default: predict).
static int view_of(std::istream& in) {
    std::string v;
    in >> v;
    return v == "matrix" ? VIEW_MATRIX : v == "model" ? VIEW_MODEL : VIEW_PREDICT;
}

// Deterministic token ids (the content does not change the cost).
static std::vector<int> ids_of(const Model& m, int T) {
    std::vector<int> ids(T);
    for (int i = 0; i < T; i++) ids[i] = (int)((i * 2654435761u + 11) % (unsigned)(m.cfg.vocab_size - 1));
    return ids;
}

static std::string json_runs(const std::string& head, const std::vector<double>& ms, double flop) {
    std::ostringstream o;
    o.precision(6);
    o << "{" << head << ",\"backend\":\"" << matmul_backend() << "\",\"flop\":" << flop << ",\"calls\":" << g_calls << ",\"ms\":[";
    for (size_t i = 0; i < ms.size(); i++) o << (i ? "," : "") << ms[i];
    o << "],\"cpu\":[";
    for (size_t i = 0; i < g_cpu.size(); i++) o << (i ? "," : "") << g_cpu[i];
    o << "]}";
    return o.str();
}

static std::string g_result;

// spec: whitespace-separated words, see the header. Returns a JSON object (or {"error": ...}).
BENCH_EXPORT const char* bench_run(const char* spec_c) {
    std::istringstream in(spec_c);
    std::string what;
    in >> what;
    std::string err;
    if (what == "peak") {
        const int iters = 1 << 16;
        auto ms = time_runs([&] { g_sink = peak_loop<false>(iters, g_sink > 1e30f ? 1.0f : 1.0f + g_sink * 1e-9f); });
        g_result = json_runs("\"what\":\"peak\"", ms, (double)iters * 12 * 4 * 2);
    } else if (what == "peak_l1") {
        const int iters = 1 << 17;
        std::vector<float> buf(256);
        for (int i = 0; i < 256; i++) buf[i] = 1e-3f * (i % 17);
        auto ms = time_runs([&] { g_sink = peak_loop_l1<false>(iters, buf.data(), 1.0f + (g_sink > 1e30f ? 0.0f : g_sink * 1e-9f)); });
        g_result = json_runs("\"what\":\"peak_l1\"", ms, (double)iters * 8 * 4 * 2);
    } else if (what == "peak_fma" || what == "peak_l1_fma") {
#ifdef F4_MADD
        if (what == "peak_fma") {
            const int iters = 1 << 17;
            auto ms = time_runs([&] { g_sink = peak_loop<true>(iters, g_sink > 1e30f ? 1.0f : 1.0f + g_sink * 1e-9f); });
            g_result = json_runs("\"what\":\"peak_fma\"", ms, (double)iters * 12 * 4 * 2);
        } else {
            const int iters = 1 << 18;
            std::vector<float> buf(256);
            for (int i = 0; i < 256; i++) buf[i] = 1e-3f * (i % 17);
            auto ms = time_runs([&] { g_sink = peak_loop_l1<true>(iters, buf.data(), 1.0f + (g_sink > 1e30f ? 0.0f : g_sink * 1e-9f)); });
            g_result = json_runs("\"what\":\"peak_l1_fma\"", ms, (double)iters * 8 * 4 * 2);
        }
#else
        g_result = "{\"error\":\"no fused multiply-add in this build (-mrelaxed-simd only)\"}";
#endif
    } else if (what == "read") {
        int mb = 256;
        in >> mb;
        std::vector<float> buf((size_t)mb << 18, 1e-6f);         // mb MB of floats, every page touched
        auto ms = time_runs([&] { g_sink = read_loop(buf.data(), buf.size()); }, 0);  // (each call > 10 ms)
        std::ostringstream h;
        h << "\"what\":\"read\",\"MB\":" << mb;
        g_result = json_runs(h.str(), ms, (double)buf.size() * sizeof(float));
    } else if (what == "gemm") {
        int M, K, N, bt;
        in >> M >> K >> N >> bt;
        std::vector<float> a((size_t)M * K), b((size_t)K * N), bias(N), out((size_t)M * N);
        for (size_t i = 0; i < a.size(); i++) a[i] = (float)((i * 7) % 13) * 0.01f;
        for (size_t i = 0; i < b.size(); i++) b[i] = (float)((i * 5) % 11) * 0.01f;
        auto ms = time_runs([&] {
            if (bt) matmul_bt(out.data(), N, a.data(), K, b.data(), K, 0.125f, M, K, N);
            else matmul(out.data(), N, a.data(), K, b.data(), N, bias.data(), M, K, N);
            g_sink = out[0];
        });
        std::ostringstream h;
        h << "\"what\":\"gemm\",\"M\":" << M << ",\"K\":" << K << ",\"N\":" << N << ",\"bt\":" << bt;
        g_result = json_runs(h.str(), ms, 2.0 * M * K * N);
    } else if (what == "forward" || what == "page" || what == "app" || what == "bare") {
        std::string dir;
        int T;
        in >> dir >> T;
        const int view = what == "app" ? view_of(in) : VIEW_PREDICT;
        Model* m = model_get(dir, err);
        if (!m) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        CaptureOptions opt;                                      // page: the defaults (everything, no lens)
        if (what == "forward") {                                 // the ORT-comparable outputs only
            opt.attention = true, opt.scores = false, opt.qkv = false, opt.residuals = false;
        }
        opt.logits_all = what != "app";
        if (what == "app") opt = app_options(*m, T, view);
        if (what == "bare") opt.attention = opt.scores = opt.qkv = opt.residuals = opt.logits_all = false;
        std::vector<int> ids = ids_of(*m, std::min(T, m->cfg.n_positions));
        Capture cap;
        bool ok = true;
        auto ms = time_runs([&] { ok = ok && model_forward(*m, ids, opt, cap, err); });
        if (!ok) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        const GPT2Config& c = m->cfg;
        double Tt = (double)ids.size(), C = c.n_embd;
        double flop = 2.0 * Tt * C * 12 * C * c.n_layer + 2.0 * Tt * Tt * C * 2 * c.n_layer + 2.0 * Tt * C * c.vocab_size;
        std::ostringstream h;
        h << "\"what\":\"" << what << "\",\"model\":\"" << dir << "\",\"T\":" << ids.size()
          << ",\"params\":" << m->params.size() << ",\"V\":" << c.vocab_size;
        g_result = json_runs(h.str(), ms, flop);
    } else if (what == "keystroke") {
        std::string dir;
        int P;
        in >> dir >> P;
        const int view = view_of(in);
        Model* m = model_get(dir, err);
        if (!m) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        std::vector<int> a = ids_of(*m, std::min(P + 1, m->cfg.n_positions)), b = a;
        b.back() = (a.back() + 1) % (m->cfg.vocab_size - 1);
        CaptureOptions opt = app_options(*m, (int)a.size(), view);
        Capture cap;
        bool ok = model_forward(*m, a, opt, cap, err);
        int flip = 0, reused = 0;
        auto ms = time_runs([&] {
            flip ^= 1;
            ok = ok && model_forward_reuse(*m, flip ? b : a, opt, cap, err, &reused);
        });
        if (!ok) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        std::ostringstream h;
        h << "\"what\":\"keystroke\",\"model\":\"" << dir << "\",\"T\":" << a.size() << ",\"reused\":" << reused;
        g_result = json_runs(h.str(), ms, 0);
    } else if (what == "ablate") {
        std::string dir;
        int T;
        in >> dir >> T;
        Model* m = model_get(dir, err);
        if (!m) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        static App app;  // the page's state layer; it does not own the model (never deletes it)
        app = App();
        app.view = VIEW_MODEL, app.intervene = true;
        app.models.push_back(m);
        app.model_index = 0;
        std::string text;
        for (int id : ids_of(*m, std::min(T, m->cfg.n_positions))) text += tokenizer_token_bytes(m->tok, id);
        app_set_text(app, text);
        const int l = std::min(1, m->cfg.n_layer - 1), h = std::min(1, m->cfg.n_head - 1);
        auto ms = time_runs([&] { app_toggle_ablation(app, l, h); });
        if (app.cap.T == 0) { g_result = "{\"error\":\"" + app.notice + "\"}"; return g_result.c_str(); }
        std::ostringstream hd;
        hd << "\"what\":\"ablate\",\"model\":\"" << dir << "\",\"T\":" << app.cap.T;
        g_result = json_runs(hd.str(), ms, 0);
        app = App();
    } else if (what == "patch") {
        std::string dir;
        int T;
        in >> dir >> T;
        Model* m = model_get(dir, err);
        if (!m) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        std::vector<int> ids = ids_of(*m, std::min(T, m->cfg.n_positions)), src = ids;
        for (int& id : src) id = (id + 7) % (m->cfg.vocab_size - 1);
        CaptureOptions co;  // the source run: every head's z (as app_patch_start runs it)
        co.attention = co.scores = co.residuals = false;
        Capture source;
        bool ok = model_forward(*m, src, co, source, err);
        std::vector<float> diffs;
        const int LH = m->cfg.n_layer * m->cfg.n_head;
        auto ms = time_runs([&] { ok = ok && patch_scan(*m, ids, source, 1, 2, 0, LH, diffs, err); }, 1.0);
        if (!ok) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        std::ostringstream hd;
        hd << "\"what\":\"patch\",\"model\":\"" << dir << "\",\"T\":" << ids.size() << ",\"heads\":" << LH;
        g_result = json_runs(hd.str(), ms, 0);
    } else if (what == "dump") {
        std::string dir, file;
        int T;
        in >> dir >> T >> file;
        Model* m = model_get(dir, err);
        if (!m) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        CaptureOptions opt;                                      // exactly the `forward` spec's options
        opt.attention = true, opt.scores = false, opt.qkv = false, opt.residuals = false, opt.logits_all = true;
        std::vector<int> ids = ids_of(*m, std::min(T, m->cfg.n_positions));
        Capture cap;
        if (!model_forward(*m, ids, opt, cap, err)) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        FILE* f = std::fopen(file.c_str(), "wb");
        bool ok = f && std::fwrite(cap.logits.data(), 4, cap.logits.size(), f) == cap.logits.size() &&
                  std::fwrite(cap.weights.data(), 4, cap.weights.size(), f) == cap.weights.size();
        if (f) std::fclose(f);
        if (!ok) { g_result = "{\"error\":\"cannot write " + file + "\"}"; return g_result.c_str(); }
        std::ostringstream h;
        h << "{\"what\":\"dump\",\"T\":" << cap.T << ",\"V\":" << cap.V << ",\"L\":" << cap.L << ",\"H\":" << cap.H
          << ",\"logits\":" << cap.logits.size() << ",\"attention\":" << cap.weights.size() << "}";
        g_result = h.str();
    } else if (what == "unload") {
        std::string dir;
        in >> dir;
        g_models.erase(dir);
        model_scratch_release();
        g_result = "{\"what\":\"unload\"}";
    } else if (what == "set") {
        std::string key;
        int n = 0;
        in >> key >> n;
        if (key != "runs" || n < 1) { g_result = "{\"error\":\"set runs N (N >= 1)\"}"; return g_result.c_str(); }
        g_runs = n;
        g_result = "{\"what\":\"set\",\"runs\":" + std::to_string(n) + "}";
    } else if (what == "step") {
        std::string dir;
        int P;
        in >> dir >> P;
        Model* m = model_get(dir, err);
        if (!m) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        std::vector<int> ids = ids_of(*m, P + 1);
        std::vector<int> prefix(ids.begin(), ids.begin() + P), last(ids.begin() + P, ids.end());
        KVCache kv;
        kvcache_init(*m, kv);
        std::vector<float> logits;
        bool ok = model_step(*m, kv, prefix, logits, err);
        auto ms = time_runs([&] {
            kv.T = P;                                            // drop the appended token: the prefix stays valid
            ok = ok && model_step(*m, kv, last, logits, err);
        });
        if (!ok) { g_result = "{\"error\":\"" + err + "\"}"; return g_result.c_str(); }
        std::ostringstream h;
        h << "\"what\":\"step\",\"model\":\"" << dir << "\",\"P\":" << P;
        g_result = json_runs(h.str(), ms, 0);
    } else {
        g_result = "{\"error\":\"unknown spec\"}";
    }
    return g_result.c_str();
}

#ifndef BENCH_NO_MAIN
// Native / node: each argument is one spec; prints one JSON object per line.
int main(int argc, char** argv) {
    for (int i = 1; i < argc; i++) std::printf("%s\n", bench_run(argv[i]));
    return 0;
}
#endif
