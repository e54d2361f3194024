// App state transitions: text -> tokens -> capture. No ImGui here.
#include "app/app.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include <nlohmann/json.hpp>

App g_app;

static const char* VIEW_NAMES[VIEW_COUNT] = {"tokens", "heads", "matrix", "model", "math",
                                             "aggregate", "embed", "predict", "context", "compare"};

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

void app_rerun(App& app) {
    Model* m = app.model_index >= 0 ? app.models[app.model_index] : nullptr;
    app.notice.clear();
    app.spans.clear();
    app.ids.clear();
    app.truncated = false;
    app.total_tokens = 0;
    if (!m) {
        app.cap = Capture();
        app_clamp(app);
        return;
    }
    auto t0 = std::chrono::steady_clock::now();
    app.spans = tokenizer_encode(m->tok, app.text);
    app.total_tokens = (int)app.spans.size();
    int max_T = m->cfg.n_positions;
    if ((int)app.spans.size() > max_T) {
        app.spans.resize(max_T);
        app.truncated = true;
        app.notice = "The context window is " + std::to_string(max_T) + " tokens; showing the first " +
                     std::to_string(max_T) + " of " + std::to_string(app.total_tokens) + ".";
    }
    for (const TokenSpan& s : app.spans) app.ids.push_back(s.id);
    if (app.ids.empty()) {
        app.cap = Capture();
        if (app.text.empty()) app.notice = "Type a sentence to see how the model reads it.";
        else app.notice = "The text has no tokens.";
    } else {
        std::string err;
        if (!model_forward(*m, app.ids, app.cap_opt, app.cap, err)) {
            app.cap = Capture();
            app.notice = "The model could not run: " + err;
        }
    }
    app.last_run_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    app_clamp(app);
}

void app_set_text(App& app, const std::string& text) {
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
    j["frames"] = app.frames;
    j["sampling"] = {{"temperature", app.sampling.temperature}, {"top_k", app.sampling.top_k},
                     {"top_p", app.sampling.top_p}, {"seed", app.sampling.seed}};
    if (m) {
        j["model"] = {{"name", m->name},
                      {"n_layer", m->cfg.n_layer},
                      {"n_head", m->cfg.n_head},
                      {"n_embd", m->cfg.n_embd},
                      {"n_positions", m->cfg.n_positions},
                      {"vocab_size", m->cfg.vocab_size},
                      {"params", gpt2_num_params(m->cfg)}};
    } else {
        j["model"] = nullptr;
    }
    j["model_status"] = app.model_status;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}
