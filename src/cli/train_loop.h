// The `run` loop that `attnlab train` (GPT-2) and `attnlab train-lstm` share: token files, then steps
// with a log line every 10 steps, held-out evaluation, checkpoints and snapshots, resumable.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "train/train.h"

// Both token files hold more than T + 1 tokens; a vocab of 0 becomes the largest training id + 1; every
// training id is below vocab. Prints its own errors (prefixed by cmd).
bool train_tokens_load(const char* cmd, const char* train_path, const char* val_path, int T, int& vocab,
                       std::vector<uint16_t>& train, std::vector<uint16_t>& val);

struct TrainLoop {
    const char* cmd = "attnlab train";  // the message prefix
    std::string out_dir;                // ckpt.bin, log.txt, snapshots/step_N.bin
    int steps = 0;                      // the schedule's length
    int stop_at = 0;                    // 0: to `steps`; else stop there (e.g. to change the schedule)
    int eval_every = 100, ckpt_every = 100, snapshot_every = 0;
    float max_minutes = 0.0f;           // > 0: stop (with a checkpoint) after this long
    int B = 0, T = 0;                   // for tokens/s
    std::function<StepStats()> step;    // one optimizer step (increments the state's step)
    std::function<double()> eval;       // the held-out loss
    std::function<bool(const std::string& path, std::string& err)> save;  // a checkpoint
};

// Runs steps until the last one. Log lines: "step N loss L lr R norm G tok/s S elapsed E" every 10 steps
// (tok/s without evaluation time), "val N loss L", "# stopped: ..." and "# done step N wall W s".
// Returns the command's exit code (1 when the loss is not finite).
int train_loop_run(const TrainLoop& loop, TrainState& st, FILE* log);
