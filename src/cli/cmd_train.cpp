// `attnlab train ...`: tokenize a corpus to uint16 files, train a GPT-2, evaluate, export (HF layout).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "cli/command.h"
#include "cli/train_loop.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "train/train.h"

static const char* TRAIN_USAGE =
    "attnlab train tokenize --tokenizer DIR --out FILE.bin TEXT...\n"
    "           encode text files (\"<|endoftext|>\" is the special token) into uint16 ids\n"
    "       attnlab train run --train FILE.bin --val FILE.bin --out RUNDIR [--vocab V] [--layers 4]\n"
    "           [--heads 4] [--embd 128] [--ctx 128] [--batch 16] [--steps 1000] [--warmup 100]\n"
    "           [--lr 3e-3] [--min-lr-frac 0.1] [--wd 0.1] [--clip 1] [--seed 1337] [--threads 2]\n"
    "           [--eval-every 100] [--eval-batches 20] [--ckpt-every 100] [--max-minutes M] [--stop-at S]\n"
    "           [--copy-frac F] [--copy-max F] [--copy-random F] [--snapshot-every K]\n"
    "           [--wpe-sin RMS] [--window W] [--copy-periodic 0|1] [--copy-reverse F]\n"
    "           [--copy-mark F --mark-token ID] [--init-from MODELDIR]\n"
    "           resumes from RUNDIR/ckpt.bin when present; logs to RUNDIR/log.txt\n"
    "       attnlab train eval --ckpt FILE --data FILE.bin [--batch 8] [--max-batches N] [--threads 2]\n"
    "       attnlab train export --ckpt FILE --tokenizer DIR --out DIR [--f32]\n"
    "       attnlab train bench [--vocab 4096] [--layers 4] [--heads 4] [--embd 128] [--ctx 128] [--batch 8]\n"
    "           [--threads 2] [--steps 30] [--peak-seconds 2]\n"
    "           timed training steps on random tokens: median tokens/s, GFLOP/s and share of the measured peak";

static int usage_error(const char* msg) {
    fprintf(stderr, "attnlab train: %s\n\nusage: %s\n", msg, TRAIN_USAGE);
    return 2;
}

// ---- tokenize ------------------------------------------------------------------------------------------

static int train_tokenize(std::vector<char*>& args) {
    const char* tok_dir = cli_take_flag(args, "--tokenizer");
    const char* out = cli_take_flag(args, "--out");
    if (!tok_dir || !out || args.empty()) return usage_error("tokenize needs --tokenizer, --out and text files");
    Tokenizer tok;
    std::string err;
    if (!tokenizer_load_dir(tok, tok_dir, err)) {
        fprintf(stderr, "attnlab train: %s\n", err.c_str());
        return 1;
    }
    if (tokenizer_vocab_size(tok) > 65536) {
        fprintf(stderr, "attnlab train: vocabulary of %d does not fit uint16\n", tokenizer_vocab_size(tok));
        return 1;
    }
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!f) {
        fprintf(stderr, "attnlab train: cannot write %s\n", out);
        return 1;
    }
    size_t total_tokens = 0, total_bytes = 0;
    for (char* path : args) {
        std::string text;
        if (!cli_read_file(path, text)) {
            fprintf(stderr, "attnlab train: cannot read %s\n", path);
            return 1;
        }
        // encode line blocks of ~1 MB at newline boundaries to keep memory flat
        size_t pos = 0;
        std::vector<uint16_t> buf;
        while (pos < text.size()) {
            size_t end = std::min(text.size(), pos + (1u << 20));
            if (end < text.size()) {
                size_t nl = text.find('\n', end);
                end = nl == std::string::npos ? text.size() : nl + 1;
            }
            std::vector<int> ids = tokenizer_encode_ids(tok, std::string_view(text).substr(pos, end - pos), true);
            buf.assign(ids.begin(), ids.end());
            f.write(reinterpret_cast<const char*>(buf.data()), buf.size() * 2);
            total_tokens += ids.size();
            pos = end;
        }
        total_bytes += text.size();
    }
    printf("{\"tokens\": %zu, \"bytes\": %zu, \"bytes_per_token\": %.4f}\n", total_tokens, total_bytes,
           total_tokens ? (double)total_bytes / total_tokens : 0.0);
    return f ? 0 : 1;
}

// ---- run -------------------------------------------------------------------------------------------------

// The model shape and batch options shared by `run` and `bench`: defaults 4 x 4 x 128, ctx 128 (vocab_size
// as given: 0 lets `run` take it from the data); false on a malformed value.
static bool take_shape(std::vector<char*>& args, GPT2Config& cfg, TrainOptions& o, int vocab) {
    cfg.n_layer = 4;
    cfg.n_head = 4;
    cfg.n_embd = 128;
    cfg.n_positions = 128;
    cfg.vocab_size = vocab;
    return cli_opt_int(cli_take_flag(args, "--vocab"), cfg.vocab_size) &&
           cli_opt_int(cli_take_flag(args, "--layers"), cfg.n_layer) &&
           cli_opt_int(cli_take_flag(args, "--heads"), cfg.n_head) &&
           cli_opt_int(cli_take_flag(args, "--embd"), cfg.n_embd) &&
           cli_opt_int(cli_take_flag(args, "--ctx"), cfg.n_positions) && cli_opt_int(cli_take_flag(args, "--batch"), o.B) &&
           cli_opt_int(cli_take_flag(args, "--threads"), o.threads);
}

static int train_run(std::vector<char*>& args) {
    const char* train_path = cli_take_flag(args, "--train");
    const char* val_path = cli_take_flag(args, "--val");
    const char* out_dir = cli_take_flag(args, "--out");
    if (!train_path || !val_path || !out_dir) return usage_error("run needs --train, --val and --out");
    GPT2Config cfg;
    TrainOptions o;
    int eval_every = 100, eval_batches = 20, ckpt_every = 100;
    int snapshot_every = 0;  // >0: also keep RUNDIR/snapshots/step_N.bin (the circuits' training curve)
    int stop_at = 0;  // 0: run to --steps (the schedule length); else stop early, e.g. to change schedule
    float max_minutes = 0.0f, seed_f = 1337.0f;
    int periodic = 0;  // 1: copying windows repeat their span to the window's end (CopyWindows::periodic)
    int window = 0;  // >0: train on windows of this many tokens (<= --ctx), e.g. short ones first
    float wpe_sin = 0.0f;  // >0: sinusoidal position embeddings of this rms at init (train_wpe_sinusoid)
    const char* init_from = cli_take_flag(args, "--init-from");  // a new run starts from these weights (same shape)
    bool ok = take_shape(args, cfg, o, 0) && cli_opt_int(cli_take_flag(args, "--steps"), o.steps) &&
              cli_opt_int(cli_take_flag(args, "--warmup"), o.warmup) &&
              cli_opt_float(cli_take_flag(args, "--lr"), o.lr) &&
              cli_opt_float(cli_take_flag(args, "--min-lr-frac"), o.min_lr_frac) &&
              cli_opt_float(cli_take_flag(args, "--wd"), o.weight_decay) &&
              cli_opt_float(cli_take_flag(args, "--clip"), o.grad_clip) &&
              cli_opt_float(cli_take_flag(args, "--seed"), seed_f) &&
              cli_opt_int(cli_take_flag(args, "--eval-every"), eval_every) &&
              cli_opt_int(cli_take_flag(args, "--eval-batches"), eval_batches) &&
              cli_opt_int(cli_take_flag(args, "--ckpt-every"), ckpt_every) &&
              cli_opt_int(cli_take_flag(args, "--stop-at"), stop_at) &&
              cli_opt_float(cli_take_flag(args, "--copy-frac"), o.copy.frac) &&
              cli_opt_float(cli_take_flag(args, "--copy-max"), o.copy.max_frac) &&
              cli_opt_float(cli_take_flag(args, "--copy-random"), o.copy.random) &&
              cli_opt_int(cli_take_flag(args, "--snapshot-every"), snapshot_every) &&
              cli_opt_float(cli_take_flag(args, "--wpe-sin"), wpe_sin) &&
              cli_opt_int(cli_take_flag(args, "--copy-periodic"), periodic) &&
              cli_opt_float(cli_take_flag(args, "--copy-reverse"), o.copy.reverse) &&
              cli_opt_float(cli_take_flag(args, "--copy-mark"), o.copy.mark) &&
              cli_opt_int(cli_take_flag(args, "--mark-token"), o.copy.mark_token) &&
              cli_opt_int(cli_take_flag(args, "--window"), window) &&
              cli_opt_float(cli_take_flag(args, "--max-minutes"), max_minutes);
    if (!ok || !args.empty()) return usage_error("bad or unknown option");
    if (o.copy.mark > 0.0f && (o.copy.mark_token < 0 || o.copy.mark_token >= cfg.vocab_size))
        return usage_error("--copy-mark needs --mark-token, a token id below --vocab");
    o.seed = (uint64_t)seed_f;
    o.copy.periodic = periodic != 0;
    o.T = cfg.n_positions;
    if (window > 0 && window <= cfg.n_positions) o.T = window;
    else if (window != 0) return usage_error("--window must be between 1 and --ctx");
    train_set_threads(o.threads);

    std::string err;
    std::vector<uint16_t> train_toks, val_toks;
    if (!train_tokens_load("attnlab train", train_path, val_path, o.T, cfg.vocab_size, train_toks, val_toks)) return 1;
    o.copy.random_lo = cfg.vocab_size > 512 ? 256 : 0;  // random spans: merged tokens (words and pieces)
    o.copy.random_hi = cfg.vocab_size - 1;              // never <|endoftext|>

    mkdir(out_dir, 0755);
    std::string ckpt = std::string(out_dir) + "/ckpt.bin";
    std::string log_path = std::string(out_dir) + "/log.txt";
    TrainModel m;
    TrainState st;
    struct stat sb;
    if (stat(ckpt.c_str(), &sb) == 0) {
        if (!checkpoint_load(m, st, ckpt, err)) {
            fprintf(stderr, "attnlab train: %s\n", err.c_str());
            return 1;
        }
        if (m.cfg.n_positions != cfg.n_positions || m.cfg.vocab_size != cfg.vocab_size ||
            m.cfg.n_embd != cfg.n_embd || m.cfg.n_layer != cfg.n_layer || m.cfg.n_head != cfg.n_head) {
            fprintf(stderr, "attnlab train: %s has a different configuration than the options\n", ckpt.c_str());
            return 1;
        }
        fprintf(stderr, "resumed %s at step %d\n", ckpt.c_str(), st.step);
    } else {
        if (!train_model_init(m, cfg, o.seed, 0.02f, err)) {
            fprintf(stderr, "attnlab train: %s\n", err.c_str());
            return 1;
        }
        if (init_from) {
            Model from;
            if (!model_load_dir(from, init_from, err)) {
                fprintf(stderr, "attnlab train: --init-from: %s\n", err.c_str());
                return 1;
            }
            if (from.cfg.n_positions != cfg.n_positions || from.cfg.vocab_size != cfg.vocab_size ||
                from.cfg.n_embd != cfg.n_embd || from.cfg.n_layer != cfg.n_layer || from.cfg.n_head != cfg.n_head ||
                from.params.size() != m.params.size()) {
                fprintf(stderr, "attnlab train: --init-from %s has a different configuration than the options\n", init_from);
                return 1;
            }
            std::copy(from.params.begin(), from.params.end(), m.params.begin());
            fprintf(stderr, "started from the weights of %s\n", init_from);
        } else if (wpe_sin > 0.0f) {
            train_wpe_sinusoid(m, wpe_sin);
        }
        train_rng_seed(st.rng, o.seed ^ 0xDA7A5EEDull);
    }
    FILE* log = fopen(log_path.c_str(), "a");
    if (!log) {
        fprintf(stderr, "attnlab train: cannot open %s\n", log_path.c_str());
        return 1;
    }
    fprintf(log,
            "# config L=%d H=%d C=%d T=%d V=%d params=%zu | B=%d steps=%d warmup=%d lr=%g min_lr_frac=%g wd=%g "
            "clip=%g seed=%llu threads=%d copy_frac=%g copy_max=%g copy_random=%g wpe_sin=%g window=%d copy_periodic=%d copy_reverse=%g copy_mark=%g mark_token=%d | train_tokens=%zu val_tokens=%zu\n",
            cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.n_positions, cfg.vocab_size, m.params.size(), o.B, o.steps,
            o.warmup, o.lr, o.min_lr_frac, o.weight_decay, o.grad_clip, (unsigned long long)o.seed, o.threads,
            o.copy.frac, o.copy.max_frac, o.copy.random, wpe_sin, o.T, periodic, o.copy.reverse, o.copy.mark, o.copy.mark_token, train_toks.size(), val_toks.size());
    fflush(log);

    TrainLoop loop;
    loop.out_dir = out_dir;
    loop.steps = o.steps, loop.stop_at = stop_at, loop.max_minutes = max_minutes, loop.B = o.B, loop.T = o.T;
    loop.eval_every = eval_every, loop.ckpt_every = ckpt_every, loop.snapshot_every = snapshot_every;
    loop.step = [&] { return train_step(m, st, o, train_toks); };
    loop.eval = [&] { return eval_loss(m, val_toks, o.B, o.T, eval_batches); };
    loop.save = [&](const std::string& path, std::string& e) { return checkpoint_save(m, st, path, e); };
    const int rc = train_loop_run(loop, st, log);
    fclose(log);
    return rc;
}

// ---- eval / export -------------------------------------------------------------------------------------------

static int train_eval(std::vector<char*>& args) {
    const char* ckpt = cli_take_flag(args, "--ckpt");
    const char* data = cli_take_flag(args, "--data");
    int B = 8, max_batches = 1 << 30, threads = 2;
    if (!ckpt || !data) return usage_error("eval needs --ckpt and --data");
    if (!cli_opt_int(cli_take_flag(args, "--batch"), B) || !cli_opt_int(cli_take_flag(args, "--max-batches"), max_batches) ||
        !cli_opt_int(cli_take_flag(args, "--threads"), threads) || !args.empty())
        return usage_error("bad or unknown option");
    train_set_threads(threads);
    TrainModel m;
    TrainState st;
    std::vector<uint16_t> toks;
    std::string err;
    if (!checkpoint_load(m, st, ckpt, err) || !token_file_load(data, toks, err)) {
        fprintf(stderr, "attnlab train: %s\n", err.c_str());
        return 1;
    }
    int T = m.cfg.n_positions;
    double loss = eval_loss(m, toks, B, T, max_batches);
    size_t windows = std::min<size_t>((toks.size() - 1) / ((size_t)B * T), (size_t)max_batches);
    printf("{\"step\": %d, \"loss\": %.6f, \"tokens_scored\": %zu}\n", st.step, loss, windows * B * T);
    return 0;
}

static int train_export(std::vector<char*>& args) {
    const char* ckpt = cli_take_flag(args, "--ckpt");
    const char* tok_dir = cli_take_flag(args, "--tokenizer");
    const char* out = cli_take_flag(args, "--out");
    bool f32 = cli_take_switch(args, "--f32");
    if (!ckpt || !tok_dir || !out || !args.empty()) return usage_error("export needs --ckpt, --tokenizer, --out");
    TrainModel m;
    TrainState st;
    std::string err;
    if (!checkpoint_load(m, st, ckpt, err) || !export_hf(m, tok_dir, out, !f32, err)) {
        fprintf(stderr, "attnlab train: %s\n", err.c_str());
        return 1;
    }
    printf("exported step %d (%zu params) to %s\n", st.step, m.params.size(), out);
    return 0;
}

// ---- bench ---------------------------------------------------------------------------------------------------

static int train_bench(std::vector<char*>& args) {
    GPT2Config cfg;
    TrainOptions o;
    o.B = 8;
    int steps = 30;
    float peak_seconds = 2.0f;
    bool ok = take_shape(args, cfg, o, 4096) && cli_opt_int(cli_take_flag(args, "--steps"), steps) &&
              cli_opt_float(cli_take_flag(args, "--peak-seconds"), peak_seconds);
    if (!ok || !args.empty() || steps < 1) return usage_error("bad or unknown option");
    o.T = cfg.n_positions;
    o.steps = 1000000;
    train_set_threads(o.threads);
    TrainModel m;
    std::string err;
    if (!train_model_init(m, cfg, 1, 0.02f, err)) {
        fprintf(stderr, "attnlab train: %s\n", err.c_str());
        return 1;
    }
    TrainState st;
    train_rng_seed(st.rng, 7);
    std::vector<uint16_t> toks(1 << 20);
    for (uint16_t& t : toks) t = (uint16_t)(train_rng_u64(st.rng) % cfg.vocab_size);
    for (int i = 0; i < 3; i++) train_step(m, st, o, toks);  // warm-up: allocation, page faults
    std::vector<double> dt;
    for (int i = 0; i < steps; i++) {
        double t0 = cli_now_seconds();
        train_step(m, st, o, toks);
        dt.push_back(cli_now_seconds() - t0);
    }
    std::sort(dt.begin(), dt.end());
    const double median = dt[dt.size() / 2];
    const double tps = o.B * o.T / median;
    const double gflops = tps * train_flops_per_token(cfg, o.T) * 1e-9;
    const double peak = train_peak_gflops(o.threads, peak_seconds);
    printf("{\"config\": {\"layers\": %d, \"heads\": %d, \"embd\": %d, \"ctx\": %d, \"vocab\": %d, \"batch\": %d, "
           "\"threads\": %d, \"params\": %zu}, \"steps\": %d, \"median_step_ms\": %.2f, \"tokens_per_s\": %.0f, "
           "\"mflop_per_token\": %.3f, \"gflops\": %.2f, \"peak_gflops\": %.2f, \"share_of_peak\": %.4f}\n",
           cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.n_positions, cfg.vocab_size, o.B, o.threads, m.params.size(), steps,
           median * 1e3, tps, train_flops_per_token(cfg, o.T) * 1e-6, gflops, peak, gflops / peak);
    return 0;
}

static int cmd_train(int argc, char** argv) {
    if (argc < 2) return usage_error("missing subcommand");
    std::vector<char*> args(argv + 2, argv + argc);
    const char* sub = argv[1];
    if (strcmp(sub, "tokenize") == 0) return train_tokenize(args);
    if (strcmp(sub, "run") == 0) return train_run(args);
    if (strcmp(sub, "eval") == 0) return train_eval(args);
    if (strcmp(sub, "export") == 0) return train_export(args);
    if (strcmp(sub, "bench") == 0) return train_bench(args);
    return usage_error("unknown subcommand");
}

static CliCommand reg("train", "tokenize | run | eval | export: train the tiny GPT-2 (native only)", cmd_train);
