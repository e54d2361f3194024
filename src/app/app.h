// The app state: owns what the page shows (text, models, capture, view, selection, sampling) and
// wires tokenizer + model together. Plain C++ (no ImGui, SDL or browser): app.cpp and url_state.cpp
// build natively too (the attnlab_app library: unit tests, benchmarks); ui.cpp, bridge.cpp and
// main.cpp are the browser's part.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/influence.h"
#include "model/intervene.h"
#include "model/lstm.h"
#include "model/model.h"
#include "model/roles.h"
#include "train/teach.h"

enum AppView {
    VIEW_TOKENS = 0,
    VIEW_HEADS,
    VIEW_MATRIX,
    VIEW_MODEL,
    VIEW_MATH,
    VIEW_AGGREGATE,
    VIEW_EMBED,
    VIEW_PREDICT,
    VIEW_CONTEXT,
    VIEW_COMPARE,
    VIEW_MEMORY,
    VIEW_COUNT
};
const char* app_view_name(int view);  // "tokens", "heads", ... (share-link spelling)
int app_view_from_name(const char* name);  // -1 if unknown

// Activation patching over every head, with the Compare sentence as the source run: one head at a time
// (app_patch_step), so the page shows progress and can cancel.
struct AppPatch {
    int tok_a = -1, tok_b = -1;       // the score: logit[tok_a] - logit[tok_b] at the last position (the page's picks)
    std::vector<int> ids;             // the text it was started on (results for another text are dropped)
    const Model* model = nullptr;
    Capture source;                   // the Compare sentence's run (every head's z)
    Capture clean_run;                // the text's plain run with residuals (each head's run starts from it)
    float clean = 0, corrupt = 0;     // the score on the text and on the Compare sentence
    std::vector<float> diffs;         // [L*H] the score with that one head patched (layer-major)
    int next = -1;                    // next head to run; -1: not started; L*H: done
    double ms = 0;                    // time spent so far
    std::string status;               // progress, or why it cannot run
};

// The Memory view's computation (app/memory.h): both models' influence matrices for one text.
struct AppMemory {
    std::vector<int> ids;             // the text it is for
    const Model* gpt = nullptr;       // the models it is for
    const LSTMModel* lstm = nullptr;
    uint64_t weights_version = 0;
    InfluenceJob gpt_job, lstm_job;   // [T, T] influence each (model/influence.h)
    std::vector<float> rollout;       // [T, T] the transformer's attention rollout through all layers
    std::vector<float> cell_norm, forget;  // [L, T] the LSTM's ‖c_t‖ and mean forget gate per layer
    std::vector<float> by_distance[2];     // [T] transformer, LSTM: mean influence at distance d (when done)
    double ms = 0;                    // time spent on it
    std::string status;               // progress, or why it cannot run
    bool failed = false;
};

// Teaching the selected model a text in the page (app/teach.h): the session runs a few steps a frame.
struct AppTeach {
    std::string text;                 // what is (or was last) taught
    TeachOptions o;
    TeachSession session;             // weights being taught + AdamW state: only while running
    bool running = false;
    std::vector<float> losses;        // the last teaching's losses, one per step (kept after it ends)
    std::unique_ptr<Model> original;  // the taught model as it was before its first step (Reset restores it)
    Model* model = nullptr;           // the model being or last taught (nullptr: none)
    bool modified = false;            // model's weights differ from original's (a step has run since Reset)
    double ms = 0;                    // time spent stepping
    std::string status;               // progress, the outcome, or why it cannot run
};

struct App {
    // ---- models --------------------------------------------------------------------------------
    std::vector<Model*> models;       // [0] is the built-in model once loaded
    int model_index = -1;
    std::string model_status;         // "loading…", or the last load error

    // ---- input -----------------------------------------------------------------------------------
    std::string text;                 // exactly as typed (UTF-8, sanitized)
    std::vector<TokenSpan> spans;     // tokens of `text` (possibly truncated to the window)
    std::vector<int> ids;
    bool truncated = false;           // text had more tokens than n_positions
    int total_tokens = 0;             // before truncation
    std::string notice;               // a message for the user about the input (never fatal)

    // ---- engine output ---------------------------------------------------------------------------
    Capture cap;
    CaptureOptions cap_opt;
    double last_run_ms = 0;
    // The keystroke path: the next run re-uses the tokens and capture of this text and model for the
    // unchanged beginning (tokenizer_encode_edit, model_forward_reuse).
    std::string run_text;             // the text spans/cap were computed from
    const Model* run_model = nullptr; // the model they were computed with
    int tokens_kept = 0;              // last run: tokens not re-tokenized
    int tokens_reused = 0;            // last run: tokens whose capture rows were not recomputed

    // ---- view + selection ----------------------------------------------------------------------
    int view = VIEW_MATRIX;
    int layer = 0, head = 0;
    int hover_token = -1;             // token under the pointer (any view)
    int locked_token = -1;            // clicked token (-1: none); selection = locked or hover or last
    std::vector<uint8_t> head_enabled;  // [H] head view toggles

    int matrix_hover_row = -1, matrix_hover_col = -1;
    // honest colour (share links: palette, scale, values)
    int palette = 0;                  // VizPalette: default, cividis, gray
    int color_scale = 0;              // 0: one scale 0-1 for every cell; 1: each row by its own largest weight
    int matrix_values = 0;            // Matrix view: 0 attention weights; 1 scores before softmax (diverging)
    int aggregate = 0;                // 0 mean over heads, 1 rollout

    // ---- sampling / predict ----------------------------------------------------------------------
    SamplingParams sampling;
    int top_n = 10;                   // bars shown
    std::vector<float> probs;         // [V] distribution after temperature/top-k/top-p (last position)
    std::vector<float> probs_before;  // [V] the same from the model before teaching (while it is taught)
    int generated = 0;                // tokens appended by "step" (seeds the step's RNG)

    // ---- compare ---------------------------------------------------------------------------------
    std::string compare_text = "She donated to a good cause.";
    std::vector<TokenSpan> compare_spans;
    std::vector<std::string> compare_bytes;
    Capture compare_cap;
    const Model* compare_model = nullptr;  // the model compare_cap was computed with
    int compare_token = -1;           // token in the compare sentence (-1: same text as the selection)

    // ---- derived per run -------------------------------------------------------------------------
    std::vector<std::string> token_bytes;  // [T] raw bytes of each token (labels)

    // ---- interventions (the Intervene mode) ----------------------------------------------------------
    bool intervene = false;           // clicks ablate heads (Model grid) and knock out cells (Matrix)
    Interventions iv;                 // ablations (zero or mean) and knock-outs, applied to every run of the text
    Capture base_cap;                 // while iv is not empty: the same text without them (the "before")
    InterventionEffects effects;      // before vs after, while iv is not empty
    AppPatch patch;
    // head roles of the current model on the role probes (computed on first use)
    std::vector<HeadRoles> roles;
    HeadRoles roles_uniform;
    const Model* roles_model = nullptr;

    // ---- teaching (the Teach panel) ---------------------------------------------------------------------
    AppTeach teach;
    bool teach_open = false;          // the Teach panel is shown
    uint64_t weights_version = 0;     // bumped whenever a model's weights change (caches keyed by model see it)

    // ---- memory (the Memory view: the transformer beside an LSTM) --------------------------------------
    std::unique_ptr<LSTMModel> lstm;  // loaded on demand (the page fetches it when the view opens)
    AppMemory memory;

    int tour = 0;                     // walkthrough step (1-based; 0: off), app/tour.h
    int quiz = 0;                     // predict-then-reveal question (app/quiz.h QuizKind; 0: none)
    int quiz_guess = -1;              // the learner's answer (-1: not yet): token index or vocabulary id
    std::string hint;                 // the first visit's one-line hint (until the first click or edit)

    uint64_t frames = 0;
    bool dark = true;
};

extern App g_app;

// What a run captures for T tokens in `view` (the capture policy; bench/model_bench.cpp measures it):
// everything for small captures; above APP_CAPTURE_BIG_BYTES, Q/K/V of (layer, head) only and no
// pre-mask scores; the logit lens only in the Predict view, at every position while that is cheap.
constexpr size_t APP_CAPTURE_BIG_BYTES = (size_t)96 << 20;
CaptureOptions app_capture_options(const GPT2Config& cfg, int T, int view, int layer, int head);
// Replaces the text and re-runs tokenizer + model. Never fails: problems go to app.notice.
void app_set_text(App& app, const std::string& text);
// Re-runs the model on the current text (after a model switch or a setting change).
void app_rerun(App& app);
// Adds a loaded model (takes ownership) and selects it.
void app_add_model(App& app, Model* m);
const Model* app_model(const App& app);
// The token the views explain: locked, else hovered, else the last one (-1 if no tokens).
int app_selected_token(const App& app);
// Clamps layer/head/selection to the current model and text.
void app_clamp(App& app);
// The whole state as JSON (for window.attnlab.state()).
std::string app_state_json(const App& app);
// Applies a partial state {"view","layer","head","token","locked","temperature","top_k","top_p","seed",
// "compare","aggregate","intervene","ablate","ablate_mode","knockout","tour","quiz","palette","scale","values",
// "teach" (text: teaches it, with "steps", "lr", "part" = all|embeddings|layer:N and "seed"), "teach_open"}: unknown keys are ignored, bad values keep the current one and add a line to
// the returned notice ("" if all applied).
std::string app_apply_json(App& app, const std::string& json);
// Appends one sampled token (seeded by seed + generated count) to the text and re-runs.
void app_step(App& app);
// Re-computes the predict distribution from the captured logits and the sampling settings.
void app_update_probs(App& app);
void app_set_compare(App& app, const std::string& text);
// Tokens, ids, attention (all heads, or only the selected one) and logits/top-k: the schema of
// `attnlab run --json` (one writer: model/capture_json.h), so a figure's numbers can be checked against the CLI.
std::string app_export_json(const App& app, bool all_heads);
// ---- interventions ----------------------------------------------------------------------------------
// Toggles the ablation of (layer, head) / the knock-out of one attention edge, and re-runs.
void app_toggle_ablation(App& app, int layer, int head);
void app_toggle_knockout(App& app, int layer, int head, int query, int key);
bool app_ablated(const App& app, int layer, int head);
bool app_knocked_out(const App& app, int layer, int head, int query, int key);
void app_clear_interventions(App& app);
// Intervene mode on/off (re-runs: in the mode every position's logits are kept, for the text loss).
void app_set_intervene(App& app, bool on);
// Starts patching every head: the text as the clean run, the Compare sentence (same token count) as
// the source; false + app.patch.status if it cannot run.
bool app_patch_start(App& app, int tok_a, int tok_b);
// Runs patched heads until budget_ms has passed (at least one); returns true while heads are left.
bool app_patch_step(App& app, double budget_ms);
void app_patch_cancel(App& app);
// Head roles of the current model (computed once per model on the role probes).
const std::vector<HeadRoles>& app_roles(App& app);

// A first visit (no share link): the default sentence with the head that links its pronoun to its
// antecedent (the strongest attention from "It" to an earlier word of 3+ letters, not the token just
// before it), that token locked, the Matrix view, and a one-line hint. The next text edit unlocks the token and ends the hint.
void app_first_visit(App& app);

// A token in quotes for prose (the tour, the quiz): its text without a GPT-2 token's leading space,
// a newline as ↵ and a tab as →.
std::string app_prose_token(const std::string& bytes);
// In words, what is selected (for the screen-reader mirror).
std::string app_describe(const App& app);
