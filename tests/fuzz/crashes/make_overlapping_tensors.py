"""Reproducer: a ~0.5 MB model.safetensors makes model_load_memory allocate ~315 MB (any size, with more
layers/width: the allocation grows with n_layer x n_embd^2 while the file grows with n_layer only).

    /usr/bin/python3 tests/fuzz/crashes/make_overlapping_tensors.py build/fuzz/crashes
    scripts/dev/fuzz --replay build/fuzz/crashes      # fuzz_model_load: out-of-memory (malloc(...)) > 256 MB

safetensors_parse checks each tensor's data_offsets against the file but not against each other, so
every tensor of all 256 layers can point at the same bytes [0, 4C^2 x 2). weights_load then sizes
Model::params from the config (gpt2_num_params) and fills it from those shared bytes. The safetensors
format forbids overlapping (and the reference implementation rejects non-contiguous) offsets.
Fix (src/model/safetensors.cpp, safetensors_parse): after reading all entries, sort the tensors by
begin and reject any tensor whose begin < the previous end ("overlapping data_offsets"); then the
parameters can never exceed 2x the file size (F16 -> F32).
"""
import json
import os
import struct
import sys

SEP = b"\xfe\xfe\xfe\n"
L, C, V, T = 256, 160, 257, 1


def main(out):
    data_len = 4 * C * C * 2  # the biggest tensor, F16
    shapes = {"wte.weight": [V, C], "wpe.weight": [T, C], "ln_f.weight": [C], "ln_f.bias": [C]}
    per_layer = {"ln_1.weight": [C], "ln_1.bias": [C], "attn.c_attn.weight": [C, 3 * C], "attn.c_attn.bias": [3 * C],
                 "attn.c_proj.weight": [C, C], "attn.c_proj.bias": [C], "ln_2.weight": [C], "ln_2.bias": [C],
                 "mlp.c_fc.weight": [C, 4 * C], "mlp.c_fc.bias": [4 * C], "mlp.c_proj.weight": [4 * C, C],
                 "mlp.c_proj.bias": [C]}
    for i in range(L):
        for k, s in per_layer.items():
            shapes[f"h.{i}.{k}"] = s
    header = {}
    for name, shape in shapes.items():
        n = 1
        for d in shape:
            n *= d
        header[name] = {"dtype": "F16", "shape": shape, "data_offsets": [0, 2 * n]}  # all at offset 0
    text = json.dumps(header, separators=(",", ":")).encode()
    st = struct.pack("<Q", len(text)) + text + b"\0" * data_len
    cfg = json.dumps({"model_type": "gpt2", "n_layer": L, "n_head": 1, "n_embd": C, "n_positions": T,
                      "vocab_size": V}).encode()
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "fuzz_model_load-overlapping-tensors.bin")
    with open(path, "wb") as f:
        f.write(SEP.join([cfg, st, b"{}", b""]))
    print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/fuzz/crashes")
