// Teach: the learner teaches the selected model a text in the page (fine-tuning, train/teach.h), a
// few steps a frame, and sees the loss fall, the embedding's values move at a fixed width, the
// prediction and the attention maps change; Reset restores the weights bit for bit. Plain C++: builds
// natively (the unit tests drive it like the page does).
#pragma once
#include <string>

#include "app/app.h"

// Starts teaching the selected model `text` (the model's tokenizer); false with app.teach.status if it
// cannot (no model, F16 weights, a text of fewer than two tokens, bad options, not enough memory).
// The first teaching of a model keeps a copy of it for Reset.
bool app_teach_start(App& app, const std::string& text, const TeachOptions& o);
// Runs steps until budget_ms has passed (at least one), then re-runs the views' model; returns true
// while steps are left. At the end the AdamW state is freed.
bool app_teach_step(App& app, double budget_ms);
void app_teach_stop(App& app);
// Restores the taught model's original weights (bit for bit) and frees the copy.
void app_teach_reset(App& app);
// The selected model's weights differ from what was loaded.
bool app_model_modified(const App& app);
// The taught model's original (or nullptr): the "before" of the Embed and Predict views.
const Model* app_teach_original(const App& app);
