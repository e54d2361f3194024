// safetensors reader: validates the header and hands out tensor views; converts F32/F16/BF16 to F32;
// splits and joins the byte-planar F16 form the page downloads (at the end of this file).
//
// File layout: [u64 little-endian N][N bytes JSON header][data]. The header maps each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end)} with offsets relative to the start of the data.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct SafeTensor {
    std::string name;
    std::string dtype;           // "F32", "F16", "BF16", or any other dtype string found in the file
    std::vector<int64_t> shape;
    const uint8_t* data = nullptr;  // into the file buffer
    uint64_t nbytes = 0;
};

struct SafeTensorsFile {
    std::vector<SafeTensor> tensors;
};

constexpr uint64_t SAFETENSORS_MAX_HEADER = 100u << 20;  // 100 MB, as the reference implementation

// Parses and validates the header: sizes, JSON, dtypes' element sizes, shapes, offsets inside the
// data and shape x element size == byte length (without overflow). Unknown dtypes are kept (the
// caller decides); only their offsets are checked.
bool safetensors_parse(const uint8_t* buf, size_t len, SafeTensorsFile& out, std::string& err);
const SafeTensor* safetensors_find(const SafeTensorsFile& f, const std::string& name);
// The tensor `name` with a float dtype (F32, F16, BF16) and exactly `shape`; else null and err says
// which of the three is wrong (a model loader's check of every tensor it reads).
const SafeTensor* safetensors_expect(const SafeTensorsFile& f, const std::string& name,
                                     const std::vector<int64_t>& shape, std::string& err);
// Element size in bytes of a dtype string (0 if unknown).
int safetensors_dtype_size(const std::string& dtype);
// Converts n elements of an F32/F16/BF16 tensor to float. Returns false for other dtypes.
bool safetensors_to_f32(const SafeTensor& t, float* out);

// Converts n elements of an F32/F16/BF16 tensor to F16 (F16 is copied; others round to nearest even,
// beyond the F16 range gives inf). Returns false for other dtypes.
bool safetensors_to_f16(const SafeTensor& t, uint16_t* out);

float f16_to_f32(uint16_t h);
float bf16_to_f32(uint16_t b);
uint16_t f32_to_f16(float f);  // round to nearest, ties to even; overflow -> inf; NaN stays NaN

// ---- byte-planar F16: the page's download of a built-in model's weights ----------------------------
// gzip compresses F16 weights better with all high bytes first, then all low bytes (tiny-en-v2:
// 2.36 -> 2.18 MB). The planar file ("model.planes.safetensors", written by scripts/build) is itself
// a valid safetensors file:
//   __metadata__: {"attnlab_format": "f16-planes", "source_header": the source's JSON header, verbatim}
//   for every F16 tensor X: U8 "X:hi" and "X:lo" [numel], its high and low bytes; all :hi planes come
//   first in the data, then all :lo planes; tensors of other dtypes follow, copied under their own name.
// Joining, [u64 len][source_header][data rebuilt at the source header's offsets], gives back the
// source file byte for byte; model.safetensors stays the committed original.

// Whether the header's __metadata__ names an attnlab_format (cheap: only the header is parsed).
bool safetensors_is_f16_planes(const uint8_t* buf, size_t len);
// The planar file of a safetensors file whose tensors cover its data section exactly once (no gaps,
// no shared bytes: what the reference implementation requires); else false and err says why.
bool safetensors_split_f16_planes(const uint8_t* buf, size_t len, std::string& out, std::string& err);
// The source file of a planar one; false and err ("planar safetensors: ...") for a corrupt file:
// bad metadata or source header, a missing plane, wrong sizes, offsets out of range, unused tensors.
bool safetensors_join_f16_planes(const uint8_t* buf, size_t len, std::string& out, std::string& err);
// The loaders' first step: a planar file is joined into `joined` and buf/len point at it; any other
// file is left for the normal parser. False and err if the file is planar but corrupt.
bool safetensors_join_if_planar(const uint8_t*& buf, size_t& len, std::string& joined, std::string& err);
