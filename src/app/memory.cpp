// The Memory view's computation (see memory.h).
#include "app/memory.h"

#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

void app_set_lstm(App& app, LSTMModel* lstm) {
    app.lstm.reset(lstm);
    app.memory = AppMemory();  // it pointed at the old one
}

bool memory_pair_ok(const App& app) {
    const Model* m = app_model(app);
    return m && app.lstm && m->tok.id_to_bytes == app.lstm->tok.id_to_bytes &&
           m->tok.merge_result == app.lstm->tok.merge_result && m->tok.merge_rank == app.lstm->tok.merge_rank;
}

static bool memory_stale(const App& app) {
    const AppMemory& mem = app.memory;
    return mem.ids != app.ids || mem.gpt != app_model(app) || mem.lstm != app.lstm.get() ||
           mem.weights_version != app.weights_version;
}

// The LSTM's per-layer curves and the transformer's rollout: one plain run each.
static bool memory_curves(App& app, std::string& err) {
    AppMemory& mem = app.memory;
    lstm_capture_curves(mem.lstm_job.lcap, mem.cell_norm, mem.forget);
    CaptureOptions opt;  // the attention weights only
    opt.scores = opt.qkv = opt.residuals = false;
    Capture cap;
    if (!model_forward(*mem.gpt, mem.ids, opt, cap, err)) return false;
    std::vector<float> scratch;
    attention_rollout(cap, cap.L - 1, mem.rollout, scratch);
    return true;
}

static bool memory_start(App& app) {
    AppMemory& mem = app.memory;
    mem = AppMemory();
    mem.ids = app.ids, mem.gpt = app_model(app), mem.lstm = app.lstm.get(), mem.weights_version = app.weights_version;
    mem.failed = true;
    if (!mem.lstm) {
        mem.status = "No LSTM is loaded: the page loads its own when this view opens, or load an LSTM folder (Load model…).";
        return false;
    }
    if (!mem.gpt || mem.ids.empty()) {
        mem.status = "Type a sentence.";
        return false;
    }
    if (!memory_pair_ok(app)) {
        mem.status = "The LSTM " + mem.lstm->name + " reads another vocabulary than " + mem.gpt->name +
                     ", so their tokens cannot be lined up. Load the transformer trained with the LSTM's tokenizer.";
        return false;
    }
    Model* gpt = app.models[app.model_index];
    const int neutral = influence_neutral_id(gpt->tok, gpt->cfg.vocab_size);
    std::string err;
    if (!influence_job_start(mem.gpt_job, gpt, nullptr, mem.ids, neutral, false, err) ||
        !influence_job_start(mem.lstm_job, nullptr, mem.lstm, mem.ids, neutral, false, err) || !memory_curves(app, err)) {
        mem.status = "The models could not run: " + err;
        return false;
    }
    mem.failed = false;
    return true;
}

bool memory_step(App& app, double budget_ms) {
    AppMemory& mem = app.memory;
    if (memory_stale(app) && !memory_start(app)) return false;
    if (mem.failed) return false;
    InfluenceJob* jobs[2] = {&mem.gpt_job, &mem.lstm_job};
    if (influence_job_done(*jobs[0]) && influence_job_done(*jobs[1])) return false;
    const auto t0 = std::chrono::steady_clock::now();
    double spent = 0;
    std::string err;
    do {
        for (InfluenceJob* job : jobs)
            if (!influence_job_done(*job) && !influence_job_step(*job, err)) {
                mem.failed = true;
                mem.status = "The influence could not be computed: " + err;
                return false;
            }
        spent = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    } while (spent < budget_ms && !(influence_job_done(*jobs[0]) && influence_job_done(*jobs[1])));
    mem.ms += spent;
    const int T = (int)mem.ids.size();
    if (influence_job_done(*jobs[0]) && influence_job_done(*jobs[1])) {
        for (int i = 0; i < 2; i++) influence_by_distance(jobs[i]->kl, T, mem.by_distance[i]);
        char buf[96];
        snprintf(buf, sizeof buf, "%d tokens, %d occluded runs per model, %.0f ms", T, T, mem.ms);
        mem.status = buf;
        return false;
    }
    char buf[128];
    snprintf(buf, sizeof buf, "Computing influence: transformer %d of %d runs, LSTM %d of %d steps (%.0f ms)",
             jobs[0]->done, T, jobs[1]->done, T, mem.ms);
    mem.status = buf;
    return true;
}

static bool memory_done(const App& app) {
    const AppMemory& mem = app.memory;
    return !mem.failed && !memory_stale(app) && influence_job_done(mem.gpt_job) && influence_job_done(mem.lstm_job);
}

MemoryRow memory_row(const App& app) {
    MemoryRow r;
    if (!memory_done(app)) return r;
    const AppMemory& mem = app.memory;
    const int T = (int)mem.ids.size(), P = app_selected_token(app);
    if (P < 0 || P >= T) return r;
    auto row = [&](const std::vector<float>& m) {
        return std::vector<float>(m.begin() + (size_t)P * T, m.begin() + (size_t)P * T + P + 1);
    };
    r.position = P;
    r.transformer = row(mem.gpt_job.kl), r.lstm = row(mem.lstm_job.kl), r.rollout = row(mem.rollout);
    return r;
}

void memory_state(const App& app, nlohmann::json& out) {
    using nlohmann::json;
    const AppMemory& mem = app.memory;
    const MemoryRow r = memory_row(app);
    const int T = (int)mem.ids.size();
    auto per_layer = [&](const std::vector<float>& v) {
        json a = json::array();
        for (size_t l = 0; T > 0 && l < v.size() / T; l++) a.push_back(std::vector<float>(v.begin() + l * T, v.begin() + (l + 1) * T));
        return a;
    };
    const int units = 2 * T, done = mem.gpt_job.done + mem.lstm_job.done;
    out = {{"transformer_model", mem.gpt ? json(mem.gpt->name) : json(nullptr)},
           {"lstm_model", app.lstm ? json(app.lstm->name) : json(nullptr)},
           {"done", memory_done(app)},
           {"progress", units > 0 ? (double)done / units : 0.0},
           {"ms", mem.ms},
           {"status", memory_stale(app) ? std::string("Not computed for this text yet.") : mem.status},
           {"position", r.position},
           {"transformer", r.transformer},
           {"lstm", r.lstm},
           {"rollout", r.rollout},
           {"by_distance", {{"transformer", mem.by_distance[0]}, {"lstm", mem.by_distance[1]}}},
           {"cell_norm", per_layer(mem.cell_norm)},
           {"forget", per_layer(mem.forget)}};
}
