// The JS bridge: C functions web/app.js calls (text, state, model bytes). Strings cross as UTF-8.
#include <emscripten.h>

#include <cstdint>
#include <cstdlib>
#include <malloc.h>
#include <cstring>
#include <string>

#include "app/app.h"
#include "app/memory.h"
#include "app/quiz.h"
#include "app/teach.h"
#include "app/ui.h"
#include "app/url_state.h"

static std::string g_json;  // the last string handed to JS (valid until the next call)

extern "C" {

// Text with its byte length: a NUL typed or pasted into the page is text too, not the end of it.
EMSCRIPTEN_KEEPALIVE void attnlab_set_text(const char* utf8, int len) {
    app_set_text(g_app, utf8 && len > 0 ? std::string(utf8, (size_t)len) : std::string());
}

// Bytes in use by malloc (tests assert the heap stays flat over many re-runs).
EMSCRIPTEN_KEEPALIVE double attnlab_heap_used() { return (double)mallinfo().uordblks; }

EMSCRIPTEN_KEEPALIVE const char* attnlab_state_json() {
    g_json = app_state_json(g_app);
    return g_json.c_str();
}

// ---- change counter -------------------------------------------------------------------------------
// web/app.js polls this (a hash of what state() reports, a few µs even at 1024 tokens) and fetches
// the JSON only when the number moved, so idle frames build no JSON. Changes made anywhere (canvas
// clicks, keys, setText, model loads) are seen, with no hook in the code that makes them.
static uint64_t state_signature(const App& a) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    auto bytes = [&](const void* p, size_t n) {
        for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char*)p)[i]) * 1099511628211ull;
    };
    auto str = [&](const std::string& s) { bytes(s.data(), s.size()), bytes("\0", 1); };
    int ints[] = {a.model_index, (int)a.models.size(), a.view, a.layer, a.head, a.hover_token, a.locked_token,
                  (int)a.ids.size(), a.truncated, a.aggregate, a.generated, a.compare_token, a.sampling.top_k, a.top_n,
                  a.intervene, a.iv.ablate_mean, a.patch.next, a.tour, a.quiz, a.quiz_guess,
                  a.palette, a.color_scale, a.matrix_values, a.lstm != nullptr,
                  a.memory.gpt_job.done + a.memory.lstm_job.done, (int)a.teach.losses.size(), a.teach.running,
                  a.teach_open, (int)a.weights_version};
    bytes(ints, sizeof ints);
    float floats[] = {a.sampling.temperature, a.sampling.top_p};
    bytes(floats, sizeof floats);
    bytes(&a.sampling.seed, sizeof a.sampling.seed);
    bytes(&a.last_run_ms, sizeof a.last_run_ms);  // every re-run (new capture, row, top tokens)
    str(a.text), str(a.notice), str(a.model_status), str(a.compare_text), str(a.patch.status), str(a.hint),
        str(a.memory.status), str(a.teach.status);
    str(format_heads(a.iv.ablate)), str(format_edges(a.iv.knockout));
    return h;
}

EMSCRIPTEN_KEEPALIVE double attnlab_state_version() {
    static uint64_t last = 0;
    static double version = 0;
    uint64_t sig = state_signature(g_app);
    if (sig != last) last = sig, version++;
    return version;
}

// Partial state {"view":"heads","layer":1,...}; returns "" or a notice about ignored values.
EMSCRIPTEN_KEEPALIVE const char* attnlab_apply(const char* json) {
    g_json = app_apply_json(g_app, json ? json : "");
    return g_json.c_str();
}

// Share links: fragment -> {"text", "view", ...} (+ notice via attnlab_last_notice), state -> fragment.
static std::string g_notice;
EMSCRIPTEN_KEEPALIVE const char* attnlab_parse_fragment(const char* fragment) {
    g_notice.clear();
    g_json = url_state_parse(fragment ? fragment : "", g_notice);
    return g_json.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* attnlab_last_notice() { return g_notice.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* attnlab_format_fragment() {
    g_json = url_state_format(app_state_json(g_app));
    return g_json.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* attnlab_export_json(int all_heads) {
    g_json = app_export_json(g_app, all_heads != 0);
    return g_json.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* attnlab_export_svg() {
    g_json = ui_export_svg(g_app);
    return g_json.c_str();
}

// e2e tests: what the view drew (see ui_view_text) and where.
EMSCRIPTEN_KEEPALIVE const char* attnlab_view_text() { return ui_view_text(); }
EMSCRIPTEN_KEEPALIVE double attnlab_view_rect(int i) { return ui_view_rect(i); }

EMSCRIPTEN_KEEPALIVE void attnlab_step() { app_step(g_app); }

// Predict, then reveal: the learner's answer to the link's question (app/quiz.h); 1 if taken.
EMSCRIPTEN_KEEPALIVE int attnlab_quiz_answer(int choice) { return quiz_answer(g_app, choice) ? 1 : 0; }

// A first visit (the page opened without a share link): see app_first_visit.
EMSCRIPTEN_KEEPALIVE void attnlab_first_visit() { app_first_visit(g_app); }

// Patching every head (the frames run it, a few heads each): "" once started, else why it cannot run.
EMSCRIPTEN_KEEPALIVE const char* attnlab_patch_start(int tok_a, int tok_b) {
    g_json = app_patch_start(g_app, tok_a, tok_b) ? "" : g_app.patch.status;
    return g_json.c_str();
}
EMSCRIPTEN_KEEPALIVE void attnlab_patch_cancel() { app_patch_cancel(g_app); }

// Teach: Reset restores the original weights; the taught weights as model.safetensors (F32, exact),
// valid until the next call (its length in *len; 0 if the selected model is not taught).
EMSCRIPTEN_KEEPALIVE void attnlab_teach_reset() { app_teach_reset(g_app); }
EMSCRIPTEN_KEEPALIVE void attnlab_teach_stop() { app_teach_stop(g_app); }
static std::string g_bytes;
EMSCRIPTEN_KEEPALIVE const char* attnlab_taught_safetensors(int* len) {
    const Model* m = app_model(g_app);
    g_bytes = m && app_model_modified(g_app) ? gpt2_safetensors_bytes(m->cfg, m->params.data(), false) : std::string();
    *len = (int)g_bytes.size();
    return g_bytes.data();
}

// A digest of the selected model's weights (FNV-1a 64 over their bytes, hex): equal digests, equal
// weights bit for bit (tests: Reset, share links, a downloaded model loaded back).
EMSCRIPTEN_KEEPALIVE const char* attnlab_weights_digest() {
    const Model* m = app_model(g_app);
    uint64_t h = 1469598103934665603ull;
    auto bytes = [&](const void* p, size_t n) {
        for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char*)p)[i]) * 1099511628211ull;
    };
    if (m) bytes(m->params.data(), m->params.size() * sizeof(float)), bytes(m->params_f16.data(), m->params_f16.size() * 2);
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
    g_json = buf;
    return g_json.c_str();
}

EMSCRIPTEN_KEEPALIVE void attnlab_set_dark(int dark) {
    g_app.dark = dark != 0;
    ui_init(g_app);
}

EMSCRIPTEN_KEEPALIVE double attnlab_frames() { return (double)g_app.frames; }

// Loads a model from the four files' bytes (malloc'ed by JS; freed here). Returns "" on success,
// else the error; the previously selected model stays loaded on failure. keep_f16: the user's opt-in
// to keep the weight matrices as F16 (half the memory).
EMSCRIPTEN_KEEPALIVE const char* attnlab_load_model(const char* name, char* config, int config_len,
                                                    unsigned char* st, double st_len, char* vocab,
                                                    int vocab_len, char* merges, int merges_len, int keep_f16) {
    Model* m = new Model();
    std::string err;
    bool ok = model_load_memory(*m, std::string(config, config_len), st, (size_t)st_len,
                                std::string(vocab, vocab_len), std::string(merges, merges_len), err, keep_f16 != 0);
    free(config), free(st), free(vocab), free(merges);
    if (!ok) {
        delete m;
        g_json = err.empty() ? "unknown error" : err;
        g_app.model_status = g_json;
        return g_json.c_str();
    }
    m->name = name ? name : "model";
    g_app.model_status.clear();
    app_add_model(g_app, m);
    g_json.clear();
    return g_json.c_str();
}

// Loads an LSTM (config.json model_type "lstm") from its four files' bytes (malloc'ed by JS; freed
// here) as the Memory view's recurrent model. "" on success, else the error; the previous LSTM stays
// on failure.
EMSCRIPTEN_KEEPALIVE const char* attnlab_load_lstm(const char* name, char* config, int config_len, unsigned char* st,
                                                   double st_len, char* vocab, int vocab_len, char* merges, int merges_len) {
    LSTMModel* m = new LSTMModel();
    std::string err;
    bool ok = lstm_load_memory(*m, std::string(config, config_len), st, (size_t)st_len, std::string(vocab, vocab_len),
                               std::string(merges, merges_len), err);
    free(config), free(st), free(vocab), free(merges);
    if (!ok) {
        delete m;
        g_json = err.empty() ? "unknown error" : err;
        return g_json.c_str();
    }
    m->name = name ? name : "lstm";
    app_set_lstm(g_app, m);
    g_json.clear();
    return g_json.c_str();
}

// Bytes of memory the engine keeps for a model of this config.json (gpt2_memory_bytes: the weights, F16
// or F32, and for F32 their packed copy), or -1 if the engine would reject the config. web/loader.js sizes
// the memory a load needs with it before reading weights.
EMSCRIPTEN_KEEPALIVE double attnlab_config_memory(const char* config_json, int f16) {
    GPT2Config cfg;
    std::string err;
    if (!config_json || !gpt2_config_parse(config_json, cfg, err)) return -1;
    return gpt2_memory_bytes(cfg, f16 != 0);
}

// Selects a loaded model (0 = built-in). Returns 0 if the index is out of range.
EMSCRIPTEN_KEEPALIVE int attnlab_select_model(int index) {
    if (index < 0 || index >= (int)g_app.models.size()) return 0;
    g_app.model_index = index;
    app_rerun(g_app);
    return 1;
}

// malloc for JS that reports failure instead of aborting (model files can be hundreds of MB).
EMSCRIPTEN_KEEPALIVE void* attnlab_try_malloc(double bytes) {
    if (bytes < 1 || bytes > 4294967295.0) return nullptr;
    return malloc((size_t)bytes);
}

EMSCRIPTEN_KEEPALIVE void attnlab_set_model_status(const char* s) { g_app.model_status = s ? s : ""; }

}  // extern "C"
