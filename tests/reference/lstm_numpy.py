"""LSTM language model and occlusion influence in plain numpy: the independent oracle for src/model/lstm*.

Written from the documented semantics of torch.nn.LSTM (gate order i, f, g, o; h_0 = c_0 = 0) and of
PyTorch's word_language_model RNNModel (encoder -> LSTM -> decoder, decoder tied to the encoder when
tie_weights), not from the C++ code. float64 throughout.

    params: the state_dict names -> arrays: "encoder.weight" [V, E], "rnn.weight_ih_l{k}" [4H, in_k],
            "rnn.weight_hh_l{k}" [4H, H], "rnn.bias_ih_l{k}" [4H], "rnn.bias_hh_l{k}" [4H],
            "decoder.weight" [V, H], "decoder.bias" [V]
"""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def lstm_lm(ids, params, num_layers):
    """Returns logits [T, V] and the record: h, c [L, T, H], gates [L, T, 4H] (activations i|f|g|o)."""
    x = params["encoder.weight"][np.asarray(ids)]          # [T, E]
    T = len(ids)
    hs, cs, gs = [], [], []
    for k in range(num_layers):
        w_ih, w_hh = params[f"rnn.weight_ih_l{k}"], params[f"rnn.weight_hh_l{k}"]
        b_ih, b_hh = params[f"rnn.bias_ih_l{k}"], params[f"rnn.bias_hh_l{k}"]
        H = w_hh.shape[1]
        h, c = np.zeros(H), np.zeros(H)
        out_h, out_c, out_g = [], [], []
        for t in range(T):
            z = w_ih @ x[t] + b_ih + w_hh @ h + b_hh       # [4H]
            i, f = sigmoid(z[:H]), sigmoid(z[H:2 * H])
            g, o = np.tanh(z[2 * H:3 * H]), sigmoid(z[3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
            out_h.append(h), out_c.append(c), out_g.append(np.concatenate([i, f, g, o]))
        x = np.array(out_h)                                 # [T, H] input of the next layer
        hs.append(out_h), cs.append(out_c), gs.append(out_g)
    logits = x @ params["decoder.weight"].T + params["decoder.bias"]  # [T, V]
    return logits, {"h": np.array(hs), "c": np.array(cs), "gates": np.array(gs)}


def kl(p, q):
    """KL(p || q) in nats for two distributions [V]."""
    return float(np.sum(p * (np.log(p) - np.log(q))))


def occlusion(ids, position, neutral, next_logits):
    """For each j in 0..position: KL(p || p_j), p the next-token distribution at `position` (softmax of
    next_logits(ids[:position+1])), p_j the same with ids[j] replaced by `neutral`."""
    ids = list(ids[:position + 1])
    p = softmax(next_logits(ids))
    out = []
    for j in range(position + 1):
        occ = list(ids)
        occ[j] = neutral
        out.append(kl(p, softmax(next_logits(occ))))
    return np.array(out)


def rollout_row(weights, position):
    """Attention rollout (Abnar & Zuidema 2020) row `position`: weights [L, H, T, T];
    A'_l = rownorm(0.5 mean_h A_l + 0.5 I), R = A'_{L-1} ... A'_0."""
    L, _, T, _ = weights.shape
    R = np.eye(T)
    for l in range(L):
        a = 0.5 * weights[l].mean(axis=0) + 0.5 * np.eye(T)
        a = a / a.sum(axis=1, keepdims=True)
        R = a @ R
    return R[position]
