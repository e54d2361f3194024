// Byte-planar F16 safetensors (model.planes.safetensors, the page's download of a built-in model):
// split -> join gives back the source byte for byte, the planar file is a valid safetensors file laid
// out as documented, the loaders read it with the same weights, and every kind of corrupt planar file
// gets a clear message.
#include "model/lstm.h"
#include "model/safetensors.h"
#include "model_fixtures.h"

namespace {

using json = nlohmann::json;

const uint8_t* bytes(const std::string& s) { return (const uint8_t*)s.data(); }

std::string root_file(const std::string& rel) {
    std::string out;
    EXPECT_TRUE(file_read(std::string(ATTNLAB_ROOT) + "/" + rel, out)) << rel;
    return out;
}

// ---- building and editing files ---------------------------------------------------------------------

uint64_t header_len(const std::string& file) {
    uint64_t n = 0;
    std::memcpy(&n, file.data(), 8);
    return n;
}
json header_of(const std::string& file) { return json::parse(file.substr(8, header_len(file))); }
std::string data_of(const std::string& file) { return file.substr(8 + header_len(file)); }
// [u64 len][header text][data]
std::string make_file(const std::string& header_text, const std::string& data) {
    uint64_t n = header_text.size();
    return std::string((const char*)&n, 8) + header_text + data;
}
std::string with_header(const std::string& file, const json& h) { return make_file(h.dump(), data_of(file)); }

// A source file written by hand: F16 tensors of several shapes (a scalar, an empty one), an F32 and an
// I64 tensor between them, a header padded with spaces as the reference writer does, and a
// __metadata__ of its own (the planar file must keep all of it verbatim).
std::string small_source() {
    std::string data;
    json h;
    h["__metadata__"] = {{"format", "pt"}};
    auto add = [&](const std::string& name, const char* dtype, std::vector<int64_t> shape, size_t nbytes) {
        const size_t at = data.size();
        for (size_t i = 0; i < nbytes; i++) data.push_back((char)(uint8_t)(i * 37 + name.size() * 11 + (i >> 3)));
        h[name] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {at, data.size()}}};
    };
    add("a.weight", "F16", {3, 5}, 30);
    add("mid.f32", "F32", {4}, 16);
    add("scalar", "F16", {}, 2);
    add("empty", "F16", {0, 7}, 0);
    add("ids", "I64", {2}, 16);
    add("z.bias", "F16", {9}, 18);
    std::string text = h.dump() + "   \t ";
    text.append((8 - text.size() % 8) % 8, ' ');
    return make_file(text, data);
}

std::string split_ok(const std::string& src) {
    std::string planar, err;
    EXPECT_TRUE(safetensors_split_f16_planes(bytes(src), src.size(), planar, err)) << err;
    return planar;
}

::testing::AssertionResult joins_back(const std::string& src) {
    std::string planar = split_ok(src), joined, err;
    if (!safetensors_join_f16_planes(bytes(planar), planar.size(), joined, err))
        return ::testing::AssertionFailure() << "join failed: " << err;
    if (joined != src) return ::testing::AssertionFailure() << "joined bytes differ from the source";
    return ::testing::AssertionSuccess();
}

std::string join_err(const std::string& planar) {
    std::string joined, err = "(no message)";
    EXPECT_FALSE(safetensors_join_f16_planes(bytes(planar), planar.size(), joined, err)) << "joined a corrupt file";
    EXPECT_TRUE(joined.empty());
    EXPECT_EQ(err.rfind("planar safetensors: ", 0), 0u) << err;
    return err;
}

// ---- split / join -----------------------------------------------------------------------------------

TEST(ModelPlanes, RealModelJoinsBackByteForByte) {
    const std::string src = root_file("models/tiny-en-1m/model.safetensors");
    ASSERT_GT(src.size(), 1000000u);
    const std::string planar = split_ok(src);
    EXPECT_FALSE(safetensors_is_f16_planes(bytes(src), src.size()));
    EXPECT_TRUE(safetensors_is_f16_planes(bytes(planar), planar.size()));
    EXPECT_TRUE(joins_back(src));

    // the layout: a valid safetensors file, the source header verbatim, U8 planes holding the high and
    // low bytes of each F16 tensor, every :hi plane before every :lo plane
    SafeTensorsFile s, p;
    std::string err;
    ASSERT_TRUE(safetensors_parse(bytes(src), src.size(), s, err)) << err;
    ASSERT_TRUE(safetensors_parse(bytes(planar), planar.size(), p, err)) << err;
    EXPECT_EQ(p.tensors.size(), 2 * s.tensors.size());
    EXPECT_EQ(header_of(planar)["__metadata__"]["attnlab_format"], "f16-planes");
    EXPECT_EQ(header_of(planar)["__metadata__"]["source_header"], src.substr(8, header_len(src)));
    EXPECT_EQ((8 + header_len(planar)) % 8, 0u);
    const uint8_t* pdata = bytes(planar) + 8 + header_len(planar);
    uint64_t hi_end = 0, lo_begin = UINT64_MAX;
    for (const SafeTensor& t : s.tensors) {
        ASSERT_EQ(t.dtype, "F16");
        const SafeTensor* hi = safetensors_find(p, t.name + ":hi");
        const SafeTensor* lo = safetensors_find(p, t.name + ":lo");
        ASSERT_TRUE(hi && lo) << t.name;
        EXPECT_EQ(hi->dtype, "U8");
        EXPECT_EQ(hi->shape, std::vector<int64_t>{(int64_t)t.nbytes / 2});
        for (uint64_t i = 0; i < t.nbytes / 2; i += 997) {
            EXPECT_EQ(hi->data[i], t.data[2 * i + 1]);
            EXPECT_EQ(lo->data[i], t.data[2 * i]);
        }
        hi_end = std::max(hi_end, (uint64_t)(hi->data + hi->nbytes - pdata));
        lo_begin = std::min(lo_begin, (uint64_t)(lo->data - pdata));
    }
    EXPECT_EQ(hi_end, lo_begin);
    EXPECT_EQ(hi_end * 2, planar.size() - 8 - header_len(planar));
}

TEST(ModelPlanes, SmallFixturesJoinBack) {
    const std::string src = small_source();
    EXPECT_TRUE(joins_back(src));
    // F16 tensors become planes (an empty one gives two empty planes), the others are copied whole
    const std::string planar = split_ok(src);
    SafeTensorsFile p;
    std::string err;
    ASSERT_TRUE(safetensors_parse(bytes(planar), planar.size(), p, err)) << err;
    for (const char* name : {"a.weight:hi", "a.weight:lo", "scalar:hi", "scalar:lo", "empty:hi", "empty:lo",
                             "z.bias:hi", "z.bias:lo", "mid.f32", "ids"})
        EXPECT_NE(safetensors_find(p, name), nullptr) << name;
    EXPECT_EQ(p.tensors.size(), 10u);
    EXPECT_EQ(safetensors_find(p, "ids")->dtype, "I64");
    EXPECT_EQ(safetensors_find(p, "scalar:hi")->shape, std::vector<int64_t>{1});

    // the generated test models: F32 (no planes at all), F16, BF16, the "transformer." prefix
    for (const char* name : {"tiny_f32", "tiny_f16", "tiny_bf16", "tiny_prefix", "gpt2vocab_f16"}) {
        std::string st;
        ASSERT_TRUE(file_read(model_fixture(name) + "/model.safetensors", st)) << name;
        EXPECT_TRUE(joins_back(st)) << name;
    }
    // no tensors at all
    EXPECT_TRUE(joins_back(make_file("{}", "")));
}

TEST(ModelPlanes, SplitRefusesWhatItCannotKeep) {
    std::string out, err;
    const std::string planar = split_ok(small_source());
    EXPECT_ERR(safetensors_split_f16_planes(bytes(planar), planar.size(), out, err), err, "already a planar file");

    json h = header_of(small_source());
    h["z.bias"]["data_offsets"] = {0, 18};  // shares bytes with a.weight: the gap it leaves would be lost
    const std::string shared = with_header(small_source(), h);
    EXPECT_ERR(safetensors_split_f16_planes(bytes(shared), shared.size(), out, err), err, "overlap or leave gaps");
    const std::string gap = small_source() + "xy";  // two bytes after the last tensor
    EXPECT_ERR(safetensors_split_f16_planes(bytes(gap), gap.size(), out, err), err, "overlap or leave gaps");

    json c = {{"a", {{"dtype", "F16"}, {"shape", {1}}, {"data_offsets", {0, 2}}}},
              {"a:hi", {{"dtype", "U8"}, {"shape", {1}}, {"data_offsets", {2, 3}}}}};
    const std::string clash = make_file(c.dump(), "abc");
    EXPECT_ERR(safetensors_split_f16_planes(bytes(clash), clash.size(), out, err), err, "'a:hi'");
    EXPECT_ERR(safetensors_split_f16_planes(bytes(clash), clash.size() - 1, out, err), err, "truncated");
    EXPECT_TRUE(out.empty());
}

// ---- corrupt planar files ---------------------------------------------------------------------------

TEST(ModelPlanes, CorruptPlanarFilesGetAMessage) {
    const std::string src = small_source(), planar = split_ok(src);
    const json h = header_of(planar);
    auto edit = [&](auto fn) {
        json e = h;
        fn(e);
        return with_header(planar, e);
    };

    // not planar, or not this format
    EXPECT_NE(join_err(src).find("attnlab_format is missing"), std::string::npos);
    EXPECT_NE(join_err(edit([](json& e) { e.erase("__metadata__"); })).find("no __metadata__"), std::string::npos);
    EXPECT_NE(join_err(edit([](json& e) { e["__metadata__"]["attnlab_format"] = "f16-planes-v9"; }))
                  .find("attnlab_format is \"f16-planes-v9\", expected \"f16-planes\""), std::string::npos);
    // the source header
    EXPECT_NE(join_err(edit([](json& e) { e["__metadata__"].erase("source_header"); }))
                  .find("source_header is missing or not a string"), std::string::npos);
    EXPECT_NE(join_err(edit([](json& e) { e["__metadata__"]["source_header"] = 42; }))
                  .find("source_header is missing or not a string"), std::string::npos);
    EXPECT_NE(join_err(edit([](json& e) { e["__metadata__"]["source_header"] = "{not json"; }))
                  .find("source_header: header is not a JSON object"), std::string::npos);
    auto source_edit = [&](auto fn) {
        return edit([&](json& e) {
            json s = json::parse(e["__metadata__"]["source_header"].get<std::string>());
            fn(s);
            e["__metadata__"]["source_header"] = s.dump();
        });
    };
    EXPECT_NE(join_err(source_edit([](json& s) { s["z.bias"]["data_offsets"] = {80, 1000}; }))
                  .find("source_header: tensor 'z.bias': data_offsets [80, 1000) outside the file"), std::string::npos);
    EXPECT_NE(join_err(source_edit([](json& s) { s["z.bias"]["shape"] = {10}; }))
                  .find("source_header: tensor 'z.bias': shape x F16 is 20 bytes"), std::string::npos);
    EXPECT_NE(join_err(source_edit([](json& s) { s["z.bias"]["data_offsets"] = {0, 18}; }))
                  .find("source_header: tensors overlap or leave gaps"), std::string::npos);
    EXPECT_NE(join_err(source_edit([](json& s) { s["ids"]["dtype"] = "U64"; }))
                  .find("tensor 'ids' is I64 [2] (16 bytes), expected U64 [2] (16 bytes) from the source header"),
              std::string::npos);
    // the planes
    EXPECT_NE(join_err(edit([](json& e) { e["a.weight:low"] = e["a.weight:lo"]; e.erase("a.weight:lo"); }))
                  .find("missing tensor 'a.weight:lo'"), std::string::npos);
    EXPECT_NE(join_err(edit([](json& e) { e["a.weight:hi"]["dtype"] = "I8"; }))
                  .find("tensor 'a.weight:hi' is I8 [15] (15 bytes), expected U8 [15]"), std::string::npos);
    EXPECT_NE(join_err(edit([](json& e) { e["a.weight:hi"]["shape"] = {3, 5}; }))
                  .find("tensor 'a.weight:hi' is U8 [3, 5]"), std::string::npos);
    EXPECT_NE(join_err(edit([](json& e) { e["a.weight:hi"]["data_offsets"][1] = 1 << 20; }))
                  .find("tensor 'a.weight:hi': data_offsets [0, 1048576) outside the file"), std::string::npos);
    EXPECT_NE(join_err(edit([](json& e) { e["z.bias:lo"]["data_offsets"] = e["z.bias:hi"]["data_offsets"]; }))
                  .find("tensors overlap or leave gaps"), std::string::npos);
    EXPECT_NE(join_err(edit([](json& e) { e["extra"] = {{"dtype", "U8"}, {"shape", {0}}, {"data_offsets", {0, 0}}}; }))
                  .find("unexpected tensor 'extra'"), std::string::npos);
    // cut anywhere: always a message, never a crash
    for (size_t n = 0; n < planar.size(); n++) join_err(planar.substr(0, n));
    EXPECT_NE(join_err(planar.substr(0, planar.size() - 1)).find("outside the file"), std::string::npos);
    EXPECT_NE(join_err("").find("file too short"), std::string::npos);
}

// ---- the loaders read a planar file as its source -----------------------------------------------------

TEST(ModelPlanes, PlanarFileLoadsWithTheSameWeightsAndLogits) {
    const std::string dir = "models/tiny-en-1m/";
    const std::string config = root_file(dir + "config.json"), vocab = root_file(dir + "vocab.json"),
                      merges = root_file(dir + "merges.txt"), src = root_file(dir + "model.safetensors");
    const std::string planar = split_ok(src);
    Model plain, planes;
    std::string err;
    ASSERT_TRUE(model_load_memory(plain, config, bytes(src), src.size(), vocab, merges, err)) << err;
    ASSERT_TRUE(model_load_memory(planes, config, bytes(planar), planar.size(), vocab, merges, err)) << err;
    ASSERT_EQ(planes.params.size(), plain.params.size());
    EXPECT_EQ(std::memcmp(planes.params.data(), plain.params.data(), plain.params.size() * sizeof(float)), 0);
    EXPECT_EQ(planes.source_dtype, "F16");

    std::vector<int> ids = tokenizer_encode_ids(plain.tok, "It was raining, so the dog stayed home.");
    Capture a, b;
    ASSERT_TRUE(model_forward(plain, ids, capture_everything(0), a, err)) << err;
    ASSERT_TRUE(model_forward(planes, ids, capture_everything(0), b, err)) << err;
    ASSERT_FALSE(a.logits.empty());
    EXPECT_EQ(a.logits, b.logits);

    // kept as F16 too, and the LSTM loader
    Model half;
    ASSERT_TRUE(model_load_memory(half, config, bytes(planar), planar.size(), vocab, merges, err, true)) << err;
    const std::string ldir = "models/lstm-en-v2/", lsrc = root_file(ldir + "model.safetensors"), lplanar = split_ok(lsrc);
    LSTMModel l1, l2;
    const std::string lcfg = root_file(ldir + "config.json"), lvocab = root_file(ldir + "vocab.json"),
                      lmerges = root_file(ldir + "merges.txt");
    ASSERT_TRUE(lstm_load_memory(l1, lcfg, bytes(lsrc), lsrc.size(), lvocab, lmerges, err)) << err;
    ASSERT_TRUE(lstm_load_memory(l2, lcfg, bytes(lplanar), lplanar.size(), lvocab, lmerges, err)) << err;
    EXPECT_EQ(l1.params, l2.params);

    // a corrupt planar file: the loader's message, the previous model kept
    json h = header_of(planar);
    h["wte.weight:low"] = h["wte.weight:lo"];
    h.erase("wte.weight:lo");
    const std::string bad = with_header(planar, h);
    planes.name = "previous";
    EXPECT_ERR(model_load_memory(planes, config, bytes(bad), bad.size(), vocab, merges, err), err,
               "planar safetensors: missing tensor 'wte.weight:lo'");
    EXPECT_EQ(planes.name, "previous");
    EXPECT_EQ(planes.params.size(), plain.params.size());
    EXPECT_ERR(lstm_load_memory(l2, lcfg, bytes(bad), bad.size(), lvocab, lmerges, err), err, "planar safetensors:");
}

}  // namespace
