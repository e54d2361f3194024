// safetensors reader (see safetensors.h). Never trusts the file: every size is checked before use.
#include "model/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

using json = nlohmann::json;

// ----------------------------------------------------------------------------------------------------
// dtypes

int safetensors_dtype_size(const std::string& dtype) {
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
    return 0;
}

float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0x1f) {                 // inf / nan
        bits = sign | 0x7f800000u | (mant << 13);
    } else if (exp != 0) {             // normal: rebias 15 -> 127
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant == 0) {            // +-0
        bits = sign;
    } else {                           // subnormal: mant * 2^-24, exact in float
        float f = (float)mant * (1.0f / 16777216.0f);
        std::memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float out;
    std::memcpy(&out, &bits, 4);
    return out;
}

float bf16_to_f32(uint16_t b) {
    uint32_t bits = (uint32_t)b << 16;
    float out;
    std::memcpy(&out, &bits, 4);
    return out;
}

uint16_t f32_to_f16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return sign | 0x7e00;                   // NaN
    if (ax >= 0x477ff000u) return sign | 0x7c00;                  // >= 65520 rounds past the largest half: inf
    if (ax < 0x38800000u) {                                       // below 2^-14: a subnormal half (or 0)
        // value / 2^-24, rounded to nearest even: shift the 24-bit significand right
        if (ax < 0x33000000u) return sign;                        // < 2^-25: rounds to 0 (2^-25 ties to even 0)
        const uint32_t e = ax >> 23, mant = (ax & 0x7fffff) | 0x800000;
        const int shift = 126 - (int)e;                           // 14 .. 24 bits off
        uint32_t q = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1))) q++;
        return sign | (uint16_t)q;
    }
    uint32_t h = ((ax >> 13) - (112u << 10));                     // rebias 127 -> 15, keep 10 mantissa bits
    const uint32_t rem = ax & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;          // a carry into the exponent is right too
    return sign | (uint16_t)h;
}

static uint16_t load_u16le(const uint8_t* p) { return (uint16_t)(p[0] | (p[1] << 8)); }

bool safetensors_to_f32(const SafeTensor& t, float* out) {
    size_t n;
    if (t.dtype == "F32") {
        std::memcpy(out, t.data, t.nbytes);  // hosts (x86, wasm32) are little-endian; data may be unaligned
        return true;
    }
    if (t.dtype == "F16") {
        n = t.nbytes / 2;
        for (size_t i = 0; i < n; i++) out[i] = f16_to_f32(load_u16le(t.data + 2 * i));
        return true;
    }
    if (t.dtype == "BF16") {
        n = t.nbytes / 2;
        for (size_t i = 0; i < n; i++) out[i] = bf16_to_f32(load_u16le(t.data + 2 * i));
        return true;
    }
    return false;
}

bool safetensors_to_f16(const SafeTensor& t, uint16_t* out) {
    if (t.dtype == "F16") {
        std::memcpy(out, t.data, t.nbytes);
        return true;
    }
    if (t.dtype != "F32" && t.dtype != "BF16") return false;
    static thread_local std::vector<float> chunk;                 // bounded scratch: no whole F32 copy
    const size_t es = safetensors_dtype_size(t.dtype), n = t.nbytes / es, step = 1 << 16;
    chunk.resize(step);
    for (size_t i = 0; i < n; i += step) {
        SafeTensor part = t;
        const size_t m = std::min(step, n - i);
        part.data = t.data + i * es;
        part.nbytes = m * es;
        safetensors_to_f32(part, chunk.data());
        for (size_t j = 0; j < m; j++) out[i + j] = f32_to_f16(chunk[j]);
    }
    return true;
}

// ----------------------------------------------------------------------------------------------------
// header

static bool json_u64(const json& j, uint64_t& out) {
    if (j.is_number_unsigned()) { out = j.get<uint64_t>(); return true; }
    if (j.is_number_integer()) {
        int64_t v = j.get<int64_t>();
        if (v < 0) return false;
        out = (uint64_t)v;
        return true;
    }
    return false;
}

// The JSON header of a safetensors file (an object) and its byte length; the data starts at 8 + header_len.
static bool header_read(const uint8_t* buf, size_t len, json& header, uint64_t& header_len, std::string& err) {
    if (buf == nullptr || len < 8) {
        err = "safetensors: file too short (" + std::to_string(len) + " bytes; needs at least the 8-byte header size)";
        return false;
    }
    header_len = 0;
    for (int i = 7; i >= 0; i--) header_len = (header_len << 8) | buf[i];
    if (header_len > SAFETENSORS_MAX_HEADER) {
        err = "safetensors: header too large (" + std::to_string(header_len) + " bytes, limit " +
              std::to_string(SAFETENSORS_MAX_HEADER) + ")";
        return false;
    }
    if (header_len > len - 8) {
        err = "safetensors: truncated file (header says " + std::to_string(header_len) + " bytes, file has " +
              std::to_string(len - 8) + " after the size field)";
        return false;
    }
    const char* htext = (const char*)buf + 8;
    header = json::parse(htext, htext + header_len, nullptr, false);
    if (header.is_discarded() || !header.is_object()) {
        err = "safetensors: header is not a JSON object";
        return false;
    }
    return true;
}

bool safetensors_parse(const uint8_t* buf, size_t len, SafeTensorsFile& out, std::string& err) {
    out.tensors.clear();
    json header;
    uint64_t header_len = 0;
    if (!header_read(buf, len, header, header_len, err)) return false;
    const uint8_t* data = buf + 8 + header_len;
    uint64_t data_len = len - 8 - header_len;

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        if (name == "__metadata__") continue;
        const json& e = it.value();
        std::string where = "safetensors: tensor '" + name + "': ";
        if (!e.is_object()) { err = where + "entry is not an object"; return false; }
        auto dt = e.find("dtype"), sh = e.find("shape"), off = e.find("data_offsets");
        if (dt == e.end() || !dt->is_string()) { err = where + "missing or non-string \"dtype\""; return false; }
        if (sh == e.end() || !sh->is_array()) { err = where + "missing or non-array \"shape\""; return false; }
        if (off == e.end() || !off->is_array() || off->size() != 2) {
            err = where + "\"data_offsets\" must be [begin, end]";
            return false;
        }
        SafeTensor t;
        t.name = name;
        t.dtype = dt->get<std::string>();
        uint64_t begin = 0, end = 0;
        if (!json_u64((*off)[0], begin) || !json_u64((*off)[1], end) || begin > end) {
            err = where + "bad data_offsets (need 0 <= begin <= end)";
            return false;
        }
        if (end > data_len) {
            err = where + "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  ") outside the file (data section is " + std::to_string(data_len) + " bytes; truncated file?)";
            return false;
        }
        uint64_t numel = 1;
        for (const json& d : *sh) {
            uint64_t dim = 0;
            if (!json_u64(d, dim)) { err = where + "shape entries must be non-negative integers"; return false; }
            if (dim != 0 && numel > UINT64_MAX / dim) { err = where + "shape size overflows"; return false; }
            t.shape.push_back((int64_t)dim);
            numel *= dim;
        }
        int esize = safetensors_dtype_size(t.dtype);
        if (esize > 0) {
            if (numel > UINT64_MAX / (uint64_t)esize) { err = where + "byte size overflows"; return false; }
            if (numel * (uint64_t)esize != end - begin) {
                err = where + "shape x " + t.dtype + " is " + std::to_string(numel * esize) + " bytes but data_offsets span " +
                      std::to_string(end - begin);
                return false;
            }
        }
        t.data = data + begin;
        t.nbytes = end - begin;
        out.tensors.push_back(std::move(t));
    }
    // Tensors may share bytes (a tied LM head stored as a view of wte), but a small file must not
    // claim gigabytes by pointing every layer at the same bytes: the loader sizes its buffers from
    // these tensors, so their total is capped at twice the data actually present.
    uint64_t claimed = 0;
    for (const SafeTensor& t : out.tensors) claimed += t.nbytes;
    if (claimed > 2 * (uint64_t)data_len + 4096) {
        err = "tensors claim " + std::to_string(claimed) + " bytes but the data section has only " +
              std::to_string(data_len) + " (tensors overlap)";
        return false;
    }
    return true;
}

const SafeTensor* safetensors_find(const SafeTensorsFile& f, const std::string& name) {
    for (const SafeTensor& t : f.tensors)
        if (t.name == name) return &t;
    return nullptr;
}

static std::string shape_str(const std::vector<int64_t>& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); i++) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

const SafeTensor* safetensors_expect(const SafeTensorsFile& f, const std::string& name,
                                     const std::vector<int64_t>& shape, std::string& err) {
    const SafeTensor* t = safetensors_find(f, name);
    if (!t) { err = "model.safetensors: missing tensor '" + name + "'"; return nullptr; }
    if (t->dtype != "F32" && t->dtype != "F16" && t->dtype != "BF16") {
        err = "model.safetensors: tensor '" + name + "' has dtype " + t->dtype + " (supported: F32, F16, BF16)";
        return nullptr;
    }
    if (t->shape != shape) {
        err = "model.safetensors: tensor '" + name + "' has shape " + shape_str(t->shape) + ", expected " +
              shape_str(shape);
        return nullptr;
    }
    return t;
}

// ----------------------------------------------------------------------------------------------------
// byte-planar F16 (see safetensors.h)
//
// A trained model's F16 weights share few high bytes (sign, exponent, top of the mantissa) while their
// low bytes are close to noise. Interleaved, gzip finds neither pattern; with all high bytes first and
// all low bytes after, it does (tiny-en-v2, zlib -9: 2,355,569 -> 2,178,225 bytes), and nothing is lost.

static const char* PLANES_FORMAT = "f16-planes";

static bool header_is_planar(const json& header) {
    auto meta = header.find("__metadata__");
    return meta != header.end() && meta->is_object() && meta->contains("attnlab_format");
}

bool safetensors_is_f16_planes(const uint8_t* buf, size_t len) {
    json header;
    uint64_t header_len = 0;
    std::string err;
    return header_read(buf, len, header, header_len, err) && header_is_planar(header);
}

// The tensors in data order, if they cover the data section exactly once: each starts where the one
// before ended and the last ends at data_len. The reference implementation requires this of every
// file; here it is what makes a split and a join lossless (no byte outside a tensor, none shared).
static bool tensors_in_data_order(const SafeTensorsFile& f, const uint8_t* data, uint64_t data_len,
                                  std::vector<const SafeTensor*>& order) {
    order.clear();
    for (const SafeTensor& t : f.tensors) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const SafeTensor* a, const SafeTensor* b) {
        return a->data != b->data ? a->data < b->data : a->nbytes < b->nbytes;  // empty tensors first
    });
    uint64_t at = 0;
    for (const SafeTensor* t : order) {
        if ((uint64_t)(t->data - data) != at) return false;
        at += t->nbytes;
    }
    return at == data_len;
}

// "safetensors: why" from the parser, restated for the planar file or for its source header.
static std::string planar_error(const std::string& what, const std::string& why) {
    const std::string prefix = "safetensors: ";
    const bool has = why.compare(0, prefix.size(), prefix) == 0;
    return "planar safetensors: " + what + (has ? why.substr(prefix.size()) : why);
}

bool safetensors_split_f16_planes(const uint8_t* buf, size_t len, std::string& out, std::string& err) {
    out.clear();
    json header;
    uint64_t header_len = 0;
    SafeTensorsFile source;
    if (!header_read(buf, len, header, header_len, err) || !safetensors_parse(buf, len, source, err)) return false;
    if (header_is_planar(header)) {
        err = "safetensors: already a planar file (__metadata__ has \"attnlab_format\")";
        return false;
    }
    std::vector<const SafeTensor*> order;
    if (!tensors_in_data_order(source, buf + 8 + header_len, len - 8 - header_len, order)) {
        err = "safetensors: tensors overlap or leave gaps in the data section: the file cannot be split losslessly";
        return false;
    }

    // The pieces in the planar file's data order: every F16 tensor's high bytes (in the source's data
    // order), then every low bytes, then the other tensors whole.
    struct Piece { const SafeTensor* t; int byte; std::string name; };  // byte: 1 high, 0 low, -1 whole tensor
    std::vector<Piece> pieces;
    for (const SafeTensor* t : order) if (t->dtype == "F16") pieces.push_back({t, 1, t->name + ":hi"});
    for (const SafeTensor* t : order) if (t->dtype == "F16") pieces.push_back({t, 0, t->name + ":lo"});
    for (const SafeTensor* t : order) if (t->dtype != "F16") pieces.push_back({t, -1, t->name});

    nlohmann::ordered_json h;  // in data order, __metadata__ first: readable with a pager
    h["__metadata__"] = {{"attnlab_format", PLANES_FORMAT},
                         {"source_header", std::string((const char*)buf + 8, header_len)}};
    std::set<std::string> names;
    uint64_t at = 0;
    for (const Piece& p : pieces) {
        if (!names.insert(p.name).second) {
            err = "safetensors: tensor '" + p.name + "' and a plane of another tensor would share that name";
            return false;
        }
        const uint64_t n = p.byte < 0 ? p.t->nbytes : p.t->nbytes / 2;
        h[p.name] = {{"dtype", p.byte < 0 ? p.t->dtype : "U8"},
                     {"shape", p.byte < 0 ? p.t->shape : std::vector<int64_t>{(int64_t)n}},
                     {"data_offsets", {at, at + n}}};
        at += n;
    }
    // (the header was valid UTF-8 JSON, so nothing is replaced; "replace" only rules out a throw)
    std::string text = h.dump(-1, ' ', false, json::error_handler_t::replace);
    text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned, as the reference writer does

    out.reserve(8 + text.size() + at);
    for (int i = 0; i < 8; i++) out.push_back((char)(uint8_t)((uint64_t)text.size() >> (8 * i)));
    out += text;
    for (const Piece& p : pieces) {
        if (p.byte < 0) {
            out.append((const char*)p.t->data, p.t->nbytes);
            continue;
        }
        for (uint64_t i = 0; i < p.t->nbytes / 2; i++) out.push_back((char)p.t->data[2 * i + p.byte]);  // little-endian
    }
    return true;
}

// The planar file's tensor `name`, which must have exactly this dtype, shape and byte size and not be
// taken yet (each plane rebuilds one source tensor); else null and err says which.
static const SafeTensor* plane_take(const SafeTensorsFile& planes, const std::unordered_map<std::string, size_t>& index,
                                    std::vector<char>& taken, const std::string& name, const std::string& dtype,
                                    const std::vector<int64_t>& shape, uint64_t nbytes, std::string& err) {
    auto it = index.find(name);
    if (it == index.end()) {
        err = planar_error("", "missing tensor '" + name + "'");
        return nullptr;
    }
    const SafeTensor& t = planes.tensors[it->second];
    if (t.dtype != dtype || t.shape != shape || t.nbytes != nbytes) {
        err = planar_error("", "tensor '" + name + "' is " + t.dtype + " " + shape_str(t.shape) + " (" +
                                   std::to_string(t.nbytes) + " bytes), expected " + dtype + " " + shape_str(shape) +
                                   " (" + std::to_string(nbytes) + " bytes) from the source header");
        return nullptr;
    }
    if (taken[it->second]) {
        err = planar_error("", "tensor '" + name + "' would rebuild two source tensors");
        return nullptr;
    }
    taken[it->second] = 1;
    return &t;
}

bool safetensors_join_f16_planes(const uint8_t* buf, size_t len, std::string& out, std::string& err) {
    out.clear();
    json header;
    uint64_t header_len = 0;
    SafeTensorsFile planes;
    if (!header_read(buf, len, header, header_len, err) || !safetensors_parse(buf, len, planes, err)) {
        err = planar_error("", err);
        return false;
    }
    auto meta = header.find("__metadata__");
    if (meta == header.end() || !meta->is_object()) {
        err = planar_error("", "no __metadata__ object (not a planar file)");
        return false;
    }
    auto format = meta->find("attnlab_format");
    if (format == meta->end() || !format->is_string() || format->get<std::string>() != PLANES_FORMAT) {
        err = planar_error("", "__metadata__.attnlab_format is " +
                                   (format == meta->end() ? std::string("missing") : format->dump()) +
                                   ", expected \"" + PLANES_FORMAT + "\"");
        return false;
    }
    auto source_it = meta->find("source_header");
    if (source_it == meta->end() || !source_it->is_string()) {
        err = planar_error("", "__metadata__.source_header is missing or not a string");
        return false;
    }
    const std::string& source_header = source_it->get_ref<const std::string&>();
    const uint8_t* data = buf + 8 + header_len;
    const uint64_t data_len = len - 8 - header_len;
    std::vector<const SafeTensor*> order;
    if (!tensors_in_data_order(planes, data, data_len, order)) {
        err = planar_error("", "tensors overlap or leave gaps in the data section");
        return false;
    }

    // The joined file: the source header verbatim and a data section as long as the planes' (both
    // cover their data exactly once). The normal parser then checks the source header against it.
    // The size is at most the planar file's: the source header sits escaped inside its header.
    out.assign(8 + source_header.size() + data_len, '\0');
    uint8_t* joined = (uint8_t*)&out[0];
    for (int i = 0; i < 8; i++) joined[i] = (uint8_t)((uint64_t)source_header.size() >> (8 * i));
    std::memcpy(joined + 8, source_header.data(), source_header.size());
    SafeTensorsFile source;
    bool ok = safetensors_parse(joined, out.size(), source, err);
    if (!ok) err = planar_error("source_header: ", err);
    else if (!tensors_in_data_order(source, joined + 8 + source_header.size(), data_len, order)) {
        ok = false;
        err = planar_error("source_header: ", "tensors overlap or leave gaps in the data section");
    }

    // Every source tensor from its two planes (F16) or its copy (other dtypes); every tensor of the
    // planar file used once.
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < planes.tensors.size(); i++) index[planes.tensors[i].name] = i;
    std::vector<char> taken(planes.tensors.size(), 0);
    for (size_t s = 0; ok && s < source.tensors.size(); s++) {
        const SafeTensor& t = source.tensors[s];
        uint8_t* to = joined + (t.data - joined);  // t.data points into out
        if (t.dtype == "F16") {
            const uint64_t n = t.nbytes / 2;
            const std::vector<int64_t> shape = {(int64_t)n};
            const SafeTensor* hi = plane_take(planes, index, taken, t.name + ":hi", "U8", shape, n, err);
            const SafeTensor* lo = hi ? plane_take(planes, index, taken, t.name + ":lo", "U8", shape, n, err) : nullptr;
            if (!lo) { ok = false; break; }
            for (uint64_t i = 0; i < n; i++) to[2 * i] = lo->data[i], to[2 * i + 1] = hi->data[i];  // little-endian
        } else {
            const SafeTensor* same = plane_take(planes, index, taken, t.name, t.dtype, t.shape, t.nbytes, err);
            if (!same) { ok = false; break; }
            std::memcpy(to, same->data, t.nbytes);
        }
    }
    for (size_t i = 0; ok && i < planes.tensors.size(); i++) {
        if (!taken[i]) {
            ok = false;
            err = planar_error("", "unexpected tensor '" + planes.tensors[i].name + "' (no tensor of the source header uses it)");
        }
    }
    if (!ok) out.clear();
    return ok;
}

bool safetensors_join_if_planar(const uint8_t*& buf, size_t& len, std::string& joined, std::string& err) {
    if (!safetensors_is_f16_planes(buf, len)) return true;
    if (!safetensors_join_f16_planes(buf, len, joined, err)) return false;
    buf = (const uint8_t*)joined.data();
    len = joined.size();
    return true;
}
