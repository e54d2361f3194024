// The Memory view's numbers: the same text through the transformer (the selected model) and an LSTM
// (app.lstm) trained on the same tokens, side by side.
//   - occlusion influence (model/influence.h) of every token on every later prediction, for both;
//   - the transformer's attention rollout (derived);
//   - the LSTM's cell-state norm ‖c_t‖ and mean forget gate per layer along the text;
//   - influence against distance, averaged over every position of the text, for both.
// A 256-token text is ~T²/2 model rows per model, so the work runs in units a frame at a time
// (memory_step), restarting when the text or a model changes. Plain C++: builds natively.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "app/app.h"

// Takes ownership of an LSTM (the one the Memory view shows; replaces the previous one).
void app_set_lstm(App& app, LSTMModel* lstm);
// True if the transformer and the LSTM read the same tokens (same vocabulary and merges): their
// influence can then be lined up token by token.
bool memory_pair_ok(const App& app);
// Starts (or restarts, when the text or a model changed) and advances the computation until budget_ms
// has passed (at least one unit); returns true while work is left. Sets app.memory.status.
bool memory_step(App& app, double budget_ms);
// The numbers at the selected position, once done: each model's influence of tokens 0..P on the
// prediction after token P, and the rollout row (empty while computing or without a pair).
struct MemoryRow {
    int position = -1;
    std::vector<float> transformer, lstm, rollout;  // [P + 1]
};
MemoryRow memory_row(const App& app);
// The Memory view's part of state(): {"transformer_model", "lstm_model", "position", "transformer",
// "lstm", "rollout" (P+1 values each, once done), "by_distance": {"transformer", "lstm"} ([T] each),
// "cell_norm", "forget" ([L][T]), "done", "progress" (0-1), "ms" (the engine time so far), "status"}.
void memory_state(const App& app, nlohmann::json& out);
