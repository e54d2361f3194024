// What the GPT-2 and the LSTM trainers share (see common.h).
#include "train/common.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#include "model/file.h"
#include "model/safetensors.h"  // f32_to_f16

float grad_norm(const std::vector<float>& grads) {
    double s = 0.0;
    for (float gv : grads) s += (double)gv * gv;
    return (float)std::sqrt(s);
}

void adamw_span(float* p, const float* g, float* m, float* v, size_t n, const TrainOptions& o, float lr, float b1c,
                float b2c, float grad_scale, float wd) {
    // serial on purpose: ~1M elementwise updates take a few ms, while every extra OpenMP fork/join costs a
    // scheduler slice when the 2 cores are shared with other work
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i] * grad_scale;
        m[i] = o.beta1 * m[i] + (1.0f - o.beta1) * gi;
        v[i] = o.beta2 * v[i] + (1.0f - o.beta2) * gi * gi;
        const float mh = m[i] / b1c, vh = v[i] / b2c;
        p[i] -= lr * (mh / (std::sqrt(vh) + o.adam_eps) + wd * p[i]);
    }
}

double eval_loss_with(const std::vector<uint16_t>& toks, int B, int T, int max_batches,
                      const std::function<double(const int*, const int*, int, int)>& fwd) {
    std::vector<int> in((size_t)B * T), tg((size_t)B * T);
    size_t pos = 0;
    double total = 0.0;
    int batches = 0;
    while (batches < max_batches && pos + (size_t)B * T + 1 <= toks.size()) {
        for (int i = 0; i < B * T; i++) {
            in[i] = toks[pos + i];
            tg[i] = toks[pos + i + 1];
        }
        total += fwd(in.data(), tg.data(), B, T);
        pos += (size_t)B * T;
        batches++;
    }
    return batches ? total / batches : 0.0;
}

// ----------------------------------------------------------------------------------------------------
// checkpoint files

bool checkpoint_write(const std::string& path, const char magic[8], const std::string& header, const TrainState& st,
                      const std::vector<float>& params, const std::vector<float>& adam_m,
                      const std::vector<float>& adam_v, std::string& err) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) {
            err = "cannot write checkpoint " + tmp;
            return false;
        }
        const int32_t step = st.step;
        f.write(magic, 8);
        f.write(header.data(), header.size());
        f.write(reinterpret_cast<const char*>(&step), sizeof(step));
        f.write(reinterpret_cast<const char*>(&st.rng.state), sizeof(uint64_t));
        for (const std::vector<float>* v : {&params, &adam_m, &adam_v})
            f.write(reinterpret_cast<const char*>(v->data()), v->size() * sizeof(float));
        if (!f) {
            err = "write failed for checkpoint " + tmp;
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {  // atomic: a crash never leaves half a checkpoint
        err = "cannot rename " + tmp + " to " + path;
        return false;
    }
    return true;
}

bool checkpoint_read(const std::string& path, const char magic[8], size_t header_bytes, const char* what,
                     const std::function<std::vector<std::vector<float>*>(const std::string&, std::string&)>& alloc,
                     TrainState& st, std::string& err) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        err = "cannot open checkpoint " + path;
        return false;
    }
    char got[8];
    std::string header(header_bytes, '\0');
    int32_t step;
    uint64_t rng;
    f.read(got, 8);
    f.read(&header[0], header_bytes);
    f.read(reinterpret_cast<char*>(&step), sizeof(step));
    f.read(reinterpret_cast<char*>(&rng), sizeof(rng));
    if (!f || memcmp(got, magic, 8) != 0) {
        err = path + " is not an attnlab " + what;
        return false;
    }
    std::vector<std::vector<float>*> arrays = alloc(header, err);
    if (arrays.empty()) {
        err = path + ": " + err;
        return false;
    }
    for (std::vector<float>* v : arrays) f.read(reinterpret_cast<char*>(v->data()), v->size() * sizeof(float));
    if (!f) {
        err = "checkpoint " + path + " is truncated";
        return false;
    }
    st.step = step;
    st.rng.state = rng;
    return true;
}

// ----------------------------------------------------------------------------------------------------
// the exported folder

static bool write_text(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    return (bool)f;
}

bool export_folder(const std::string& tokenizer_dir, const std::string& out_dir, int vocab_size,
                   const std::function<nlohmann::ordered_json(int eot)>& config, std::string& err) {
    std::string vocab, merges;
    if (!file_read(tokenizer_dir + "/vocab.json", vocab) || !file_read(tokenizer_dir + "/merges.txt", merges)) {
        err = "cannot read vocab.json / merges.txt in " + tokenizer_dir;
        return false;
    }
    nlohmann::json vj = nlohmann::json::parse(vocab, nullptr, false);
    if (vj.is_discarded() || !vj.is_object()) {
        err = tokenizer_dir + "/vocab.json is not a JSON object";
        return false;
    }
    if ((int)vj.size() != vocab_size) {
        err = "vocab.json has " + std::to_string(vj.size()) + " entries but the model has vocab_size " +
              std::to_string(vocab_size);
        return false;
    }
    int eot = vocab_size - 1;
    if (vj.contains("<|endoftext|>") && vj["<|endoftext|>"].is_number_integer()) eot = vj["<|endoftext|>"].get<int>();
    mkdir(out_dir.c_str(), 0755);
    if (!write_text(out_dir + "/config.json", config(eot).dump(2) + "\n") || !write_text(out_dir + "/vocab.json", vocab) ||
        !write_text(out_dir + "/merges.txt", merges)) {
        err = "cannot write into " + out_dir;
        return false;
    }
    return true;
}

std::string safetensors_bytes(const std::vector<ExportTensor>& tensors, bool f16) {
    auto count = [](const ExportTensor& t) {
        size_t n = 1;
        for (int64_t d : t.shape) n *= (size_t)d;
        return n;
    };
    const size_t elem = f16 ? 2 : 4;
    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}};
    size_t off = 0;
    for (const ExportTensor& t : tensors) {
        const size_t n = count(t);
        header[t.name] = {{"dtype", f16 ? "F16" : "F32"}, {"shape", t.shape}, {"data_offsets", {off, off + n * elem}}};
        off += n * elem;
    }
    std::string hj = header.dump();
    while (hj.size() % 8 != 0) hj += ' ';  // align the data section to 8 bytes
    const uint64_t hlen = hj.size();
    std::string out(reinterpret_cast<const char*>(&hlen), 8);
    out.reserve(8 + hj.size() + off);
    out += hj;
    for (const ExportTensor& t : tensors) {
        const size_t n = count(t);
        if (f16) {
            std::vector<uint16_t> h(n);
            for (size_t i = 0; i < n; i++) h[i] = f32_to_f16(t.data[i]);
            out.append(reinterpret_cast<const char*>(h.data()), n * 2);
        } else {
            out.append(reinterpret_cast<const char*>(t.data), n * 4);
        }
    }
    return out;
}

bool export_safetensors(const std::string& path, const std::vector<ExportTensor>& tensors, bool f16, std::string& err) {
    const std::string bytes = safetensors_bytes(tensors, f16);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) {
        err = "cannot write " + path;
        return false;
    }
    f.write(bytes.data(), bytes.size());
    if (!f) {
        err = "write failed for " + path;
        return false;
    }
    return true;
}
