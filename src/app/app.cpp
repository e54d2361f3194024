// App state transitions: text -> tokens -> capture. No ImGui here.
#include "app/app.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/memory.h"
#include "app/quiz.h"
#include "app/teach.h"
#include "app/tour.h"
#include "model/capture_json.h"
#include "viz/scene.h"  // the palette names

App g_app;

static const char* VIEW_NAMES[VIEW_COUNT] = {"tokens", "heads", "matrix", "model", "math",
                                             "aggregate", "embed", "predict", "context", "compare", "memory"};

const char* app_view_name(int view) { return view >= 0 && view < VIEW_COUNT ? VIEW_NAMES[view] : "matrix"; }

int app_view_from_name(const char* name) {
    for (int i = 0; i < VIEW_COUNT; i++)
        if (strcmp(VIEW_NAMES[i], name) == 0) return i;
    return -1;
}

const Model* app_model(const App& app) {
    if (app.model_index < 0 || app.model_index >= (int)app.models.size()) return nullptr;
    return app.models[app.model_index];
}

int app_selected_token(const App& app) {
    int T = (int)app.ids.size();
    if (T == 0) return -1;
    if (app.locked_token >= 0 && app.locked_token < T) return app.locked_token;
    if (app.hover_token >= 0 && app.hover_token < T) return app.hover_token;
    return T - 1;
}

void app_clamp(App& app) {
    const Model* m = app_model(app);
    int L = m ? m->cfg.n_layer : 1, H = m ? m->cfg.n_head : 1;
    app.layer = std::clamp(app.layer, 0, L - 1);
    app.head = std::clamp(app.head, 0, H - 1);
    if ((int)app.head_enabled.size() != H) app.head_enabled.assign(H, 1);
    int T = (int)app.ids.size();
    if (app.locked_token >= T) app.locked_token = -1;
    if (app.hover_token >= T) app.hover_token = -1;
}

CaptureOptions app_capture_options(const GPT2Config& cfg, int T, int view, int layer, int head) {
    // Q/K/V for every head while that stays small (the tiny model); else only the selected head.
    CaptureOptions co;
    co.attention = true, co.residuals = true, co.qkv = true;
    // The logit lens costs L·T·V·C multiply-adds (more than the forward pass; for GPT-2 small even at one
    // position it is five times a token's forward step): only while the Predict view shows it, at every
    // position while that stays small, else only at the last position (what the view explains).
    co.lens_top_k = view == VIEW_PREDICT ? 3 : 0;
    double lens_macs = (double)cfg.n_layer * T * cfg.vocab_size * cfg.n_embd;
    co.lens_pos = lens_macs <= 32e6 ? -1 : T - 1;
    co.qkv_layer = -1, co.qkv_head = -1, co.scores = true;
    // A big capture (GPT-2 small at 1024 tokens: 1.2 GB of scores + weights) keeps the weights of every
    // head (the model, heads and aggregate views) but Q/K/V of the selected head only, and no pre-mask
    // scores: the Math view recomputes its row from that head's Q and K (attention_steps).
    if (capture_bytes(cfg, T, co) > APP_CAPTURE_BIG_BYTES)
        co.qkv_layer = layer, co.qkv_head = head, co.scores = false;
    return co;
}

// The interventions that apply to this text: a knock-out of a token the text no longer has (it was
// shortened) or a head the model does not have is kept for later but not run.
static Interventions app_active_interventions(App& app, const Model& m, int T) {
    Interventions iv;
    iv.ablate_mean = app.iv.ablate_mean;
    int skipped = 0;
    for (const HeadRef& r : app.iv.ablate) {
        if (r.layer < m.cfg.n_layer && r.head < m.cfg.n_head) iv.ablate.push_back(r);
        else skipped++;
    }
    for (const AttentionEdge& e : app.iv.knockout) {
        if (e.layer < m.cfg.n_layer && e.head < m.cfg.n_head && e.query < T && e.key <= e.query) iv.knockout.push_back(e);
        else skipped++;
    }
    if (skipped) {
        app.notice += (app.notice.empty() ? "" : " ") + std::to_string(skipped) +
                      (skipped == 1 ? " intervention does" : " interventions do") + " not fit this text or model and "
                      "are not applied.";
    }
    return iv;
}

void app_rerun(App& app) {
    Model* m = app.model_index >= 0 ? app.models[app.model_index] : nullptr;
    std::vector<TokenSpan> prev_spans;
    std::string prev_text;
    prev_spans.swap(app.spans);
    prev_text.swap(app.run_text);
    const bool same_model = m && app.run_model == m;
    app.notice.clear();
    app.ids.clear();
    app.truncated = false;
    app.total_tokens = 0;
    app.tokens_kept = app.tokens_reused = 0;
    app.run_model = m;
    app.run_text = app.text;
    if (!m) {
        app.cap = Capture();
        app_clamp(app);
        return;
    }
    auto t0 = std::chrono::steady_clock::now();
    // Only the end of an edited text is re-tokenized (a truncated earlier run re-tokenizes it all).
    app.spans = same_model ? tokenizer_encode_edit(m->tok, app.text, prev_text, prev_spans, &app.tokens_kept)
                           : tokenizer_encode(m->tok, app.text);
    app.total_tokens = (int)app.spans.size();
    int max_T = m->cfg.n_positions;
    if ((int)app.spans.size() > max_T) {
        app.spans.resize(max_T);
        app.truncated = true;
        app.notice = "The context window is " + std::to_string(max_T) + " tokens; showing the first " +
                     std::to_string(max_T) + " of " + std::to_string(app.total_tokens) + ".";
    }
    app.token_bytes.clear();
    for (const TokenSpan& s : app.spans) {
        app.ids.push_back(s.id);
        app.token_bytes.push_back(tokenizer_token_bytes(m->tok, s.id));
    }
    const int T = (int)app.ids.size();
    app.cap_opt = app_capture_options(m->cfg, T, app.view, app.layer, app.head);
    const Interventions iv = app_active_interventions(app, *m, T);
    // The effects panel's text loss needs every position's logits: kept in Intervene mode, up to 64 MB
    // (whether or not an intervention is on, so the plain and the intervened runs can be reused for each other).
    if ((app.intervene || !iv.empty()) && (double)T * m->cfg.vocab_size <= 16e6) app.cap_opt.logits_all = true;
    // Toggling an intervention on makes the current (plain) run the "before"; toggling the last one off
    // makes the "before" the current run: the reuse path below then keeps all of it (it recomputes what
    // does not match: other tokens, options or interventions).
    if (!iv.empty() && app.cap.interventions.empty()) std::swap(app.cap, app.base_cap);
    else if (iv.empty() && !app.cap.interventions.empty()) std::swap(app.cap, app.base_cap);
    if (app.ids.empty()) {
        app.cap = Capture();
        if (app.text.empty()) app.notice = "Type a sentence to see how the model reads it.";
        else app.notice = "The text has no tokens.";
    } else {
        std::string err;
        // The unchanged beginning keeps its capture rows: a keystroke computes only the last token(s).
        bool ok = same_model ? model_forward_reuse_iv(*m, app.ids, app.cap_opt, iv, app.cap, err, &app.tokens_reused)
                             : model_forward_iv(*m, app.ids, app.cap_opt, iv, app.cap, err);
        if (!ok) {
            app.cap = Capture();
            app.notice = "The model could not run: " + err;
        }
    }
    // The "before" of the effects panel: the same text without the interventions.
    app.effects = InterventionEffects();
    if (iv.empty() || app.cap.T == 0) {
        app.base_cap = Capture();
    } else {
        std::string err;
        CaptureOptions base_opt = app.cap_opt;
        base_opt.lens_top_k = 0, base_opt.lens_pos = -1;         // no view shows the "before" run's lens
        bool ok = same_model ? model_forward_reuse(*m, app.ids, base_opt, app.base_cap, err)
                             : model_forward(*m, app.ids, base_opt, app.base_cap, err);
        if (!ok || !intervention_effects(app.base_cap, app.cap, 8, app.effects, err)) app.base_cap = Capture();
    }
    app.last_run_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    app_clamp(app);
    app_update_probs(app);
    // The second sentence does not change when the first does: re-run it only for a new model.
    if (app.compare_model != m) app_set_compare(app, app.compare_text);
}

void app_update_probs(App& app) {
    const Model* m = app_model(app);
    if (!m || app.cap.T == 0 || app.cap.logits.empty()) {
        app.probs.clear();
        return;
    }
    const float* last = app.cap.logits.data() + app.cap.logits.size() - app.cap.V;
    sampling_distribution(last, app.cap.V, app.sampling, app.probs);
    // A taught model: the distribution before teaching, for the Predict view's "was" (one plain run, in
    // that view only: not on every keystroke elsewhere).
    app.probs_before.clear();
    const Model* orig = app_teach_original(app);
    if (orig && app.view == VIEW_PREDICT) {
        CaptureOptions co;
        co.attention = co.scores = co.qkv = co.residuals = false;
        Capture c;
        std::string err;
        if (model_forward(*orig, app.ids, co, c, err)) sampling_distribution(c.logits.data(), c.V, app.sampling, app.probs_before);
    }
}

void app_set_compare(App& app, const std::string& text) {
    app.compare_text = tokenizer_sanitize_utf8(text);
    app.compare_spans.clear();
    app.compare_bytes.clear();
    app.compare_cap = Capture();
    Model* m = app.model_index >= 0 ? app.models[app.model_index] : nullptr;
    app.compare_model = m;
    if (!m) return;
    app.compare_spans = tokenizer_encode(m->tok, app.compare_text);
    if ((int)app.compare_spans.size() > m->cfg.n_positions) app.compare_spans.resize(m->cfg.n_positions);
    std::vector<int> ids;
    for (const TokenSpan& s : app.compare_spans) {
        ids.push_back(s.id);
        app.compare_bytes.push_back(tokenizer_token_bytes(m->tok, s.id));
    }
    if (app.compare_token >= (int)ids.size()) app.compare_token = -1;
    if (ids.empty()) return;
    CaptureOptions co;
    co.qkv = false, co.lens_top_k = 0;
    std::string err;
    if (!model_forward(*m, ids, co, app.compare_cap, err)) app.compare_cap = Capture();
}

// ---- interventions --------------------------------------------------------------------------------------
bool app_ablated(const App& app, int layer, int head) {
    for (const HeadRef& r : app.iv.ablate)
        if (r.layer == layer && r.head == head) return true;
    return false;
}

bool app_knocked_out(const App& app, int layer, int head, int query, int key) {
    for (const AttentionEdge& e : app.iv.knockout)
        if (e.layer == layer && e.head == head && e.query == query && e.key == key) return true;
    return false;
}

void app_toggle_ablation(App& app, int layer, int head) {
    std::vector<HeadRef>& a = app.iv.ablate;
    auto it = std::find_if(a.begin(), a.end(), [&](const HeadRef& r) { return r.layer == layer && r.head == head; });
    if (it != a.end()) a.erase(it);
    else a.push_back({layer, head});
    app_rerun(app);
}

void app_toggle_knockout(App& app, int layer, int head, int query, int key) {
    if (key > query) return;  // a masked cell has no weight to remove
    std::vector<AttentionEdge>& k = app.iv.knockout;
    auto it = std::find_if(k.begin(), k.end(), [&](const AttentionEdge& e) {
        return e.layer == layer && e.head == head && e.query == query && e.key == key;
    });
    if (it != k.end()) k.erase(it);
    else k.push_back({layer, head, query, key});
    app_rerun(app);
}

void app_set_intervene(App& app, bool on) {
    if (app.intervene == on) return;
    app.intervene = on;
    app_rerun(app);
}

void app_clear_interventions(App& app) {
    app.iv = Interventions();
    app_rerun(app);
}

// Patching: the clean run is the text, the source is the Compare sentence (its every head's z).
bool app_patch_start(App& app, int tok_a, int tok_b) {
    AppPatch& p = app.patch;
    p = AppPatch();
    const Model* m = app_model(app);
    std::vector<int> src_ids;
    for (const TokenSpan& s : app.compare_spans) src_ids.push_back(s.id);
    const int V = m ? m->cfg.vocab_size : 0;
    if (!m || app.ids.empty()) {
        p.status = "Type a sentence first.";
        return false;
    }
    if (src_ids.size() != app.ids.size()) {
        p.status = "Patching needs a Compare sentence with as many tokens as the text (" + std::to_string(app.ids.size()) +
                   "); it has " + std::to_string(src_ids.size()) + ".";
        return false;
    }
    if (tok_a < 0 || tok_a >= V || tok_b < 0 || tok_b >= V || tok_a == tok_b) {
        p.status = "Pick two different next tokens.";
        return false;
    }
    CaptureOptions co;  // every head's z, the last position's logits
    co.attention = co.scores = co.residuals = false;
    std::string err;
    if (!model_forward(*m, src_ids, co, p.source, err) || !patch_clean_run(*m, app.ids, p.clean_run, err)) {
        p.status = "The model could not run: " + err;
        return false;
    }
    p.tok_a = tok_a, p.tok_b = tok_b, p.ids = app.ids, p.model = m;
    p.clean = p.clean_run.logits[tok_a] - p.clean_run.logits[tok_b];
    p.corrupt = p.source.logits[tok_a] - p.source.logits[tok_b];
    p.diffs.assign((size_t)m->cfg.n_layer * m->cfg.n_head, 0.0f);
    p.next = 0;
    return true;
}

bool app_patch_step(App& app, double budget_ms) {
    AppPatch& p = app.patch;
    const Model* m = app_model(app);
    const int n = (int)p.diffs.size();
    if (p.next < 0 || p.next >= n) return false;
    if (m != p.model || app.ids != p.ids) {  // the text or model changed under it
        app_patch_cancel(app);
        p.status = "Patching stopped: the text or the model changed.";
        return false;
    }
    auto t0 = std::chrono::steady_clock::now();
    double spent = 0;
    std::string err;
    do {
        if (!patch_scan(*m, p.ids, p.source, p.tok_a, p.tok_b, p.next, p.next + 1, p.diffs, err, &p.clean_run)) {
            p.status = "Patching failed: " + err;
            p.next = -1;
            return false;
        }
        p.next++;
        spent = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    } while (p.next < n && spent < budget_ms);
    p.ms += spent;
    char buf[96];
    snprintf(buf, sizeof buf, "%d of %d heads patched, %.0f ms", p.next, n, p.ms);
    p.status = buf;
    return p.next < n;
}

void app_patch_cancel(App& app) {
    AppPatch& p = app.patch;
    if (p.next >= 0 && p.next < (int)p.diffs.size()) {
        p.status = "Cancelled after " + std::to_string(p.next) + " of " + std::to_string(p.diffs.size()) + " heads.";
        p.next = -1;
        p.diffs.clear();
    }
}

const std::vector<HeadRoles>& app_roles(App& app) {
    const Model* m = app_model(app);
    if (m && app.roles_model != m) {
        std::string err;
        app.roles.clear();
        if (!head_roles(*m, {}, app.roles, err, 4, 1, &app.roles_uniform)) app.roles.clear();
        app.roles_model = m;
    }
    return app.roles;
}

void app_step(App& app) {
    const Model* m = app_model(app);
    if (!m || app.probs.empty()) return;
    if ((int)app.ids.size() >= m->cfg.n_positions) {
        app.notice = "The context window is full (" + std::to_string(m->cfg.n_positions) + " tokens).";
        return;
    }
    Rng rng;
    rng_seed(rng, app.sampling.seed + (uint64_t)app.generated);
    int id = sample_from(app.probs, rng);
    app.generated++;
    app.locked_token = -1;
    app_set_text(app, app.text + tokenizer_token_bytes(m->tok, id));
}

void app_first_visit(App& app) {
    const Capture& c = app.cap;
    int q = -1;
    for (int i = (int)app.token_bytes.size() - 1; i >= 0 && q < 0; i--) {
        std::string t = app.token_bytes[i];
        while (!t.empty() && t[0] == ' ') t.erase(0, 1);
        if (t == "It" || t == "it") q = i;
    }
    if (q < 2) return;
    // candidate antecedents: earlier words of 3+ letters, not the token just before (a previous-token
    // head's link) and not the first (the attention sink)
    auto word = [&](int k) {
        std::string t = app.token_bytes[k];
        while (!t.empty() && t[0] == ' ') t.erase(0, 1);
        if (t.size() < 3) return false;
        for (char ch : t)
            if (!isalpha((unsigned char)ch)) return false;
        return true;
    };
    float best = -1;
    for (int l = 0; l < c.L; l++)
        for (int h = 0; h < c.H; h++) {
            const float* row = capture_weights_row(c, l, h, q);
            for (int k = 1; row && k + 1 < q; k++)
                if (word(k) && row[k] > best) best = row[k], app.layer = l, app.head = h;
        }
    if (best < 0) return;
    app.view = VIEW_MATRIX;
    app.locked_token = q;
    app.hint = "Each row is a token looking back at the ones before it. Click a token, another head, or Tour for a guided walk.";
}

void app_set_text(App& app, const std::string& text) {
    if (!app.hint.empty()) app.hint.clear(), app.locked_token = -1;  // the first visit's selection was for its sentence
    app.text = tokenizer_sanitize_utf8(text);
    app_rerun(app);
}

void app_add_model(App& app, Model* m) {
    app.models.push_back(m);
    app.model_index = (int)app.models.size() - 1;
    app_rerun(app);
}

std::string app_state_json(const App& app) {
    using nlohmann::json;
    json j;
    j["text"] = app.text;
    j["ids"] = app.ids;
    json tokens = json::array();
    const Model* m = app_model(app);
    for (const TokenSpan& s : app.spans) {
        json t;
        t["id"] = s.id;
        t["text"] = app.text.substr(s.byte_begin, s.byte_end - s.byte_begin);
        t["u16"] = {s.u16_begin, s.u16_end};
        tokens.push_back(t);
    }
    j["tokens"] = tokens;
    j["view"] = app_view_name(app.view);
    j["layer"] = app.layer;
    j["head"] = app.head;
    j["token"] = app_selected_token(app);
    j["locked"] = app.locked_token;
    j["hover"] = app.hover_token;
    j["truncated"] = app.truncated;
    j["total_tokens"] = app.total_tokens;
    j["notice"] = app.notice;
    j["run_ms"] = app.last_run_ms;
    j["tokens_kept"] = app.tokens_kept;      // last run: tokens not re-tokenized
    j["tokens_reused"] = app.tokens_reused;  // last run: tokens whose capture rows were not recomputed
    j["frames"] = app.frames;
    j["sampling"] = {{"temperature", app.sampling.temperature}, {"top_k", app.sampling.top_k},
                     {"top_p", app.sampling.top_p}, {"seed", app.sampling.seed}};
    json models = json::array();
    for (const Model* mm : app.models)
        models.push_back({{"name", mm->name}, {"n_layer", mm->cfg.n_layer}, {"n_head", mm->cfg.n_head},
                          {"n_embd", mm->cfg.n_embd}, {"n_positions", mm->cfg.n_positions},
                          {"vocab_size", mm->cfg.vocab_size}, {"params", gpt2_num_params(mm->cfg)},
                          {"weights", mm->weights_f16() ? "F16" : "F32"}, {"weight_bytes", mm->weight_bytes()},
                          {"file_dtype", mm->source_dtype}});
    j["models"] = models;
    j["model_index"] = app.model_index;
    if (m) {
        j["model"] = {{"name", m->name},
                      {"n_layer", m->cfg.n_layer},
                      {"n_head", m->cfg.n_head},
                      {"n_embd", m->cfg.n_embd},
                      {"n_positions", m->cfg.n_positions},
                      {"vocab_size", m->cfg.vocab_size},
                      {"params", gpt2_num_params(m->cfg)},
                      {"weights", m->weights_f16() ? "F16" : "F32"},
                      {"weight_bytes", m->weight_bytes()},
                      {"file_dtype", m->source_dtype}};
    } else {
        j["model"] = nullptr;
    }
    j["model_status"] = app.model_status;
    if (const LSTMModel* l = app.lstm.get())
        j["lstm"] = {{"name", l->name}, {"num_layers", l->cfg.num_layers}, {"hidden_size", l->cfg.hidden_size},
                     {"embedding_size", l->cfg.embedding_size}, {"vocab_size", l->cfg.vocab_size},
                     {"params", lstm_num_params(l->cfg)}, {"pairs_with_model", memory_pair_ok(app)}};
    else
        j["lstm"] = nullptr;
    if (app.view == VIEW_MEMORY) memory_state(app, j["memory"]);
    const AppTeach& t = app.teach;
    j["modified"] = app_model_modified(app);
    j["teach"] = {{"open", app.teach_open}, {"running", t.running}, {"text", t.text}, {"steps", t.o.steps},
                  {"done", t.losses.size()}, {"lr", t.o.lr}, {"part", teach_part_text(t.o)}, {"losses", t.losses},
                  {"status", t.status}, {"ms", t.ms}};
    j["aggregate"] = app.aggregate ? "rollout" : "mean";
    j["generated"] = app.generated;
    j["describe"] = app_describe(app);
    j["compare"] = app.compare_text;
    j["compare_token"] = app.compare_token;
    j["hint"] = app.hint;
    j["palette"] = viz_palette_name(app.palette);
    j["scale"] = app.color_scale ? "row" : "global";
    j["values"] = app.matrix_values ? "scores" : "weights";
    if (app.quiz != QUIZ_NONE) {
        json quiz = {{"kind", quiz_kind_name(app.quiz)}, {"question", quiz_question(app)}, {"options", quiz_options(app)}};
        const QuizResult r = quiz_result(app);
        quiz["answered"] = r.answered;
        if (r.answered)
            quiz.update({{"guess", r.guess}, {"answer", r.answer}, {"guess_value", r.guess_value},
                         {"answer_value", r.answer_value}, {"rank", r.rank}, {"of", r.of}, {"correct", r.rank == 1},
                         {"reveal", r.text}});
        j["quiz"] = quiz;
    }
    j["tour"] = app.tour;
    if (app.tour > 0) {
        const TourText tt = app_tour_text(app);
        j["tour_title"] = tt.title;
        j["tour_text"] = tt.body;
    }
    j["intervene"] = app.intervene;
    j["ablate"] = format_heads(app.iv.ablate);
    j["ablate_mode"] = app.iv.ablate_mean ? "mean" : "zero";
    j["knockout"] = format_edges(app.iv.knockout);
    j["interventions"] = app.cap.interventions;  // what the current run applied (canonical)
    if (!app.base_cap.ids.empty()) {
        const InterventionEffects& e = app.effects;
        json changes = json::array(), maps = json::array();
        for (const TokenChange& c : e.changes) changes.push_back({{"id", c.id}, {"before", c.before}, {"after", c.after}});
        for (const MapChange& c : e.maps) maps.push_back({{"layer", c.layer}, {"head", c.head}, {"max_diff", c.max_diff}});
        auto num = [](float x) { return std::isfinite(x) ? json(x) : json(nullptr); };
        j["effects"] = {{"loss_before", num(e.loss_before)}, {"loss_after", num(e.loss_after)}, {"changes", changes}, {"maps", maps}};
    }
    const AppPatch& pt = app.patch;
    j["patch"] = {{"status", pt.status}, {"next", pt.next}, {"tok_a", pt.tok_a}, {"tok_b", pt.tok_b},
                  {"clean", pt.clean}, {"corrupt", pt.corrupt}, {"diffs", pt.diffs}, {"ms", pt.ms}};
    int q = app_selected_token(app);
    // The selected query's attention row in the selected head (tests compare it with the CLI).
    if (const float* row = capture_weights_row(app.cap, app.layer, app.head, q))
        j["row"] = std::vector<float>(row, row + app.cap.T);
    if (!app.probs.empty()) {
        std::vector<int> order(app.probs.size());
        for (size_t i = 0; i < order.size(); i++) order[i] = (int)i;
        int k = std::min<int>(app.top_n, (int)order.size());
        std::partial_sort(order.begin(), order.begin() + k, order.end(),
                          [&](int a, int b) { return app.probs[a] != app.probs[b] ? app.probs[a] > app.probs[b] : a < b; });
        json top = json::array();
        for (int i = 0; i < k; i++) {
            top.push_back({{"id", order[i]}, {"p", app.probs[order[i]]}});
            if (!app.probs_before.empty()) top.back()["p_before"] = app.probs_before[order[i]];
        }
        j["top"] = top;
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---- partial state from JSON (setters, share links, postMessage) -------------------------------------
// Reads an integer in [lo, hi]; anything else leaves `out` and records why.
static void json_int(const nlohmann::json& j, const char* key, int lo, int hi, int& out, std::string& notice) {
    if (!j.contains(key)) return;
    const nlohmann::json& v = j[key];
    if (v.is_number_integer() && v.get<long long>() >= lo && v.get<long long>() <= hi) out = (int)v.get<long long>();
    else notice += std::string("ignored ") + key + ": expected a whole number from " + std::to_string(lo) + " to " +
                   std::to_string(hi) + ". ";
}

static void json_float(const nlohmann::json& j, const char* key, float lo, float hi, float& out, std::string& notice) {
    if (!j.contains(key)) return;
    const nlohmann::json& v = j[key];
    if (v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= lo && v.get<double>() <= hi)
        out = (float)v.get<double>();
    else notice += std::string("ignored ") + key + ": expected a number from " + std::to_string(lo).substr(0, 4) +
                   " to " + std::to_string(hi).substr(0, 4) + ". ";
}

// "intervene" (0/1 or true/false), "ablate" ("L.H,…"), "ablate_mode" ("zero"/"mean") and "knockout"
// ("L.H:Q:K,…"); "" clears a list. A list that does not parse or fit the model and text is ignored whole.
// Returns whether the interventions or the mode changed (the mode sets what a run captures).
static bool apply_interventions_json(App& app, const nlohmann::json& j, std::string& notice) {
    const Model* m = app_model(app);
    const bool mode = app.intervene;
    if (j.contains("intervene")) {
        const nlohmann::json& v = j["intervene"];
        if (v.is_boolean()) app.intervene = v.get<bool>();
        else if (v.is_number_integer() && (v.get<long long>() == 0 || v.get<long long>() == 1)) app.intervene = v.get<long long>() == 1;
        else notice += "ignored intervene: expected 0 or 1. ";
    }
    Interventions iv = app.iv;
    if (j.contains("ablate_mode")) {
        const nlohmann::json& v = j["ablate_mode"];
        if (v == "zero" || v == "mean") iv.ablate_mean = v == "mean";
        else notice += "ignored ablate_mode: expected zero or mean. ";
    }
    auto list = [&](const char* key, auto& out, auto parse, const char* form) {
        if (!j.contains(key)) return;
        const nlohmann::json& v = j[key];
        std::string err;
        std::remove_reference_t<decltype(out)> parsed;
        if (!v.is_string() || (!v.get<std::string>().empty() && !parse(v.get<std::string>(), parsed, err))) {
            notice += std::string("ignored ") + key + ": expected " + form + (err.empty() ? "" : " (" + err + ")") + ". ";
            return;
        }
        std::swap(out, parsed);  // out: the new list; parsed: the old one
        if (m && !interventions_check(iv, m->cfg, std::max<int>(1, (int)app.ids.size()), err)) {
            notice += std::string("ignored ") + key + ": " + err + ". ";
            std::swap(out, parsed);
        }
    };
    list("ablate", iv.ablate, parse_heads, "heads as layer.head, comma-separated (e.g. 1.1,2.3)");
    list("knockout", iv.knockout, parse_edges, "edges as layer.head:query:key, comma-separated (e.g. 1.1:5:2)");
    if (interventions_key(iv) == interventions_key(app.iv) && iv.ablate_mean == app.iv.ablate_mean) return mode != app.intervene;
    app.iv = iv;
    return true;
}

std::string app_apply_json(App& app, const std::string& text) {
    using nlohmann::json;
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return "ignored: not a JSON object. ";
    std::string notice;
    const Model* m = app_model(app);
    int L = m ? m->cfg.n_layer : 1, H = m ? m->cfg.n_head : 1, T = (int)app.ids.size();
    if (j.contains("view")) {
        int v = j["view"].is_string() ? app_view_from_name(j["view"].get<std::string>().c_str()) : -1;
        if (v >= 0) app.view = v;
        else notice += "ignored view: unknown view. ";
    }
    int old_layer = app.layer, old_head = app.head;
    json_int(j, "layer", 0, L - 1, app.layer, notice);
    json_int(j, "head", 0, H - 1, app.head, notice);
    json_int(j, "token", -1, T - 1, app.locked_token, notice);
    json_int(j, "aggregate", 0, 1, app.aggregate, notice);
    json_int(j, "top_n", 1, 50, app.top_n, notice);
    bool resample = false;
    float temperature = app.sampling.temperature, top_p = app.sampling.top_p;
    int top_k = app.sampling.top_k;
    json_float(j, "temperature", 0.0f, 5.0f, temperature, notice);
    json_float(j, "top_p", 0.0f, 1.0f, top_p, notice);
    json_int(j, "top_k", 0, 1 << 20, top_k, notice);
    if (j.contains("seed")) {
        const json& v = j["seed"];
        if (v.is_number_unsigned() || (v.is_number_integer() && v.get<long long>() >= 0)) app.sampling.seed = v.get<uint64_t>();
        else notice += "ignored seed: expected a whole number >= 0. ";
    }
    if (temperature != app.sampling.temperature || top_p != app.sampling.top_p || top_k != app.sampling.top_k) {
        app.sampling.temperature = temperature, app.sampling.top_p = top_p, app.sampling.top_k = top_k;
        resample = true;
    }
    if (j.contains("compare")) {
        if (j["compare"].is_string()) app_set_compare(app, j["compare"].get<std::string>());
        else notice += "ignored compare: expected text. ";
    }
    json_int(j, "compare_token", -1, (int)app.compare_spans.size() - 1, app.compare_token, notice);
    bool rerun = apply_interventions_json(app, j, notice);
    if (j.contains("teach")) {  // after "seed": the teaching's seed
        TeachOptions o;
        o.seed = app.sampling.seed;
        json_int(j, "steps", 1, 10000, o.steps, notice);
        json_float(j, "lr", 1e-6f, 1.0f, o.lr, notice);
        if (j.contains("part") && !(j["part"].is_string() && teach_part_parse(j["part"].get<std::string>(), o)))
            notice += "ignored part: expected all, embeddings or layer:N. ";
        app.teach_open = true;
        if (!j["teach"].is_string()) notice += "ignored teach: expected text. ";
        else if (!app_teach_start(app, j["teach"].get<std::string>(), o)) notice += "ignored teach: " + app.teach.status + " ";
    }
    if (j.contains("teach_open") && j["teach_open"].is_boolean()) app.teach_open = j["teach_open"].get<bool>();
    // honest colour: named choices ("palette", "scale", "values")
    auto choice = [&](const char* key, std::initializer_list<const char*> names, int& out) {
        if (!j.contains(key)) return;
        int i = 0;
        for (const char* n : names) {
            if (j[key].is_string() && j[key].get<std::string>() == n) { out = i; return; }
            i++;
        }
        std::string list;
        for (const char* n : names) list += (list.empty() ? "" : ", ") + std::string(n);
        notice += std::string("ignored ") + key + ": expected one of " + list + ". ";
    };
    choice("palette", {"default", "cividis", "gray"}, app.palette);
    choice("scale", {"global", "row"}, app.color_scale);
    choice("values", {"weights", "scores"}, app.matrix_values);
    if (j.contains("quiz")) {
        const int kind = j["quiz"].is_string() ? quiz_kind_from_name(j["quiz"].get<std::string>()) : -1;
        if (kind >= 0) quiz_set(app, kind);
        else notice += "ignored quiz: expected attend or next. ";
    }
    int tour = app.tour;
    json_int(j, "tour", 0, TOUR_STEPS, tour, notice);
    if (j.contains("tour") && tour != app.tour) {  // after the view and selection keys: the step sets its own
        if (rerun) app_rerun(app), rerun = false;   // (its numbers need the run with the interventions)
        app_tour_go(app, tour);
    }
    // Only the selected head's Q/K/V are captured for big models: re-run when it changes.
    if (rerun || ((app.layer != old_layer || app.head != old_head) && app.cap_opt.qkv_layer >= 0)) app_rerun(app);
    else if (resample) app_update_probs(app);
    return notice;
}

std::string app_prose_token(const std::string& bytes) {
    std::string s;
    for (char ch : tokenizer_sanitize_utf8(bytes)) s += ch == '\n' ? "\xE2\x86\xB5" : ch == '\t' ? "\xE2\x86\x92" : std::string(1, ch);
    if (s.size() > 1 && s[0] == ' ') s.erase(0, 1);
    return "\xE2\x80\x9C" + s + "\xE2\x80\x9D";
}

// ---- description in words (screen readers) -----------------------------------------------------------
static std::string quoted(const std::string& bytes) { return "\u2018" + bytes + "\u2019"; }

std::string app_describe(const App& app) {
    const Model* m = app_model(app);
    if (!m) return app.model_status.empty() ? "Loading the model." : app.model_status;
    int T = app.cap.T, q = app_selected_token(app);
    if (T == 0 || q < 0) return app.notice.empty() ? "No text." : app.notice;
    const float* row = capture_weights_row(app.cap, app.layer, app.head, q);
    if (!row) return "No attention captured.";
    std::vector<int> order;
    for (int k = 0; k <= q; k++) order.push_back(k);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return row[a] != row[b] ? row[a] > row[b] : a < b; });
    char buf[64];
    std::string s = "Layer " + std::to_string(app.layer) + ", head " + std::to_string(app.head) + ": " +
                    quoted(tokenizer_sanitize_utf8(app.token_bytes[q])) + " attends most to ";
    for (int i = 0; i < (int)order.size() && i < 4; i++) {
        snprintf(buf, sizeof buf, " %.2f", row[order[i]]);
        s += (i ? ", " : "") + quoted(tokenizer_sanitize_utf8(app.token_bytes[order[i]])) + buf;
    }
    return s + ".";
}

// ---- export: the schema of `attnlab run --json`, by the same writer (src/model/capture_json.cpp) ------
std::string app_export_json(const App& app, bool all_heads) {
    const Model* m = app_model(app);
    if (!m || app.cap.T == 0) return "{}";
    CaptureJsonOptions opt;  // attention, logits of the last position, top 10
    if (!all_heads) opt.layer = app.layer, opt.head = app.head;  // [1][1][T][T] + attention_layer/head
    std::string out, err;
    if (capture_json_write(*m, app.cap, app.ids, opt, out, err)) return out;
    out = "{\"error\":";
    json_append_string(out, err);
    return out + "}";
}
