"""Cross-check of an exported LSTM folder with PyTorch itself (optional: needs Debian's python3-torch,
which scripts/dev/bench also uses; not part of scripts/test).

    /usr/bin/python3 tests/reference/torch_check_lstm.py MODEL_DIR [TEXT] [--attnlab build/native/attnlab]

Builds the RNNModel of PyTorch's word_language_model example (encoder -> nn.LSTM -> decoder, decoder tied
to the encoder when tie_weights), loads MODEL_DIR/model.safetensors into it with
load_state_dict(strict=True) (so every name and shape must be exactly torch's), runs the text from the
zero state and compares the logits at every position with `attnlab run --json --logits-all`.
Prints the largest difference relative to the largest logit; exits 1 above 1e-4.
"""
import json
import struct
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn


class RNNModel(nn.Module):  # word_language_model/model.py, dropout off (eval)
    def __init__(self, ntoken, ninp, nhid, nlayers, tie_weights):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight

    def forward(self, ids):  # ids [T, 1]
        out, _ = self.rnn(self.encoder(ids))
        return self.decoder(out)  # [T, 1, V]


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        dt = {"F32": "<f4", "F16": "<f2"}[t["dtype"]]
        a, b = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dt).astype(np.float32).reshape(t["shape"]))
    return out


def main(argv):
    attnlab = "build/native/attnlab"
    if "--attnlab" in argv:
        i = argv.index("--attnlab")
        attnlab = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    d = argv[0]
    text = argv[1] if len(argv) > 1 else "The cat sat on the mat because it was tired, and the dog watched it."
    cfg = json.load(open(d + "/config.json"))
    model = RNNModel(cfg["vocab_size"], cfg["embedding_size"], cfg["hidden_size"], cfg["num_layers"],
                     cfg["tie_weights"])
    model.load_state_dict(read_safetensors(d + "/model.safetensors"), strict=True)
    model.eval()
    ours = json.loads(subprocess.run([attnlab, "run", "--model", d, "--json", "--logits-all", text], check=True,
                                     capture_output=True, text=True).stdout)
    ids = torch.tensor(ours["ids"]).view(-1, 1)
    with torch.no_grad():
        ref = model(ids)[:, 0, :].double().numpy()
    got = np.array(ours["logits_all"], dtype=np.float64)
    err = np.abs(got - ref).max() / np.abs(ref).max()
    print(f"{d}: {len(ours['ids'])} tokens, max |attnlab - torch| / max|logit| = {err:.2e}")
    return 0 if err < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
