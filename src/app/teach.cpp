// Teach (see teach.h).
#include "app/teach.h"

#include <chrono>
#include <cstdio>

bool app_teach_start(App& app, const std::string& text, const TeachOptions& o) {
    AppTeach& t = app.teach;
    app_teach_stop(app);
    if (app.model_index < 0 || app.model_index >= (int)app.models.size()) {
        t.status = "No model is loaded.";
        return false;
    }
    Model* m = app.models[app.model_index];
    const std::vector<int> ids = tokenizer_encode_ids(m->tok, text);  // (it sanitizes the UTF-8 itself)
    std::string err;
    if (!teach_start(t.session, *m, ids, o, err)) {
        t.session = TeachSession();
        t.status = "Cannot teach: " + err + ".";
        return false;
    }
    if (t.model != m) {  // a model's first teaching: keep it for Reset (another taught model is restored first)
        app_teach_reset(app);
        t.original = std::make_unique<Model>(Model::without_packed(*m));
        t.model = m;
    }
    app_patch_cancel(app);
    t.text = text, t.o = o, t.losses.clear(), t.ms = 0, t.running = true;
    t.status = "Teaching…";
    return true;
}

// The model's weights changed: nothing computed from the old ones may be re-used.
static void weights_changed(App& app) {
    app.weights_version++;
    app.run_model = nullptr;    // no keystroke re-use of the old capture
    app.roles_model = nullptr;  // head roles are recomputed on next use
    app.compare_model = nullptr;  // the Compare sentence is re-run too
    app_rerun(app);
}

bool app_teach_step(App& app, double budget_ms) {
    AppTeach& t = app.teach;
    if (!t.running) return false;
    const auto t0 = std::chrono::steady_clock::now();
    double spent = 0;
    do {
        teach_step(t.session, *t.model);
        spent = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    } while (!teach_done(t.session) && spent < budget_ms);
    t.ms += spent;
    t.modified = true;
    t.losses = t.session.losses;
    char buf[160];
    const int n = (int)t.losses.size();
    snprintf(buf, sizeof buf, "%s %d of %d steps, loss %.3f \xE2\x86\x92 %.3f (%.0f ms)", teach_done(t.session) ? "Taught:" : "Teaching:",
             n, t.o.steps, t.losses.front(), t.losses.back(), t.ms);
    t.status = buf;
    if (teach_done(t.session)) t.running = false, t.session = TeachSession();  // frees the AdamW state
    weights_changed(app);
    return t.running;
}

void app_teach_stop(App& app) {
    AppTeach& t = app.teach;
    if (!t.running) return;
    t.running = false;
    t.session = TeachSession();
    t.status = "Stopped after " + std::to_string(t.losses.size()) + " of " + std::to_string(t.o.steps) + " steps.";
}

void app_teach_reset(App& app) {
    AppTeach& t = app.teach;
    app_teach_stop(app);
    if (!t.model || !t.original) return;
    *t.model = *t.original;
    model_pack_weights(*t.model);  // (Reset's copy keeps none)
    t.original.reset();
    t.model = nullptr;
    t.modified = false;
    t.losses.clear();
    t.status = "Reset to the original weights.";
    weights_changed(app);
}

bool app_model_modified(const App& app) { return app.teach.modified && app.teach.model == app_model(app); }

const Model* app_teach_original(const App& app) { return app_model_modified(app) ? app.teach.original.get() : nullptr; }
