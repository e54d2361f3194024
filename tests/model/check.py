#!/usr/bin/python3
"""The model suite of the test command: the shipped default model's prose and numbers against the
scripts that measure them, and the probes against planted heads.

  tests/model/check.py [--attnlab build/native/attnlab] [--fixtures build/fixtures]

Checks (each one line "ok"/"FAIL"), then "model: N passed, N failed":
  1. the numpy probes (scripts/model/probes.py) find the planted previous-token and induction heads of
     the fixture checkpoint (tests/reference/make_checkpoints.py, write_planted)
  2. the README's caption and model paragraph, and every shipped model's card when it has run.json, are
     exactly what scripts/model/card writes from the committed report (no hand edits, no stale numbers);
     an LSTM's card (recipe MODEL_TYPE=lstm, e.g. lstm-en-v2) needs only its recipe.env, report.json and
     run.json, so it is checked even where its weights are absent
  3. when the default model's report.json has probes: they equal what scripts/model/report computes from
     the shipped weights, and the engine matches the numpy reference on a full window
  4. `attnlab train run --init-from` starts from the default model's weights: one step at learning rate 0
     exports a safetensors file byte for byte the model's own
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "model"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--attnlab", default=os.path.join(ROOT, "build", "native", "attnlab"))
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "build", "fixtures"))
    args = ap.parse_args()
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)

    # 1. planted heads through the python probes
    import probes
    planted = os.path.join(args.fixtures, "model", "planted")
    try:
        m = probes.Model(planted, args.attnlab)
        dup, ind, n = probes.repeat_probes(m)
        windows = [list(range(256, 256 + m.T))]  # a text without repeats: t -> t-1 is the previous token
        prev, _ = probes.text_probes(m, windows)
        check("probes find the planted previous-token head 0.0", prev[0, 0] > 0.95 and prev.argmax() == 0,
              f"score {prev[0, 0]:.3f}")
        check("probes find the planted induction head 1.0", ind[1, 0] > 0.95 and ind.argmax() == 2,
              f"score {ind[1, 0]:.3f}")
    except Exception as e:  # a missing fixture is a failure, not a skip
        check("planted-heads fixture", False, repr(e))

    # 2. README caption / paragraph and the card
    default = open(os.path.join(ROOT, "models", "DEFAULT")).read().strip()
    model = os.path.join(ROOT, "models", default)
    card = ["--model", model, "--readme", os.path.join(ROOT, "README.md"), "--attnlab", args.attnlab, "--check"]
    if not os.path.exists(os.path.join(model, "run.json")):
        card.append("--caption-only")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "model", "card")] + card,
                       capture_output=True, text=True)
    check(f"README and card of {default} as scripts/model/card writes them", r.returncode == 0,
          (r.stdout + r.stderr).strip().splitlines()[-1] if (r.stdout + r.stderr).strip() else "")

    # 2b. the other shipped models' cards (written by scripts/model/card; not the README's lines). A GPT card
    # tokenizes examples with the weights; an LSTM card is a function of committed files only.
    for other in sorted(os.listdir(os.path.join(ROOT, "models"))):
        d = os.path.join(ROOT, "models", other)
        recipe = os.path.join(d, "recipe.env")
        lstm = os.path.exists(recipe) and "MODEL_TYPE=lstm" in open(recipe).read()
        if other == default or not os.path.exists(os.path.join(d, "run.json")) or \
                not (lstm or os.path.exists(os.path.join(d, "config.json"))):
            continue
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "model", "card"), "--model", d,
                            "--attnlab", args.attnlab, "--check"], capture_output=True, text=True)
        out = (r.stdout + r.stderr).strip()
        check(f"card of {other}{' (LSTM)' if lstm else ''} as scripts/model/card writes it", r.returncode == 0,
              out.splitlines()[-1] if out else "")

    # 3. probes and engine vs reference on the shipped weights
    import json
    rep = json.load(open(os.path.join(model, "report.json")))
    if "probes" in rep:
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "model", "report"), "--model", model,
                            "--attnlab", args.attnlab, "--check", os.path.join(model, "report.json")],
                           capture_output=True, text=True)
        for line in r.stdout.strip().splitlines():
            print("     " + line)
        check(f"{default}: report.json probes recomputed from the shipped weights", r.returncode == 0)
    else:
        print(f"     ({default}'s report.json predates the probes: nothing to recompute)")

    # 4. a training run started from the shipped weights (recipe INIT_FROM)
    import tempfile
    import numpy as np
    cfg = json.load(open(os.path.join(model, "config.json")))
    with tempfile.TemporaryDirectory() as tmp:
        toks = os.path.join(tmp, "tokens.bin")
        np.random.default_rng(0).integers(0, cfg["vocab_size"] - 1, size=2 * cfg["n_positions"] + 2).astype(np.uint16).tofile(toks)
        shape = ["--vocab", str(cfg["vocab_size"]), "--layers", str(cfg["n_layer"]), "--heads", str(cfg["n_head"]),
                 "--embd", str(cfg["n_embd"]), "--ctx", str(cfg["n_positions"])]
        run = subprocess.run([args.attnlab, "train", "run", "--train", toks, "--val", toks, "--out", os.path.join(tmp, "run"),
                              *shape, "--batch", "1", "--steps", "1", "--warmup", "0", "--lr", "0", "--eval-batches", "1",
                              "--threads", "1", "--init-from", model], capture_output=True, text=True)
        exp = subprocess.run([args.attnlab, "train", "export", "--ckpt", os.path.join(tmp, "run", "ckpt.bin"),
                              "--tokenizer", model, "--out", os.path.join(tmp, "hf")], capture_output=True, text=True)
        same = run.returncode == 0 and exp.returncode == 0 and \
            open(os.path.join(tmp, "hf", "model.safetensors"), "rb").read() == open(os.path.join(model, "model.safetensors"), "rb").read()
        check(f"train run --init-from {default}: one step at learning rate 0 exports the same weights", same,
              "" if same else (run.stderr + exp.stderr).strip()[-200:])

    passed = sum(results)
    print(f"model: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
