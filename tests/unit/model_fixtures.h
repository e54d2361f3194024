// Helpers shared by the model tests: fixture paths, numpy reference outputs, safetensors rewriting.
// Fixtures come from tests/fixtures.d/model (tests/reference/make_checkpoints.py).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "model/file.h"
#include "model/model.h"

// A call that must fail with a message containing `needle` (every bad input gets a clear message).
#define EXPECT_ERR(cond, err, needle)                                                     \
    do {                                                                                  \
        EXPECT_FALSE(cond);                                                               \
        EXPECT_NE((err).find(needle), std::string::npos) << "message was: " << (err);     \
    } while (0)

inline std::string model_fixture(const std::string& name) { return std::string(ATTNLAB_FIXTURES) + "/model/" + name; }

inline bool model_file_read(const std::string& path, std::string& out) { return file_read(path, out); }

// One reference case: ref_<case>.json (ids, array index) + ref_<case>.bin.
struct RefCase {
    std::string model;
    std::vector<int> ids;
    int lens_k = 0;
    std::map<std::string, std::vector<int64_t>> shapes;
    std::map<std::string, std::vector<float>> f32;
    std::map<std::string, std::vector<int>> i32;
    nlohmann::json meta;  // the whole ref_<case>.json (extra keys such as "position", "neutral")
};

// dir: the fixture folder holding ref_<name>.json/.bin (default: the GPT model fixtures).
inline bool ref_load(const std::string& name, RefCase& rc, const std::string& dir = model_fixture("")) {
    std::string meta_text, bin;
    if (!model_file_read(dir + "ref_" + name + ".json", meta_text)) return false;
    if (!model_file_read(dir + "ref_" + name + ".bin", bin)) return false;
    nlohmann::json meta = nlohmann::json::parse(meta_text, nullptr, false);
    if (meta.is_discarded()) return false;
    rc.model = meta["model"].get<std::string>();
    rc.ids = meta["ids"].get<std::vector<int>>();
    rc.lens_k = meta.value("lens_k", 0);
    rc.meta = meta;
    for (auto it = meta["arrays"].begin(); it != meta["arrays"].end(); ++it) {
        std::vector<int64_t> shape = it.value()["shape"].get<std::vector<int64_t>>();
        size_t n = 1, off = it.value()["offset"].get<size_t>();
        for (int64_t d : shape) n *= (size_t)d;
        if (off + 4 * n > bin.size()) return false;
        rc.shapes[it.key()] = shape;
        if (it.value()["dtype"] == "i32") {
            std::vector<int> v(n);
            std::memcpy(v.data(), bin.data() + off, 4 * n);
            rc.i32[it.key()] = v;
        } else {
            std::vector<float> v(n);
            std::memcpy(v.data(), bin.data() + off, 4 * n);
            rc.f32[it.key()] = v;
        }
    }
    return true;
}

// Elementwise |got - want| <= rtol * (|want| + floor), floor = 1e-2 * max|want| (values near zero
// are judged on the array's scale), and the norm-wise relative error <= rtol.
inline ::testing::AssertionResult close_rel(const std::vector<float>& got, const std::vector<float>& want, double rtol) {
    if (got.size() != want.size())
        return ::testing::AssertionFailure() << "size " << got.size() << " != " << want.size();
    double maxabs = 0, num = 0, den = 0;
    for (float w : want) maxabs = std::max(maxabs, (double)std::fabs(w));
    for (size_t i = 0; i < got.size(); i++) {
        double d = (double)got[i] - want[i];
        num += d * d;
        den += (double)want[i] * want[i];
        if (!(std::fabs(d) <= rtol * (std::fabs(want[i]) + 1e-2 * maxabs)))
            return ::testing::AssertionFailure() << "at " << i << ": got " << got[i] << " want " << want[i];
    }
    if (den > 0 && std::sqrt(num / den) > rtol)
        return ::testing::AssertionFailure() << "norm-wise relative error " << std::sqrt(num / den);
    return ::testing::AssertionSuccess();
}

inline bool model_load_fixture(Model& m, const std::string& name, std::string& err) {
    return model_load_dir(m, model_fixture(name), err);
}

// The four files of a fixture model in memory, with a way to rewrite the safetensors header.
struct ModelFiles {
    std::string config, st, vocab, merges;
    bool read(const std::string& name) {
        std::string d = model_fixture(name) + "/";
        return model_file_read(d + "config.json", config) && model_file_read(d + "model.safetensors", st) &&
               model_file_read(d + "vocab.json", vocab) && model_file_read(d + "merges.txt", merges);
    }
    bool load(Model& m, std::string& err) const {
        return model_load_memory(m, config, (const uint8_t*)st.data(), st.size(), vocab, merges, err);
    }
    nlohmann::json header() const {
        uint64_t n = 0;
        std::memcpy(&n, st.data(), 8);
        return nlohmann::json::parse(st.substr(8, n));
    }
    std::string data() const {
        uint64_t n = 0;
        std::memcpy(&n, st.data(), 8);
        return st.substr(8 + n);
    }
    // Replaces the header (the data section is kept).
    void set_header(const nlohmann::json& h) {
        std::string text = h.dump(), d = data();
        uint64_t n = text.size();
        st.assign((const char*)&n, 8);
        st += text;
        st += d;
    }
};

// Every capture field, logits at every position, and a logit lens of k (the oracle tests' options).
inline CaptureOptions capture_everything(int lens_k) {
    CaptureOptions o;
    o.logits_all = true;
    o.lens_top_k = lens_k;
    return o;
}
