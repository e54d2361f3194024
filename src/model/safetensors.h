// safetensors reader: validates the header and hands out tensor views; converts F32/F16/BF16 to F32.
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
