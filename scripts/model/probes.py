"""The circuit probes of a GPT-2 checkpoint, computed with the independent numpy reference
(tests/reference/gpt2_numpy.py, float64) on the weights of a Hugging Face folder.

Every probe input is made here from fixed seeds or read from committed files, so the numbers can be
recomputed from a clean clone (tests check the card against them):

  prev_token       mean attention from position t to t-1, over windows of held-out text
                   (models/NAME/probe_text.txt: the start of the held-out split, written by the recipe)
  duplicate_token  a random token sequence repeated twice (ids drawn from the merges, [256, V-1), when V > 512,
                   else from [0, V-1); seed 0):
                   mean attention from each position of the second copy to the same token in the first copy
  induction        the same sequences: attention to the token AFTER the first occurrence
  first_token      mean attention to position 0 (the attention sink), on the held-out windows
  copying_ratio    in-context copying: short dialogues (~100 tokens) that mention a made-up name twice;
                   the loss (nats) of the name's tokens after its first token, summed over dialogues, at
                   the second mention divided by the same at the first mention (1 = no copying, 0 = exact)

Each score is per head ([layer][head]); the best head and its score are reported.
"""
import json
import math
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
import gpt2_numpy  # noqa: E402

INDUCTION_TRIALS = 4
PREV_WINDOWS = 8


def read_safetensors(path):
    """name -> float64 array (F16 / F32)."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        dt = {"F16": np.float16, "F32": np.float32}[t["dtype"]]
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + b:8 + n + e], dtype=dt).astype(np.float64).reshape(t["shape"])
    return out


class Model:
    """A folder in the HF GPT-2 layout, run by the numpy reference."""

    def __init__(self, folder, attnlab):
        self.folder, self.exe = folder, attnlab
        with open(os.path.join(folder, "config.json")) as f:
            self.cfg = json.load(f)
        v = read_safetensors(os.path.join(folder, "model.safetensors"))
        lin = lambda p: {"w": v[p + ".weight"], "b": v[p + ".bias"]}
        ln = lambda p: {"g": v[p + ".weight"], "b": v[p + ".bias"]}
        blocks = [{"ln_1": ln(f"h.{i}.ln_1"), "ln_2": ln(f"h.{i}.ln_2"),
                   "attn": {"c_attn": lin(f"h.{i}.attn.c_attn"), "c_proj": lin(f"h.{i}.attn.c_proj")},
                   "mlp": {"c_fc": lin(f"h.{i}.mlp.c_fc"), "c_proj": lin(f"h.{i}.mlp.c_proj")}}
                  for i in range(self.cfg["n_layer"])]
        self.params = {"wte": v["wte.weight"], "wpe": v["wpe.weight"], "blocks": blocks, "ln_f": ln("ln_f")}
        self.T, self.L, self.H, self.V = (self.cfg["n_positions"], self.cfg["n_layer"], self.cfg["n_head"],
                                          self.cfg["vocab_size"])

    def run(self, ids):
        """(logits [T, V], attention [L, H, T, T])"""
        logits, rec = gpt2_numpy.gpt2(np.asarray(ids), self.params, self.H, self.cfg["layer_norm_epsilon"])
        return logits, np.stack([r["weights"] for r in rec["layers"]])

    def encode(self, text):
        """Token ids through the project's tokenizer (the CLI; tokenization is not what is probed)."""
        r = subprocess.run([self.exe, "tokenize", "--model", self.folder, text], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"model/probes: tokenize failed: {r.stderr.strip()}")
        return json.loads(r.stdout)["ids"]


def best(scores):
    scores = np.asarray(scores)
    l, h = np.unravel_index(np.argmax(scores), scores.shape)
    return {"best_layer": int(l), "best_head": int(h), "score": float(scores[l, h]),
            "all": np.round(scores, 4).tolist()}


# ---- probes on held-out text -----------------------------------------------------------------------------

def text_windows(m, text_path, n=PREV_WINDOWS):
    ids = m.encode(open(text_path, encoding="utf-8").read())
    T = m.T
    if len(ids) < T:
        sys.exit(f"model/probes: {text_path} has {len(ids)} tokens, fewer than one {T}-token window")
    starts = np.linspace(0, len(ids) - T, n).astype(int)
    return [ids[s:s + T] for s in starts]


def text_probes(m, windows):
    prev = np.zeros((m.L, m.H))
    first = np.zeros((m.L, m.H))
    T = m.T
    for ids in windows:
        _, att = m.run(ids)
        prev += att[:, :, np.arange(1, T), np.arange(0, T - 1)].mean(axis=-1)
        first += att[:, :, 1:, 0].mean(axis=-1)  # position 0 itself has nowhere else to look
    return prev / len(windows), first / len(windows)


# ---- repeated random sequences ---------------------------------------------------------------------------

def repeat_probes(m, trials=INDUCTION_TRIALS):
    rng = np.random.default_rng(0)
    n_rep = (m.T - 1) // 2
    eot = m.cfg.get("eos_token_id", m.V - 1)
    dup = np.zeros((m.L, m.H))
    ind = np.zeros((m.L, m.H))
    for _ in range(trials):
        lo = 256 if m.V > 512 else 0                   # merged tokens (words, word pieces) when there are many
        seq = rng.integers(lo, m.V - 1, size=n_rep)
        ids = [eot] + seq.tolist() + seq.tolist()      # first copy at 1..n_rep, second at n_rep+1..2 n_rep
        _, att = m.run(ids)
        q = np.arange(n_rep + 1, 2 * n_rep + 1)        # the token at q equals the token at q - n_rep
        dup += att[:, :, q, q - n_rep].mean(axis=-1)
        ind += att[:, :, q[:-1], q[:-1] - n_rep + 1].mean(axis=-1)
    return dup / trials, ind / trials, n_rep


# ---- in-context copying of made-up names -----------------------------------------------------------------

SPEAKERS = [("Anna", "Tom"), ("Maria", "Ben"), ("Lucy", "Sam"), ("Ivy", "Leo"), ("Rosa", "Omar"), ("Ada", "Max")]
PLACES = ["market", "library", "park", "station", "bakery", "school"]
DAYS = ["Monday", "Tuesday", "Friday", "Sunday"]
DIALOGUES = [
    "{a}: I met a new friend at the {place} today. Her name is {x}.\n"
    "{b}: That is nice. What does she like to do?\n"
    "{a}: She likes reading books and walking in the park. She has a small dog and a red bike.\n"
    "{b}: Does she live near you?\n"
    "{a}: Yes, she lives next to the {place}. I will see her again on {day}.\n"
    "{b}: Please tell {x} that I said hello.\n",
    "{a}: Have you heard about the new teacher? He is called {x}.\n"
    "{b}: No. Where is he from?\n"
    "{a}: He comes from a small town by the sea. He plays the piano and he likes to cook.\n"
    "{b}: Is he kind to the children?\n"
    "{a}: Very kind. Yesterday he helped me carry my bags to the {place}.\n"
    "{b}: I want to meet him. When can I see {x}?\n",
    "{a}: My cousin has a new cat. She named it {x}.\n"
    "{b}: What a strange name! What colour is the cat?\n"
    "{a}: It is black and white, and it sleeps all day on the sofa.\n"
    "{b}: Does it like to play?\n"
    "{a}: Only at night. Then it runs around the house and jumps on the beds.\n"
    "{b}: I would like to see the cat. Can I visit {x} on {day}?\n",
]
SYLLABLES = ["vor", "quin", "zel", "brak", "tor", "mish", "ulv", "dran", "pex", "oth", "yur", "gald", "fen", "ixa",
             "rum", "skel", "thav", "orn", "bez", "wyl"]


def made_up_names(n, rng):
    names = []
    while len(names) < n:
        k = rng.integers(3, 5)
        name = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), size=k)).capitalize()
        if name not in names:
            names.append(name)
    return names


def find_all(seq, sub):
    return [i for i in range(len(seq) - len(sub) + 1) if seq[i:i + len(sub)] == sub]


def copying_probe(m, n_dialogues=24):
    rng = np.random.default_rng(1)
    names = made_up_names(n_dialogues, rng)
    first_nats = second_nats = 0.0
    used, lengths = 0, []
    for i, x in enumerate(names):
        a, b = SPEAKERS[i % len(SPEAKERS)]
        text = DIALOGUES[i % len(DIALOGUES)].format(a=a, b=b, x=x, place=PLACES[i % len(PLACES)],
                                                    day=DAYS[i % len(DAYS)])
        ids = m.encode(text)
        name_ids = m.encode(" " + x)
        at = find_all(ids, name_ids)
        if len(name_ids) < 2 or len(at) != 2 or len(ids) > m.T:
            continue  # a one-token name has no "later tokens" to copy
        logits, _ = m.run(ids)
        logp = logits - logits.max(-1, keepdims=True)
        logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
        nats = lambda s: -sum(logp[s + j - 1, ids[s + j]] for j in range(1, len(name_ids)))
        first_nats += nats(at[0])
        second_nats += nats(at[1])
        used += 1
        lengths.append(len(ids))
    return {"ratio": float(second_nats / first_nats) if first_nats > 0 else float("nan"),
            "first_mention_nats": float(first_nats / max(used, 1)),
            "second_mention_nats": float(second_nats / max(used, 1)), "dialogues": used,
            "mean_tokens": float(np.mean(lengths)) if lengths else 0.0, "example_names": names[:4]}


def all_probes(folder, attnlab, text_path):
    m = Model(folder, attnlab)
    prev, first = text_probes(m, text_windows(m, text_path))
    dup, ind, n_rep = repeat_probes(m)
    return {"prev_token": best(prev), "first_token": best(first), "duplicate_token": best(dup),
            "induction": best(ind), "copying": copying_probe(m),
            "probe_setup": {"prev_windows": PREV_WINDOWS, "window": m.T, "repeat_trials": INDUCTION_TRIALS,
                            "repeat_length": n_rep}}


def write_probe_text(corpus_dir, out_path, max_bytes=12000):
    """The held-out everyday English the prev-token probe reads: the first held-out documents of the
    generator (val.txt documents that are in raw/everyday.txt), joined by blank lines, ~max_bytes."""
    eot = "<|endoftext|>"
    everyday = set(d.strip() for d in open(os.path.join(corpus_dir, "raw", "everyday.txt"), encoding="utf-8").read().split(eot))
    out, size = [], 0
    for d in open(os.path.join(corpus_dir, "val.txt"), encoding="utf-8").read().split(eot):
        d = d.strip()
        if d and d in everyday:
            out.append(d)
            size += len(d) + 2
            if size >= max_bytes:
                break
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n\n".join(out) + "\n")
