// Teaching the loaded model one text: fine-tuning with AdamW, a step at a time, so the page can run a
// few steps per frame ("Teach"), and the CLI the same steps natively (`attnlab teach`).
//
// The text is the whole batch: one window, inputs ids[0..n-2] and targets ids[1..n-1] (a text longer
// than the model's window + 1: each step a window of it at a place drawn from the seed). What is
// trained: every weight, the embeddings only (wte and wpe), or one layer (its 12 tensors); the others
// get zero gradients and, with no weight decay, stay bit for bit as they were. Constant learning rate,
// gradient clipping at 1, AdamW (β 0.9 / 0.95, no weight decay). One shard, so the steps are the same
// on every thread count; the WASM and native builds differ only by floating-point rounding.
// AdamW's state exists only while a session does.
#pragma once
#include <string>
#include <vector>

#include "model/model.h"
#include "train/train.h"

enum TeachPart { TEACH_ALL = 0, TEACH_EMBEDDINGS, TEACH_LAYER };
const char* teach_part_name(int part);  // "all", "embeddings", "layer"

struct TeachOptions {
    int steps = 30;
    float lr = 1e-4f;
    uint64_t seed = 1;
    int part = TEACH_ALL;
    int layer = 0;                  // with TEACH_LAYER
    size_t memory_limit = 0;        // bytes teaching may take (0: what the platform has left; tests set it)
};

// "all", "embeddings", "layer:N" (share links, state(), the CLI's --part) and back; false for anything else.
std::string teach_part_text(const TeachOptions& o);
bool teach_part_parse(const std::string& text, TeachOptions& o);

struct TeachSession {
    TeachOptions o;
    TrainModel tm;                   // the weights being taught, their gradients and AdamW moments
    TrainOptions topt;
    TrainState st;
    std::vector<int> ids;            // the text's tokens
    std::vector<std::pair<size_t, size_t>> trained;  // [begin, end) parameter ranges that move
    std::vector<float> losses;       // one per step done (the loss before that step's update)
};

// Bytes a session of this model and text length needs (the copy kept for Reset, weights, gradients, AdamW
// moments, activations), and the bytes the platform has left (WASM: up to its 4 GB memory; native: no limit).
size_t teach_memory_bytes(const GPT2Config& cfg, int tokens);
size_t teach_memory_available();
// Checks the model (F32 weights), the text (2 tokens or more) and the options; false with err
// ("…needs about N MB…" when the memory cannot be had).
bool teach_start(TeachSession& s, const Model& m, const std::vector<int>& ids, const TeachOptions& o, std::string& err);
// One step: forward + backward on the window, clip, update; the new weights are copied into m.params.
void teach_step(TeachSession& s, Model& m);
inline bool teach_done(const TeachSession& s) { return (int)s.losses.size() >= s.o.steps; }

// The model's weights as a Hugging Face GPT-2 model.safetensors (F32: the exact weights; F16 if f16).
std::string gpt2_safetensors_bytes(const GPT2Config& cfg, const float* params, bool f16);
