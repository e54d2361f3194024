// The `run` loop shared by the two trainers' commands (see train_loop.h).
#include "cli/train_loop.h"

#include <cmath>
#include <sys/stat.h>

#include "cli/command.h"

bool train_tokens_load(const char* cmd, const char* train_path, const char* val_path, int T, int& vocab,
                       std::vector<uint16_t>& train, std::vector<uint16_t>& val) {
    std::string err;
    if (!token_file_load(train_path, train, err) || !token_file_load(val_path, val, err)) {
        fprintf(stderr, "%s: %s\n", cmd, err.c_str());
        return false;
    }
    if (train.size() <= (size_t)T + 1 || val.size() <= (size_t)T + 1) {
        fprintf(stderr, "%s: token files must hold more than ctx+1 tokens\n", cmd);
        return false;
    }
    if (vocab <= 0) {
        int maxid = 0;
        for (uint16_t t : train) maxid = t > maxid ? t : maxid;
        vocab = maxid + 1;
    }
    for (uint16_t t : train)
        if (t >= vocab) {
            fprintf(stderr, "%s: token id %d >= vocab size %d\n", cmd, t, vocab);
            return false;
        }
    return true;
}

int train_loop_run(const TrainLoop& L, TrainState& st, FILE* log) {
    const std::string ckpt = L.out_dir + "/ckpt.bin";
    std::string err;
    auto save = [&](const std::string& path) {
        if (!L.save(path, err)) fprintf(stderr, "%s: %s\n", L.cmd, err.c_str());
    };
    const double t_start = cli_now_seconds();
    double t_last = t_start;
    int steps_since = 0;
    const int last_step = L.stop_at > 0 && L.stop_at < L.steps ? L.stop_at : L.steps;
    while (st.step < last_step) {
        const StepStats s = L.step();
        steps_since++;
        if (!std::isfinite(s.loss)) {
            fprintf(stderr, "%s: loss is not finite at step %d; stopping (checkpoint kept)\n", L.cmd, st.step);
            fprintf(log, "# stopped: loss not finite at step %d\n", st.step);
            return 1;
        }
        const double now = cli_now_seconds();
        if (st.step % 10 == 0 || st.step == L.steps) {
            const double tps = steps_since * (double)L.B * L.T / (now - t_last);
            fprintf(log, "step %d loss %.4f lr %.3e norm %.3f tok/s %.0f elapsed %.0f\n", st.step, s.loss, s.lr,
                    s.grad_norm, tps, now - t_start);
            fflush(log);
            t_last = now;
            steps_since = 0;
        }
        if (st.step % L.eval_every == 0 || st.step == L.steps) {
            fprintf(log, "val %d loss %.4f\n", st.step, L.eval());
            fflush(log);
            t_last += cli_now_seconds() - now;  // keep eval time out of tok/s
        }
        if (st.step % L.ckpt_every == 0 || st.step == last_step) save(ckpt);
        if (L.snapshot_every > 0 && st.step % L.snapshot_every == 0) {
            const std::string dir = L.out_dir + "/snapshots";
            mkdir(dir.c_str(), 0755);
            save(dir + "/step_" + std::to_string(st.step) + ".bin");
        }
        if (L.max_minutes > 0 && now - t_start > L.max_minutes * 60.0) {
            save(ckpt);
            fprintf(log, "# stopped by --max-minutes at step %d\n", st.step);
            break;
        }
    }
    fprintf(log, "# done step %d wall %.0f s\n", st.step, cli_now_seconds() - t_start);
    return 0;
}
