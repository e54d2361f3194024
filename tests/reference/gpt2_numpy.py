"""GPT-2 forward pass and sampler in plain numpy: the independent oracle for src/model.

picoGPT style, float64 throughout. Written from the GPT-2 paper / HF modeling_gpt2 semantics, not from
the C++ code. Shapes: T tokens, C n_embd, H heads, D = C // H, V vocabulary, L layers.

    params = {"wte": [V, C], "wpe": [maxT, C], "blocks": [ {ln_1, attn: {c_attn, c_proj}, ln_2,
              mlp: {c_fc, c_proj}} ... ], "ln_f": {g, b}}      (Conv1D layout: w is [in, out])
"""
import numpy as np


# ---- building blocks ---------------------------------------------------------------------------------

def gelu(x):  # tanh approximation ("gelu_new")
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def softmax(x):  # along the last axis
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def layer_norm(x, g, b, eps):  # [T, C] -> [T, C]
    mean = np.mean(x, axis=-1, keepdims=True)
    var = np.var(x, axis=-1, keepdims=True)  # biased, as torch
    return g * (x - mean) / np.sqrt(var + eps) + b


def linear(x, w, b):  # [T, in] @ [in, out] + [out] -> [T, out]
    return x @ w + b


# ---- transformer -------------------------------------------------------------------------------------

def intervene_weights(weights, layer, iv):
    """Knock-outs: (layer, head, query, key) -> weight 0, the query's row renormalised (zeros if empty)."""
    for (l, h, q, k) in (iv or {}).get("knockout", []):
        if l == layer:
            weights[h, q, k] = 0.0
            s = weights[h, q].sum()
            weights[h, q] = weights[h, q] / s if s > 0 else 0.0
    return weights


def intervene_heads(out, layer, iv):
    """Ablation (zeros, or the head's mean over positions) and patching (z from another run) of out [H, T, D]."""
    iv = iv or {}
    for (l, h) in iv.get("ablate", []):
        if l == layer:
            out[h] = out[h].mean(axis=0, keepdims=True) if iv.get("mode") == "mean" else 0.0
    for (l, h) in iv.get("patch", []):
        if l == layer:
            out[h] = iv["patch_z"][l][h]
    return out


def attention(x, c_attn, c_proj, n_head, rec, layer=0, iv=None):
    T, C = x.shape
    D = C // n_head
    qkv = linear(x, **c_attn)                      # [T, 3C]
    q, k, v = np.split(qkv, 3, axis=-1)            # 3 x [T, C]
    q = q.reshape(T, n_head, D).transpose(1, 0, 2)  # [H, T, D]
    k = k.reshape(T, n_head, D).transpose(1, 0, 2)  # [H, T, D]
    v = v.reshape(T, n_head, D).transpose(1, 0, 2)  # [H, T, D]
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(D)  # [H, T, T]
    future = np.triu(np.ones((T, T), dtype=bool), k=1)  # key > query
    masked = np.where(future, -np.inf, scores)      # [H, T, T]
    weights = softmax(masked)                       # [H, T, T], exact zeros above the diagonal
    weights = intervene_weights(weights, layer, iv)
    out = intervene_heads(weights @ v, layer, iv)   # [H, T, D]
    rec.update(scores=scores, weights=weights, q=q, k=k, v=v, head_out=out)
    merged = out.transpose(1, 0, 2).reshape(T, C)   # [T, C]
    return linear(merged, **c_proj)                 # [T, C]


def mlp(x, c_fc, c_proj):
    return linear(gelu(linear(x, **c_fc)), **c_proj)  # [T, C] -> [T, 4C] -> [T, C]


def block(x, ln_1, attn, ln_2, mlp_p, n_head, eps, rec, layer=0, iv=None):
    x = x + attention(layer_norm(x, **ln_1, eps=eps), **attn, n_head=n_head, rec=rec, layer=layer, iv=iv)  # [T, C]
    rec["resid_attn"] = x
    x = x + mlp(layer_norm(x, **ln_2, eps=eps), **mlp_p)                              # [T, C]
    rec["resid_mlp"] = x
    return x


def gpt2(ids, params, n_head, eps=1e-5, iv=None):
    """Returns (logits [T, V], records) where records holds every intermediate the C++ captures.
    iv (optional): {"ablate": [(l, h)], "mode": "zero" | "mean", "knockout": [(l, h, q, k)],
    "patch": [(l, h)], "patch_z": [L, H, T, D] head outputs of another run}."""
    wte, wpe = params["wte"], params["wpe"]
    x = wte[ids] + wpe[np.arange(len(ids))]         # [T, C]
    records = {"embed": x, "layers": []}
    for layer, b in enumerate(params["blocks"]):
        rec = {}
        x = block(x, b["ln_1"], b["attn"], b["ln_2"], b["mlp"], n_head, eps, rec, layer, iv)
        records["layers"].append(rec)
    logits = layer_norm(x, **params["ln_f"], eps=eps) @ wte.T  # [T, V] tied LM head
    return logits, records


def logit_lens(records, params, eps, k):
    """Top-k ids and probabilities of ln_f + LM head applied to every layer's output: [L, T, k]."""
    ids, probs = [], []
    for rec in records["layers"]:
        p = softmax(layer_norm(rec["resid_mlp"], **params["ln_f"], eps=eps) @ params["wte"].T)  # [T, V]
        order = np.argsort(-p, axis=-1, kind="stable")[:, :k]                                # [T, k]
        ids.append(order)
        probs.append(np.take_along_axis(p, order, axis=-1))
    return np.array(ids), np.array(probs)


# ---- sampling (the documented algorithm of src/model/sample.cpp, re-implemented) ----------------------

M64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def uniform(self):  # top 24 bits -> [0, 1), exact in float32
        return (self.next_u64() >> 40) / float(1 << 24)


def sampling_distribution(logits, temperature, top_k, top_p):
    """logits [V] -> the distribution sampled from (zeros outside the kept set)."""
    V = len(logits)
    logits = np.asarray(logits, dtype=np.float64)
    if temperature <= 0:
        p = np.zeros(V)
        p[int(np.argmax(logits))] = 1.0  # first maximum
        return p
    z = logits / temperature
    keep = np.ones(V, dtype=bool)
    if 0 < top_k < V:
        order = sorted(range(V), key=lambda i: (-z[i], i))
        keep[:] = False
        keep[order[:top_k]] = True
    p = np.zeros(V)
    zmax = np.max(z[keep])
    p[keep] = np.exp(z[keep] - zmax)
    p /= p.sum()
    if top_p < 1.0:
        order = sorted(np.nonzero(p)[0], key=lambda i: (-p[i], i))
        cum, kept = 0.0, []
        for i in order:
            kept.append(i)
            cum += p[i]
            if cum >= top_p:
                break
        q = np.zeros(V)
        q[kept] = p[kept]
        p = q / q.sum()
    return p


def sample_from(p, rng):
    u = rng.uniform()
    cum, last = 0.0, -1
    for i in range(len(p)):
        if p[i] <= 0:
            continue
        cum += p[i]
        last = i
        if u < cum:
            return i
    return last


def generate(prompt, params, n_head, eps, steps, temperature, top_k, top_p, seed, max_t):
    rng = SplitMix64(seed)
    ids = list(prompt)
    out = []
    for _ in range(steps):
        if len(ids) >= max_t:
            break
        logits, _ = gpt2(np.array(ids), params, n_head, eps)
        p = sampling_distribution(logits[-1].astype(np.float32), temperature, top_k, top_p)
        nxt = sample_from(p, rng)
        ids.append(nxt)
        out.append(nxt)
    return out
