// `attnlab train-lstm ...`: train the LSTM language model on uint16 token files (made by
// `attnlab train tokenize`), evaluate a checkpoint, export to the word_language_model layout.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "cli/command.h"
#include "cli/train_loop.h"
#include "train/lstm_train.h"

static const char* LSTM_USAGE =
    "attnlab train-lstm run --train FILE.bin --val FILE.bin --out RUNDIR [--vocab V] [--embd 192] [--hidden 192]\n"
    "           [--layers 2] [--untied] [--ctx 256] [--batch 16] [--steps 1000] [--warmup 100] [--lr 2e-3]\n"
    "           [--min-lr-frac 0.1] [--wd 0.1] [--clip 1] [--seed 1337] [--threads 2] [--eval-every 250]\n"
    "           [--eval-batches 20] [--ckpt-every 100] [--max-minutes M] [--stop-at S]\n"
    "           --ctx is the BPTT window (every window starts from the zero state); resumes from\n"
    "           RUNDIR/ckpt.bin when present; logs to RUNDIR/log.txt (loss, lr, grad norm, tok/s)\n"
    "       attnlab train-lstm eval --ckpt FILE --data FILE.bin [--ctx 256] [--batch 8] [--max-batches N]\n"
    "       attnlab train-lstm export --ckpt FILE --tokenizer DIR --out DIR [--f32]\n"
    "       attnlab train-lstm bench [--vocab 3584] [--embd 192] [--hidden 192] [--layers 2] [--ctx 256]\n"
    "           [--batch 16] [--threads 2] [--steps 5]   median tokens/s and GFLOP/s on random tokens";

static int usage_error(const char* msg) {
    fprintf(stderr, "attnlab train-lstm: %s\n\nusage: %s\n", msg, LSTM_USAGE);
    return 2;
}

static bool parse_config(std::vector<char*>& args, LSTMConfig& cfg) {
    cfg.embedding_size = cfg.hidden_size = 192;
    cfg.num_layers = 2;
    cfg.tie_weights = !cli_take_switch(args, "--untied");
    return cli_opt_int(cli_take_flag(args, "--vocab"), cfg.vocab_size) &&
           cli_opt_int(cli_take_flag(args, "--embd"), cfg.embedding_size) &&
           cli_opt_int(cli_take_flag(args, "--hidden"), cfg.hidden_size) &&
           cli_opt_int(cli_take_flag(args, "--layers"), cfg.num_layers);
}

// ---- run -------------------------------------------------------------------------------------------------

static int lstm_run(std::vector<char*>& args) {
    const char* train_path = cli_take_flag(args, "--train");
    const char* val_path = cli_take_flag(args, "--val");
    const char* out_dir = cli_take_flag(args, "--out");
    if (!train_path || !val_path || !out_dir) return usage_error("run needs --train, --val and --out");
    LSTMConfig cfg;
    TrainOptions o;
    o.B = 16;
    o.T = 256;
    o.lr = 2e-3f;
    int eval_every = 250, eval_batches = 20, ckpt_every = 100, stop_at = 0;
    float max_minutes = 0.0f, seed_f = 1337.0f;
    bool ok = parse_config(args, cfg) && cli_opt_int(cli_take_flag(args, "--ctx"), o.T) &&
              cli_opt_int(cli_take_flag(args, "--batch"), o.B) && cli_opt_int(cli_take_flag(args, "--steps"), o.steps) &&
              cli_opt_int(cli_take_flag(args, "--warmup"), o.warmup) && cli_opt_float(cli_take_flag(args, "--lr"), o.lr) &&
              cli_opt_float(cli_take_flag(args, "--min-lr-frac"), o.min_lr_frac) &&
              cli_opt_float(cli_take_flag(args, "--wd"), o.weight_decay) &&
              cli_opt_float(cli_take_flag(args, "--clip"), o.grad_clip) &&
              cli_opt_float(cli_take_flag(args, "--seed"), seed_f) &&
              cli_opt_int(cli_take_flag(args, "--threads"), o.threads) &&
              cli_opt_int(cli_take_flag(args, "--eval-every"), eval_every) &&
              cli_opt_int(cli_take_flag(args, "--eval-batches"), eval_batches) &&
              cli_opt_int(cli_take_flag(args, "--ckpt-every"), ckpt_every) &&
              cli_opt_int(cli_take_flag(args, "--stop-at"), stop_at) &&
              cli_opt_float(cli_take_flag(args, "--max-minutes"), max_minutes);
    if (!ok || !args.empty() || o.T < 1 || o.B < 1 || eval_every < 1 || ckpt_every < 1)
        return usage_error("bad or unknown option");
    o.seed = (uint64_t)seed_f;
    train_set_threads(o.threads);

    std::string err;
    std::vector<uint16_t> train_toks, val_toks;
    if (!train_tokens_load("attnlab train-lstm", train_path, val_path, o.T, cfg.vocab_size, train_toks, val_toks))
        return 1;

    mkdir(out_dir, 0755);
    const std::string ckpt = std::string(out_dir) + "/ckpt.bin";
    const std::string log_path = std::string(out_dir) + "/log.txt";
    LSTMTrainModel m;
    TrainState st;
    struct stat sb;
    if (stat(ckpt.c_str(), &sb) == 0) {
        if (!lstm_checkpoint_load(m, st, ckpt, err)) {
            fprintf(stderr, "attnlab train-lstm: %s\n", err.c_str());
            return 1;
        }
        const LSTMConfig& c = m.cfg;
        if (c.vocab_size != cfg.vocab_size || c.embedding_size != cfg.embedding_size ||
            c.hidden_size != cfg.hidden_size || c.num_layers != cfg.num_layers || c.tie_weights != cfg.tie_weights) {
            fprintf(stderr, "attnlab train-lstm: %s has a different configuration than the options\n", ckpt.c_str());
            return 1;
        }
        fprintf(stderr, "resumed %s at step %d\n", ckpt.c_str(), st.step);
    } else {
        if (!lstm_train_init(m, cfg, o.seed, err)) {
            fprintf(stderr, "attnlab train-lstm: %s\n", err.c_str());
            return 1;
        }
        train_rng_seed(st.rng, o.seed ^ 0xDA7A5EEDull);
    }
    FILE* log = fopen(log_path.c_str(), "a");
    if (!log) {
        fprintf(stderr, "attnlab train-lstm: cannot open %s\n", log_path.c_str());
        return 1;
    }
    fprintf(log,
            "# config lstm V=%d E=%d H=%d L=%d tied=%d params=%zu | T=%d B=%d steps=%d warmup=%d lr=%g min_lr_frac=%g "
            "wd=%g clip=%g seed=%llu threads=%d | train_tokens=%zu val_tokens=%zu\n",
            cfg.vocab_size, cfg.embedding_size, cfg.hidden_size, cfg.num_layers, cfg.tie_weights ? 1 : 0,
            m.params.size(), o.T, o.B, o.steps, o.warmup, o.lr, o.min_lr_frac, o.weight_decay, o.grad_clip,
            (unsigned long long)o.seed, o.threads, train_toks.size(), val_toks.size());
    fflush(log);

    TrainLoop loop;
    loop.cmd = "attnlab train-lstm";
    loop.out_dir = out_dir;
    loop.steps = o.steps, loop.stop_at = stop_at, loop.max_minutes = max_minutes, loop.B = o.B, loop.T = o.T;
    loop.eval_every = eval_every, loop.ckpt_every = ckpt_every;
    loop.step = [&] { return lstm_train_step(m, st, o, train_toks); };
    loop.eval = [&] { return lstm_eval_loss(m, val_toks, o.B, o.T, eval_batches); };
    loop.save = [&](const std::string& path, std::string& e) { return lstm_checkpoint_save(m, st, path, e); };
    const int rc = train_loop_run(loop, st, log);
    fclose(log);
    return rc;
}

// ---- eval / export / bench ---------------------------------------------------------------------------------

static int lstm_eval(std::vector<char*>& args) {
    const char* ckpt = cli_take_flag(args, "--ckpt");
    const char* data = cli_take_flag(args, "--data");
    int B = 8, T = 256, max_batches = 1 << 30;
    if (!ckpt || !data) return usage_error("eval needs --ckpt and --data");
    if (!cli_opt_int(cli_take_flag(args, "--batch"), B) || !cli_opt_int(cli_take_flag(args, "--ctx"), T) ||
        !cli_opt_int(cli_take_flag(args, "--max-batches"), max_batches) || !args.empty() || B < 1 || T < 1)
        return usage_error("bad or unknown option");
    train_set_threads(1);
    LSTMTrainModel m;
    TrainState st;
    std::vector<uint16_t> toks;
    std::string err;
    if (!lstm_checkpoint_load(m, st, ckpt, err) || !token_file_load(data, toks, err)) {
        fprintf(stderr, "attnlab train-lstm: %s\n", err.c_str());
        return 1;
    }
    const double loss = lstm_eval_loss(m, toks, B, T, max_batches);
    const size_t windows = std::min<size_t>((toks.size() - 1) / ((size_t)B * T), (size_t)max_batches);
    printf("{\"step\": %d, \"loss\": %.6f, \"tokens_scored\": %zu}\n", st.step, loss, windows * B * T);
    return 0;
}

static int lstm_export_cmd(std::vector<char*>& args) {
    const char* ckpt = cli_take_flag(args, "--ckpt");
    const char* tok_dir = cli_take_flag(args, "--tokenizer");
    const char* out = cli_take_flag(args, "--out");
    const bool f32 = cli_take_switch(args, "--f32");
    if (!ckpt || !tok_dir || !out || !args.empty()) return usage_error("export needs --ckpt, --tokenizer, --out");
    LSTMTrainModel m;
    TrainState st;
    std::string err;
    if (!lstm_checkpoint_load(m, st, ckpt, err) || !lstm_export(m, tok_dir, out, !f32, err)) {
        fprintf(stderr, "attnlab train-lstm: %s\n", err.c_str());
        return 1;
    }
    printf("exported step %d (%zu params) to %s\n", st.step, m.params.size(), out);
    return 0;
}

static int lstm_bench(std::vector<char*>& args) {
    LSTMConfig cfg;
    cfg.vocab_size = 3584;
    TrainOptions o;
    o.B = 16;
    o.T = 256;
    int steps = 5;
    if (!parse_config(args, cfg) || !cli_opt_int(cli_take_flag(args, "--ctx"), o.T) ||
        !cli_opt_int(cli_take_flag(args, "--batch"), o.B) || !cli_opt_int(cli_take_flag(args, "--threads"), o.threads) ||
        !cli_opt_int(cli_take_flag(args, "--steps"), steps) || !args.empty() || steps < 1)
        return usage_error("bad or unknown option");
    o.steps = 1000000;
    train_set_threads(o.threads);
    LSTMTrainModel m;
    std::string err;
    if (!lstm_train_init(m, cfg, 1, err)) {
        fprintf(stderr, "attnlab train-lstm: %s\n", err.c_str());
        return 1;
    }
    TrainState st;
    train_rng_seed(st.rng, 7);
    std::vector<uint16_t> toks(1 << 20);
    for (uint16_t& t : toks) t = (uint16_t)(train_rng_u64(st.rng) % cfg.vocab_size);
    lstm_train_step(m, st, o, toks);  // warm-up
    std::vector<double> dt;
    for (int i = 0; i < steps; i++) {
        const double t0 = cli_now_seconds();
        lstm_train_step(m, st, o, toks);
        dt.push_back(cli_now_seconds() - t0);
    }
    std::sort(dt.begin(), dt.end());
    const double median = dt[dt.size() / 2], tps = o.B * o.T / median;
    printf("{\"params\": %zu, \"batch\": %d, \"ctx\": %d, \"threads\": %d, \"median_step_ms\": %.1f, "
           "\"tokens_per_s\": %.0f, \"gflops\": %.2f}\n",
           m.params.size(), o.B, o.T, o.threads, median * 1e3, tps, tps * lstm_flops_per_token(cfg) * 1e-9);
    return 0;
}

static int cmd_train_lstm(int argc, char** argv) {
    if (argc < 2) return usage_error("missing subcommand");
    std::vector<char*> args(argv + 2, argv + argc);
    const char* sub = argv[1];
    if (strcmp(sub, "run") == 0) return lstm_run(args);
    if (strcmp(sub, "eval") == 0) return lstm_eval(args);
    if (strcmp(sub, "export") == 0) return lstm_export_cmd(args);
    if (strcmp(sub, "bench") == 0) return lstm_bench(args);
    return usage_error("unknown subcommand");
}

static CliCommand reg("train-lstm", "run | eval | export | bench: train the LSTM language model (native only)",
                      cmd_train_lstm);
