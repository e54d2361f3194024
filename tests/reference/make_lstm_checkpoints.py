"""Writes small random LSTM checkpoints in the word_language_model layout (safetensors + config.json +
GPT-2 vocabulary, see src/model/lstm.h) and the numpy reference outputs the C++ tests compare against:
the LSTM's logits, h, c and gates (lstm_numpy.py), and occlusion influence for the LSTM and for a tiny
GPT-2 (gpt2_numpy.py), with the GPT's attention rollout row.

    make_lstm_checkpoints.py OUT_DIR

Reference outputs use make_checkpoints.py's format: ref_<case>.json + ref_<case>.bin.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_numpy as gref  # noqa: E402
import lstm_numpy as ref  # noqa: E402
import make_checkpoints as mk  # noqa: E402

NEUTRAL_THE = 262  # " the" in the GPT-2 vocabulary (its merges 256..262 are all inside V = 320)


def write_lstm(d, V, E, H, L, tied, dtype, seed, scale=1.0):
    """Random torch-like weights (U(-k, k), k = scale/sqrt(H)); returns the values as stored (float64)."""
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(seed)
    k = scale / np.sqrt(H)

    def u(*shape, a):
        return rng.uniform(-a, a, shape).astype(np.float32)

    p = {"encoder.weight": u(V, E, a=1.0)}
    for layer in range(L):
        p[f"rnn.weight_ih_l{layer}"] = u(4 * H, E if layer == 0 else H, a=k)
        p[f"rnn.weight_hh_l{layer}"] = u(4 * H, H, a=k)
        p[f"rnn.bias_ih_l{layer}"] = u(4 * H, a=k)
        p[f"rnn.bias_hh_l{layer}"] = u(4 * H, a=k)
    p["decoder.weight"] = p["encoder.weight"] if tied else u(V, H, a=0.5)
    p["decoder.bias"] = u(V, a=0.3)
    values, tensors = {}, []
    for name, a in p.items():  # torch's state_dict order; tied models carry decoder.weight too
        values[name], raw = mk.stored(a, dtype)
        tensors.append((name, dtype, a.shape, raw))
    mk.write_safetensors(os.path.join(d, "model.safetensors"), tensors, {"format": "pt"})
    config = {"model_type": "lstm", "vocab_size": V, "embedding_size": E, "hidden_size": H, "num_layers": L,
              "tie_weights": tied}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    mk.write_vocab(d, V)
    return values, config


def write_case(out, case, model, ids, arrays, extra):
    index, blob = {}, bytearray()
    for name, a in arrays.items():
        a = np.asarray(a)
        is_int = np.issubdtype(a.dtype, np.integer)
        index[name] = {"shape": list(a.shape), "dtype": "i32" if is_int else "f32", "offset": len(blob)}
        blob += a.astype("<i4" if is_int else "<f4").tobytes()
    meta = {"model": model, "ids": list(map(int, ids)), "lens_k": 0, "arrays": index}
    meta.update(extra)
    with open(os.path.join(out, f"ref_{case}.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(out, f"ref_{case}.json"), "w") as f:
        json.dump(meta, f)


def lstm_case(out, case, model, values, config, ids, position):
    L = config["num_layers"]
    logits, rec = ref.lstm_lm(ids, values, L)
    infl = ref.occlusion(ids, position, NEUTRAL_THE, lambda s: ref.lstm_lm(s, values, L)[0][-1])
    write_case(out, case, model, ids, {"logits": logits, "h": rec["h"], "c": rec["c"], "gates": rec["gates"],
                                       "influence": infl},
               {"position": position, "neutral": NEUTRAL_THE})


def main(argv):
    out = argv[0]
    os.makedirs(out, exist_ok=True)
    ids_a = [40, 257, 3290, 290, 257, 3797, 13, 632, 373, 257, 3290, 13, 262, 318, 5, 17, 17, 290]
    ids_a = [i % 320 for i in ids_a]
    # tied, F32, weights scaled x3 so gates saturate partly (c grows beyond 1, forget gates spread)
    values, config = write_lstm(os.path.join(out, "lstm_tied_f32"), V=320, E=24, H=24, L=2, tied=True, dtype="F32",
                                seed=1, scale=3.0)
    lstm_case(out, "lstm_tied_f32_a", "lstm_tied_f32", values, config, ids_a, len(ids_a) - 1)
    lstm_case(out, "lstm_tied_f32_mid", "lstm_tied_f32", values, config, ids_a, 9)
    lstm_case(out, "lstm_tied_f32_one", "lstm_tied_f32", values, config, [7], 0)
    # untied, E != H, 3 layers, F16; H = 22 is not a multiple of 4 (the scalar tail of lstm_cell_rows)
    values, config = write_lstm(os.path.join(out, "lstm_untied_f16"), V=320, E=16, H=22, L=3, tied=False,
                                dtype="F16", seed=2, scale=2.0)
    lstm_case(out, "lstm_untied_f16_a", "lstm_untied_f16", values, config, ids_a, len(ids_a) - 1)
    # a tiny GPT-2 for influence and rollout
    params, gcfg = mk.write_model(os.path.join(out, "gpt_tiny"), L=2, H=2, C=32, maxT=32, V=320, dtype="F32", seed=1)
    H, eps = gcfg["n_head"], gcfg["layer_norm_epsilon"]
    for case, position in [("gpt_tiny_a", len(ids_a) - 1), ("gpt_tiny_mid", 9)]:
        infl = ref.occlusion(ids_a, position, NEUTRAL_THE, lambda s: gref.gpt2(np.array(s), params, H, eps)[0][-1])
        _, rec = gref.gpt2(np.array(ids_a[:position + 1]), params, H, eps)
        weights = np.array([r["weights"] for r in rec["layers"]])
        write_case(out, case, "gpt_tiny", ids_a, {"influence": infl, "rollout": ref.rollout_row(weights, position)},
                   {"position": position, "neutral": NEUTRAL_THE})


if __name__ == "__main__":
    main(sys.argv[1:])
