"""Dev-only exporter for the ONNX Runtime Web comparison in scripts/dev/bench. Not part of the page.

    /usr/bin/python3 bench/export_onnx.py MODEL_DIR OUT.onnx T

Reads a Hugging Face GPT-2 checkpoint (config.json + model.safetensors: F32, F16 or BF16, with or
without the "transformer." prefix) with numpy only, builds the same GPT-2 as a torch module (float32,
tied LM head, gelu tanh, causal softmax), checks it against the project's numpy oracle
(tests/reference/gpt2_numpy.py, float64) on the bench's token ids, and writes an ONNX file for a fixed
T with

    input   input_ids  int64 [T]          (the ids bench/model_bench.cpp uses: ids_of())
    output  logits     float32 [T, V]     every position
    output  attention  float32 [L, H, T, T] softmax weights of every layer and head (0 above the diagonal)

i.e. the outputs of our `forward` bench spec. Needs Debian's python3-torch (1.13); torch.onnx.export
serializes with torch's own bundled ONNX protobuf code, so the `onnx` Python package is not needed.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "reference"))
import gpt2_numpy as ref  # noqa: E402


def read_safetensors(path):
    """name -> float32 numpy array (values exactly as stored)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            a, b = info["data_offsets"]
            f.seek(base + a)
            raw = f.read(b - a)
            dt = info["dtype"]
            if dt == "F32":
                x = np.frombuffer(raw, "<f4")
            elif dt == "F16":
                x = np.frombuffer(raw, "<f2").astype(np.float32)
            elif dt == "BF16":
                x = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
            else:
                raise ValueError(f"{name}: dtype {dt} not supported")
            out[name] = x.reshape(info["shape"])
    return out


def load(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    raw = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    p = {}
    for k, v in raw.items():
        k = k[len("transformer."):] if k.startswith("transformer.") else k
        if k.endswith(".attn.bias") and v.ndim == 4 or k.endswith("masked_bias") or k == "lm_head.weight":
            continue  # causal-mask buffers; lm_head is tied to wte
        p[k] = v
    return cfg, p


def bench_ids(V, T):
    """bench/model_bench.cpp ids_of(): (i * 2654435761u + 11) % (V - 1) in uint32 arithmetic."""
    return np.array([((i * 2654435761 + 11) & 0xFFFFFFFF) % (V - 1) for i in range(T)], dtype=np.int64)


class GPT2(torch.nn.Module):
    def __init__(self, cfg, p, T):
        super().__init__()
        self.T = T
        self.L, self.H, self.C = cfg["n_layer"], cfg["n_head"], cfg["n_embd"]
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        t = lambda a: torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)),
                                         requires_grad=False)
        self.wte, self.wpe = t(p["wte.weight"]), t(p["wpe.weight"])
        names = ["ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                 "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
                 "mlp.c_proj.weight", "mlp.c_proj.bias"]
        self.blocks = torch.nn.ModuleList()
        for i in range(self.L):
            b = torch.nn.Module()
            for n in names:
                setattr(b, n.replace(".", "_"), t(p[f"h.{i}.{n}"]))
            self.blocks.append(b)
        self.lnf_w, self.lnf_b = t(p["ln_f.weight"]), t(p["ln_f.bias"])

    def forward(self, ids):  # ids [T] int64, T fixed per file (plain ints: no shape ops in the graph)
        T, C, H = self.T, self.C, self.H
        D = C // H
        x = self.wte[ids] + self.wpe[:T]                                   # [T, C]
        future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)  # key > query
        atts = []
        for b in self.blocks:
            h = F.layer_norm(x, (C,), b.ln_1_weight, b.ln_1_bias, self.eps)
            qkv = h @ b.attn_c_attn_weight + b.attn_c_attn_bias              # [T, 3C]
            q, k, v = qkv.split(C, dim=-1)
            q = q.reshape(T, H, D).transpose(0, 1)                         # [H, T, D]
            k = k.reshape(T, H, D).transpose(0, 1)
            v = v.reshape(T, H, D).transpose(0, 1)
            s = (q @ k.transpose(1, 2)) * (1.0 / math.sqrt(D))             # [H, T, T]
            a = torch.softmax(s.masked_fill(future, float("-inf")), dim=-1)
            atts.append(a)
            y = (a @ v).transpose(0, 1).reshape(T, C)
            x = x + y @ b.attn_c_proj_weight + b.attn_c_proj_bias
            h = F.layer_norm(x, (C,), b.ln_2_weight, b.ln_2_bias, self.eps)
            m = F.gelu(h @ b.mlp_c_fc_weight + b.mlp_c_fc_bias, approximate="tanh")
            x = x + m @ b.mlp_c_proj_weight + b.mlp_c_proj_bias
        x = F.layer_norm(x, (C,), self.lnf_w, self.lnf_b, self.eps)
        return x @ self.wte.t(), torch.stack(atts)                         # [T, V], [L, H, T, T]


def reference(cfg, p, ids):
    """The numpy oracle (float64) on the same stored values."""
    d = lambda k: p[k].astype(np.float64)
    blocks = []
    for i in range(cfg["n_layer"]):
        h = f"h.{i}."
        lin = lambda n: {"w": d(h + n + ".weight"), "b": d(h + n + ".bias")}
        ln = lambda n: {"g": d(h + n + ".weight"), "b": d(h + n + ".bias")}
        blocks.append({"ln_1": ln("ln_1"), "ln_2": ln("ln_2"),
                       "attn": {"c_attn": lin("attn.c_attn"), "c_proj": lin("attn.c_proj")},
                       "mlp": {"c_fc": lin("mlp.c_fc"), "c_proj": lin("mlp.c_proj")}})
    params = {"wte": d("wte.weight"), "wpe": d("wpe.weight"), "blocks": blocks,
              "ln_f": {"g": d("ln_f.weight"), "b": d("ln_f.bias")}}
    logits, rec = ref.gpt2(ids, params, cfg["n_head"], cfg.get("layer_norm_epsilon", 1e-5))
    return logits, np.array([r["weights"] for r in rec["layers"]])


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    model_dir, out, T = argv[0], argv[1], int(argv[2])
    torch.set_num_threads(1)
    cfg, p = load(model_dir)
    T = min(T, cfg["n_positions"])
    ids = bench_ids(cfg["vocab_size"], T)
    m = GPT2(cfg, p, T).eval()
    with torch.no_grad():
        logits, att = m(torch.from_numpy(ids))
    rl, ra = reference(cfg, p, ids)
    dl = float(np.max(np.abs(logits.numpy() - rl)))
    da = float(np.max(np.abs(att.numpy() - ra)))
    scale = float(np.max(np.abs(rl)))
    print(f"torch vs numpy oracle ({os.path.basename(model_dir.rstrip('/'))}, T={T}): "
          f"max |logits diff| {dl:.2e} (max |logit| {scale:.1f}), max |attention diff| {da:.2e}", file=sys.stderr)
    # float32 vs float64: a few ulp of the logit scale; attention probabilities to ~1e-5.
    assert dl <= 2e-5 * max(1.0, scale) * math.sqrt(cfg["n_embd"]), "torch logits differ from the numpy oracle"
    assert da <= 1e-4, "torch attention differs from the numpy oracle"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with torch.no_grad():
        torch.onnx.export(m, (torch.from_numpy(ids),), tmp, input_names=["input_ids"],
                          output_names=["logits", "attention"], opset_version=17, do_constant_folding=False, verbose=bool(os.environ.get("EXPORT_VERBOSE")))
    os.replace(tmp, out)
    print(f"wrote {out} ({os.path.getsize(out) / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
