// Reading a whole file: the one implementation the loader, the trainer, the CLI and the tests share;
// and a model folder's four files.
#pragma once
#include <cstdio>
#include <string>

// On success `out` holds the file's bytes; on failure (cannot open, a read error) it is unchanged.
inline bool file_read(const std::string& path, std::string& out) {
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) return false;
    std::string data;
    char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, got);
    const bool ok = !ferror(f);
    fclose(f);
    if (ok) out.swap(data);
    return ok;
}

// A model folder's four files (config.json, model.safetensors, vocab.json, merges.txt) and its name
// (the last path component): the GPT-2 and LSTM loaders' model_load_dir / lstm_load_dir.
struct ModelFolder {
    std::string config, safetensors, vocab, merges, name;
};
inline bool model_folder_read(const std::string& dir, ModelFolder& out, std::string& err) {
    std::string* files[4] = {&out.config, &out.safetensors, &out.vocab, &out.merges};
    const char* names[4] = {"config.json", "model.safetensors", "vocab.json", "merges.txt"};
    for (int i = 0; i < 4; i++) {
        const std::string path = dir + "/" + names[i];
        if (!file_read(path, *files[i])) {
            err = "cannot read " + path;
            return false;
        }
    }
    out.name = dir;
    while (out.name.size() > 1 && out.name.back() == '/') out.name.pop_back();
    const size_t slash = out.name.find_last_of('/');
    if (slash != std::string::npos) out.name = out.name.substr(slash + 1);
    return true;
}
