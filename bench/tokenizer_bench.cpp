// Encode throughput of the C++ tokenizer (native or WASM in node): not a test, run by
// scripts/dev/bench-tokenizer. Prints one JSON line:
//   {"name":..., "bytes":N, "ids":N, "warm_mbps":x, "cold_mbps":y}
// warm: the piece cache is filled by a first run (as in a page that re-tokenizes while you type);
// cold: the cache is cleared before every run.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

static bool file_read(const std::string& path, std::string& out) {
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) return false;
    char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, got);
    fclose(f);
    return true;
}

static double seconds_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// FNV-1a (32-bit) over the ids' 4 little-endian bytes each: tokenizer_bench.js computes the same for the
// JS encoders, so the ids themselves are compared, not only their count
static uint32_t ids_fnv1a(const std::vector<int>& ids) {
    uint32_t h = 2166136261u;
    for (int id : ids)
        for (int b = 0; b < 4; b++) h = (h ^ ((uint32_t)id >> (8 * b) & 0xffu)) * 16777619u;
    return h;
}

// Median MB/s over runs.
static double encode_mbps(Tokenizer& tok, const std::string& text, int runs, bool cold, size_t* n_ids,
                          uint32_t* hash) {
    std::vector<double> mbps;
    for (int r = 0; r < runs; r++) {
        if (cold) tok.cache.clear();
        double t0 = seconds_now();
        std::vector<int> ids = tokenizer_encode_ids(tok, text);
        double t1 = seconds_now();
        *n_ids = ids.size();
        *hash = ids_fnv1a(ids);
        mbps.push_back(text.size() / 1e6 / (t1 - t0));
    }
    std::sort(mbps.begin(), mbps.end());
    return mbps[mbps.size() / 2];
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: tokenizer_bench NAME VOCAB_DIR TEXT [runs]\n");
        return 2;
    }
    int runs = argc > 4 ? atoi(argv[4]) : 7;
    std::string text, err;
    if (!file_read(argv[3], text)) {
        fprintf(stderr, "cannot read %s\n", argv[3]);
        return 1;
    }
    Tokenizer tok;
    double t0 = seconds_now();
    if (!tokenizer_load_dir(tok, argv[2], err)) {
        fprintf(stderr, "%s\n", err.c_str());
        return 1;
    }
    double load_ms = (seconds_now() - t0) * 1e3;
    size_t n_ids = 0;
    uint32_t hash = 0;
    double cold = encode_mbps(tok, text, runs, true, &n_ids, &hash);
    encode_mbps(tok, text, 1, false, &n_ids, &hash);  // fill the cache
    double warm = encode_mbps(tok, text, runs, false, &n_ids, &hash);
    printf("{\"name\":\"%s\",\"bytes\":%zu,\"ids\":%zu,\"ids_fnv1a\":%u,\"warm_mbps\":%.3f,\"cold_mbps\":%.3f,"
           "\"load_ms\":%.1f}\n",
           argv[1], text.size(), n_ids, (unsigned)hash, warm, cold, load_ms);
    return 0;
}
