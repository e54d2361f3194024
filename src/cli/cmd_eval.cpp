// attnlab eval --model DIR --file F [--max-windows N]: held-out loss and bits per byte of a text file
// through the inference engine (the page's forward pass), so models with different tokenizers and
// context windows are compared on the same bytes.
//
// The file is tokenized whole ("<|endoftext|>" is the special token) and cut into windows of
// n_positions + 1 tokens that overlap by one: every token after the first is a target exactly once,
// predicted from the tokens before it in its window. Bits per byte = total nats / ln 2 / the UTF-8 bytes
// of the target tokens. Prints one JSON object:
//   {"model", "windows", "window", "tokens_scored", "bytes_scored", "nats_per_token", "bits_per_byte"}
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/command.h"
#include "model/lstm.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

static int cmd_eval(int argc, char** argv) {
    std::vector<char*> args(argv + 1, argv + argc);
    const char* dir = cli_take_flag(args, "--model");
    const char* file = cli_take_flag(args, "--file");
    const char* max_w = cli_take_flag(args, "--max-windows");
    const char* window_arg = cli_take_flag(args, "--window");
    if (!dir || !file || !args.empty()) {
        fprintf(stderr, "usage: attnlab eval --model DIR --file TEXT_FILE [--max-windows N] [--window N]\n");
        return 2;
    }
    long max_windows = max_w ? strtol(max_w, nullptr, 10) : -1;
    std::string type, err, text;
    if (!model_dir_type(dir, type, err)) {
        fprintf(stderr, "eval: %s\n", err.c_str());
        return 1;
    }
    const bool is_lstm = type == "lstm";
    Model m;
    LSTMModel lm;
    Tokenizer tok;
    if (!(is_lstm ? lstm_load_dir(lm, dir, err) : model_load_dir(m, dir, err)) || !tokenizer_load_dir(tok, dir, err)) {
        fprintf(stderr, "eval: %s\n", err.c_str());
        return 1;
    }
    if (!cli_read_file(file, text)) {
        fprintf(stderr, "eval: cannot read %s\n", file);
        return 1;
    }
    const std::vector<int> ids = tokenizer_encode_ids(tok, text, true);
    const int max_T = is_lstm ? 1 << 20 : m.cfg.n_positions;
    const int T = window_arg ? (int)strtol(window_arg, nullptr, 10) : (is_lstm ? 256 : m.cfg.n_positions);
    if (T < 1 || T > max_T) {
        fprintf(stderr, "eval: --window must be in [1, %d]\n", max_T);
        return 2;
    }
    const int V = is_lstm ? lm.cfg.vocab_size : m.cfg.vocab_size;
    CaptureOptions opt;
    opt.attention = opt.scores = opt.qkv = opt.residuals = false;
    opt.logits_all = true;
    Capture cap;
    LSTMCapture lcap;
    double nats = 0.0;
    size_t bytes = 0, scored = 0;
    long windows = 0;
    for (size_t s = 0; s + 1 < ids.size() && (max_windows < 0 || windows < max_windows); s += T, windows++) {
        const size_t n = std::min<size_t>(T + 1, ids.size() - s);  // inputs n - 1, targets n - 1
        std::vector<int> in(ids.begin() + s, ids.begin() + s + n - 1);
        if (!(is_lstm ? lstm_forward(lm, in, true, lcap, err) : model_forward(m, in, opt, cap, err))) {
            fprintf(stderr, "eval: %s\n", err.c_str());
            return 1;
        }
        const std::vector<float>& logits = is_lstm ? lcap.logits : cap.logits;
        for (size_t t = 0; t + 1 < n; t++) {
            const float* lg = logits.data() + t * V;
            float mx = lg[0];
            for (int i = 1; i < V; i++) mx = std::max(mx, lg[i]);
            double z = 0.0;
            for (int i = 0; i < V; i++) z += std::exp((double)lg[i] - mx);
            const int target = ids[s + t + 1];
            nats += std::log(z) - ((double)lg[target] - mx);
            bytes += tokenizer_decode(tok, {target}).size();
            scored++;
        }
    }
    if (scored == 0 || bytes == 0) {
        fprintf(stderr, "eval: %s has fewer than two tokens\n", file);
        return 1;
    }
    printf("{\"model\": \"%s\", \"model_type\": \"%s\", \"windows\": %ld, \"window\": %d, \"tokens_scored\": %zu, \"bytes_scored\": %zu, "
           "\"nats_per_token\": %.6f, \"bits_per_byte\": %.6f}\n",
           dir, is_lstm ? "lstm" : "gpt2", windows, T, scored, bytes, nats / scored, nats / std::log(2.0) / bytes);
    return 0;
}

static CliCommand reg("eval", "held-out loss and bits per byte of a text file through the engine", cmd_eval);
