#!/usr/bin/env python3
"""Writes dist/lessons.html: one lesson per question of the learner's conversation, each with a
share link into the exact view that shows it and the shipped model's real numbers (computed here
with the native CLI, so the text never disagrees with the model the page loads).

    scripts/model/lessons.py MODEL_DIR OUT_HTML
"""
import html
import json
import math
import subprocess
import tempfile
import sys
import urllib.parse
from pathlib import Path

from probes import read_safetensors  # scripts/model/probes.py (this folder)

ROOT = Path(__file__).resolve().parent.parent.parent
CLI = ROOT / "build/native/attnlab"


def cli(command, model, *args):
    out = subprocess.run([str(CLI), command, "--model", str(model), "--json", *args],
                         check=True, capture_output=True).stdout
    return json.loads(out)


def run(model, text, *flags):
    return cli("run", model, *flags, text)


def generate(model, text, **kw):
    args = [str(CLI), "generate", "--model", str(model), "--json", "--steps", "12"]
    for k, v in kw.items():
        args += ["--" + k.replace("_", "-"), str(v)]
    return json.loads(subprocess.run(args + [text], check=True, capture_output=True).stdout)


def heads(model):
    return cli("heads", model)["heads"]


def softmax(logits):
    m = max(logits)
    e = [math.exp(x - m) for x in logits]
    z = sum(e)
    return [x / z for x in e]


def link(**state):
    parts = ["v=1"] + [f"{k}={urllib.parse.quote(str(v), safe='')}" for k, v in state.items()]
    return "index.html#" + "&".join(parts)


def find(tokens, word):
    """Index of the last token whose text is `word` (with or without a leading space)."""
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].strip() == word:
            return i
    raise KeyError(word)


def best_head(att, q, k):
    """(layer, head, weight) of the head where query q attends most to key k."""
    return max(((l, h, att[l][h][q][k]) for l in range(len(att)) for h in range(len(att[l]))), key=lambda x: x[2])


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def q(s):
    return "\u201c" + html.escape(s) + "\u201d"


def teach_lesson(model):
    """Teach the model a made-up word (the page's Teach, natively: `attnlab teach`) and measure its embedding row
    and prediction before and after."""
    prompt, taught, steps, lr, seed = "My pet is a blicket. I love my", "My pet is a blicket. I love my blicket.", 30, 1e-4, 3
    with tempfile.TemporaryDirectory() as out:
        r = cli("teach", model, "--steps", str(steps), "--lr", str(lr), "--seed", str(seed), "--out", out, taught)
        before, after = run(model, prompt), run(out, prompt)
        word = r["ids"][4]  # " bl", the made-up word's first piece
        old = read_safetensors(model / "model.safetensors")["wte.weight"][word].tolist()
        new = read_safetensors(Path(out) / "model.safetensors")["wte.weight"][word].tolist()
    moved = math.sqrt(sum((a - b) ** 2 for a, b in zip(old, new)))
    length = math.sqrt(sum(a * a for a in old))
    p0, p1 = softmax(before["logits"])[word], softmax(after["logits"])[word]
    return ("Teach it a new word: does the vector grow?",
            f"Open this link and the page teaches the model “{html.escape(taught)}” for {steps} steps (AdamW, "
            f"learning rate {lr:g}, in your browser). The loss of that sentence falls from {r['losses'][0]:.2f} to "
            f"{r['losses'][-1]:.2f} nats per token; after “{html.escape(prompt)}” the made-up word's first piece "
            f"{q(before['token_text'][4])} goes from {100 * p0:.2g}% to {100 * p1:.0f}%. Its "
            f"embedding row is still {len(new)} numbers, as before ({len(old)}): training moved its values by "
            f"{moved:.3f} (L2, {100 * moved / length:.0f}% of the row's length), it never adds columns. The Embed view "
            f"shows the row before and after, and its nearest tokens then and now; Reset restores the original.",
            link(text=prompt, view="embed", token=4, teach=taught, steps=steps, lr=lr, seed=seed))


def same_tokens(a, b):
    return all((a / f).read_bytes() == (b / f).read_bytes() for f in ("vocab.json", "merges.txt"))


def memory_lesson(model):
    """The Memory lesson: a transformer and an LSTM trained on the same data and tokens, on one long text.
    The transformer is the build's model when it reads the LSTM's tokens (then the page compares it too),
    else tiny-en-v2, the one the LSTM was trained beside. [] if a model is missing."""
    lstm = ROOT / "models/lstm-en-v2"
    if not (lstm / "config.json").exists():
        return []
    gpt = next((d for d in (Path(model), ROOT / "models/tiny-en-v2") if (d / "config.json").exists() and
                same_tokens(d, lstm)), None)
    if gpt is None:
        return []
    # a verb far from its subject (first line), a made-up name needed again ~100 tokens after it was said;
    # the text ends on the name's first piece, so the view opens on the prediction of the next one
    text = ("The needs of the old farmer who works on the small farm in the West are simple.\n"
            "Mia: My new neighbour is called Zorvathel. He lives in the house by the river.\n"
            "Sam: What is he like?\n"
            "Mia: He is kind. He grows tomatoes and beans, and he has a big brown dog that sleeps in the garden "
            "all day.\nSam: Did you go inside his house?\n"
            "Mia: Yes, on Sunday. We had tea in the kitchen and looked at his old books.\n"
            "Sam: Who gave him the books?\nMia: I do not know. I will ask Z")
    models = {"transformer": gpt, "LSTM": lstm}
    runs = {k: run(m, text, "--logits-all") for k, m in models.items()}
    if runs["transformer"]["ids"] != runs["LSTM"]["ids"]:
        return []  # not the same tokens: the positions would not line up
    t, ids = runs["transformer"]["token_text"], runs["transformer"]["ids"]
    b = len(t) - 1           # the name's first piece, the second time
    a = t.index(t[b])        # ... and the first time; a + 1 is the piece to copy
    v, s = t.index(" are"), t.index(" needs")
    wrong = json.loads((gpt / "vocab.json").read_text(encoding="utf-8"))["\u0120is"]

    def p(k, pos, id_):  # probability model k gives to id_ after token pos
        return softmax(runs[k]["logits_all"][pos])[id_]

    def influence(k, pos):  # every token's influence on model k's prediction after token pos
        return cli("influence", models[k], "--position", str(pos), text)

    name = {k: (p(k, a, ids[a + 1]), p(k, b, ids[a + 1]), influence(k, b)) for k in models}
    verb = {k: (p(k, v - 1, ids[v]), p(k, v - 1, wrong), influence(k, v - 1)) for k in models}
    neutral = name["LSTM"][2]["neutral"]["token"].replace("\u0120", " ")

    def fmt(x):
        return f"{x:.3f}" if x >= 0.01 else f"{x:.2g}"

    def keeps(what, ex, far):  # (the model whose prediction depends more on token far, the sentence)
        kt, kl = (ex[k][2]["influence"][far] for k in models)
        if max(kt, kl) < 0.01:
            return None, f"neither model still uses {what} (both below 0.01 nats)"
        who = "transformer" if kt >= kl else "LSTM"
        return who, f"the {who} keeps {what} better"
    w1, says1 = keeps("the name", name, a + 1)
    w2, says2 = keeps("the subject", verb, s)
    if w1 == w2 == "transformer":
        overall = ("the transformer keeps both earlier words better, as the learner was told: its attention "
                   "reaches every token in the window, however far.")
    elif w1 == w2 == "LSTM":
        overall = ("the LSTM keeps both earlier words better: re-reading everything, as the transformer does, is "
                   "not the same as using it.")
    elif w1 and w2:
        overall = (f"each keeps one better (the {w1} the name, the {w2} the subject): the LSTM keeps some "
                   f"long-range information better than the transformer, so neither picture is the whole story.")
    else:
        overall = f"{says1}; {says2}."

    def verb_side(k):
        right, wrong_, _ = verb[k]
        return (f"the {k} gives {q(t[v])} {fmt(right)} and “ is” {fmt(wrong_)} (the "
                f"{'right' if right > wrong_ else 'wrong'} one is likelier)")

    def changes(ex, far):
        return (f"changes the transformer's prediction by {ex['transformer'][2]['influence'][far]:.3f} nats, "
                f"the LSTM's by {ex['LSTM'][2]['influence'][far]:.3f}")

    cfg, gc = runs["LSTM"]["config"], runs["transformer"]["config"]
    survive = []  # per LSTM layer: cells keeping over half of their content from the first mention's piece on
    for f in runs["LSTM"]["gates"]["f"]:
        kept = [math.prod(f[i][c] for i in range(a + 2, b + 1)) for c in range(cfg["hidden_size"])]
        survive.append(sum(x > 0.5 for x in kept))
    return [("Memory: does a transformer or an LSTM keep an earlier word better?",
             f"The learner was told that LSTMs “use a shrinking hidden state over time, so earlier info gets lost” "
             f"and that transformers “reprocess everything each time”. Two models trained on the same text with "
             f"the same {cfg['vocab_size']} tokens read these {len(t)} tokens: {gpt.name}, a transformer, and "
             f"{lstm.name}, an LSTM. The influence of a token is how much the prediction changes (KL, in nats) when "
             f"it is replaced by {q(neutral)}: what the Memory view draws under each token for both models.<br>"
             f"<b>A name {b - a - 1} tokens back.</b> After the last {q(t[b])} the transformer gives the next piece "
             f"{q(t[a + 1])} {fmt(name['transformer'][1])} (the first time, when it could not know it: "
             f"{fmt(name['transformer'][0])}), the LSTM {fmt(name['LSTM'][1])} (first time: {fmt(name['LSTM'][0])}). "
             f"Replacing the earlier {q(t[a + 1])} {changes(name, a + 1)}: {says1}.<br>"
             f"<b>A subject {v - 1 - s} tokens back.</b> Click {q(t[v - 1])} in the first line: {q(t[s])} is "
             f"plural, “farmer” in between is not; {verb_side('transformer')}; {verb_side('LSTM')}. Replacing "
             f"{q(t[s])} {changes(verb, s)}: {says2}.<br>"
             f"<b>What each keeps.</b> The LSTM's state does not shrink: it is "
             f"{2 * cfg['num_layers'] * cfg['hidden_size']} numbers (h and c: {cfg['num_layers']} layers × "
             f"{cfg['hidden_size']}) however long the text; the transformer keeps a key and a value per token and "
             f"layer, {2 * gc['n_layer'] * gc['n_embd'] * len(t):,} numbers for this text. Between the two mentions "
             f"of the name, the product of an LSTM cell's forget gates (the share of its content that survives) "
             f"stays above one half in "
             + " and ".join(f"{n} of layer {l}'s {cfg['hidden_size']} cells" for l, n in enumerate(survive))
             + f"; the others lose more than half. At this size, on this text, {overall}",
             link(text=text, view="memory"))]


def lessons(model):
    cfg = run(model, "I")["config"]
    L = []

    # 1. words -> tokens -> ids
    text = "How do you work? The information was retold."
    r = run(model, text)
    pieces = ", ".join(f"{q(t)}&nbsp;{i}" for t, i in zip(r["token_text"], r["ids"]))
    L.append(("Words become tokens, tokens become ids",
              f"The tokenizer cuts text into pieces from a fixed vocabulary of {cfg['vocab_size']} and each piece is "
              f"just a row number. Common words are one token; rarer ones are split into parts: "
              f"{pieces}. A space belongs to the token after it.",
              link(text=text, view="tokens", token=len(r["ids"]) - 2)))

    # 2. fixed-width embeddings
    text = "How do you work? How do you do that?"
    r = run(model, text, "--residuals")
    first, second = r["token_text"].index("How"), find(r["token_text"], "How")
    L.append(("Does the vector grow if a word is used more?",
              f"No. Every token enters as a vector of exactly d_model = {cfg['n_embd']} numbers (GPT-2 small: 768), "
              f"fixed when the model was built. “How” appears twice here and both times it starts from the same "
              f"embedding row; only its context vector after each layer differs (cosine between the two after the "
              f"last layer: {cosine(r['residuals'][-1][first], r['residuals'][-1][second]):.2f}).",
              link(text=text, view="embed", token=second)))

    # 2b. the same question, by teaching the model a made-up word in the page
    L.append(teach_lesson(model))

    # 3. Q, K, V: the learner's "because" table
    text = "She ate because she was hungry."
    r = run(model, text, "--scores")
    qi = find(r["token_text"], "because")
    l, h, _ = best_head(r["attention"], qi, qi - 1)  # the verb before it ("ate" may be two tokens)
    row = r["attention"][l][h][qi]
    top = sorted(range(qi + 1), key=lambda k: -row[k])[:3]
    nums = ", ".join(f"{q(r['token_text'][k])} {row[k]:.2f}" for k in top)
    L.append(("Attention is a weighted mix: dot(Q, K) → softmax → apply to V",
              f"For the query “because” in layer {l}, head {h} the Math view lists every key's Q·K, the division by "
              f"√d_head, the causal mask (later tokens get exactly 0: the model cannot look ahead, unlike the "
              f"learner's table), the softmax weights — here {nums} — and the weighted sum of value vectors. "
              f"The weights of a row always sum to 1.",
              link(text=text, view="math", layer=l, head=h, token=qi)))

    # 4. the 4x4 table
    text = "I have a dog"
    r = run(model, text)
    row = r["attention"][0][0][3]
    cells = ", ".join(f"{q(t)} {w:.2f}" for t, w in zip(r["token_text"], row))
    L.append(("The 4 × 4 table for “I have a dog”",
              f"Four tokens give a 4 × 4 matrix per head. The upper triangle is masked (each token sees only itself "
              f"and what came before), so the first row is always 1.00 on “I”. Row “dog” in layer 0, head 0: "
              f"{cells} (sum {sum(row):.2f}). There are {cfg['n_layer']} × {cfg['n_head']} = "
              f"{cfg['n_layer'] * cfg['n_head']} such maps in this model (GPT-2 small: 144).",
              link(text=text, view="matrix", layer=0, head=0, token=3)))

    # 5. repeated words and citing earlier turns
    text = "Anna: Have you seen my red umbrella?\n\nTom: No. When did you last have the umbrella?"
    r = run(model, text)
    t = r["token_text"]
    qi, ki = find(t, "umbrella"), t.index(" umbrella")
    l, h, w = best_head(r["attention"], qi, ki)
    mean = sum(r["attention"][l][hh][qi][ki] for hh in range(cfg["n_head"])) / cfg["n_head"]
    L.append(("Repeated words and “citing” earlier turns",
              f"There is no memory besides the context window ({cfg['n_positions']} tokens here): both turns are "
              f"re-read for every new token. The second “umbrella” attends to the first with weight {w:.2f} in "
              f"layer {l}, head {h}, but only {mean:.2f} on average over that layer's heads (uniform would be "
              f"{1 / (qi + 1):.2f}): repetition draws attention in some heads, not everywhere, and is not a "
              f"“gravity” every word gains.",
              link(text=text, view="context", layer=l, head=h, token=qi)))

    # 5b. copying a made-up name from earlier in the window: the induction head
    text = ("Mia: My new neighbour is called Zorvathel. He grows tomatoes.\n"
            "Sam: Does he have a dog?\nMia: Yes, a big brown dog. I will visit Zorvathel on Friday.")
    r = run(model, text, "--logits-all")
    t = r["token_text"]
    ends = [sum(len(x) for x in t[:i + 1]) for i in range(len(t))]   # character end of each token
    starts = [next(i for i, e in enumerate(ends) if e > c) for c in
              (text.index("Zorvathel"), text.index("Zorvathel", text.index("Zorvathel") + 1))]
    if len(starts) >= 2 and starts[1] + 1 < len(t):
        a, b = starts[0], starts[1]
        l, h, w = best_head(r["attention"], b, a + 1)  # from the 2nd mention's first piece to what followed the 1st

        def prob(run_, pos):  # probability the model gave to the token at pos
            return softmax(run_["logits_all"][pos - 1])[run_["ids"][pos]]
        p1, p2 = prob(r, a + 1), prob(r, b + 1)
        copies = p2 > 10 * p1
        head = (f"in layer {l}, head {h} the second “{html.escape(t[b].strip())}” puts {w:.2f} of its attention on the "
                f"earlier “{html.escape(t[a + 1])}” (uniform would be {1 / (b + 1):.2f})")
        how = (f"It copies: the head that does it looks back at the token that followed the earlier copy — {head}. "
               f"That is an induction head, and it is how the model “re-uses” earlier text: not a memory, just "
               f"attention within the window." if copies else
               f"This model barely copies it. The head closest to an induction head (one that looks back at the "
               f"token that followed the earlier copy): {head}.")
        L.append(("Copying from earlier in the window: the induction head",
                  f"A made-up name cannot be known in advance: after “{html.escape(t[a].strip())}” the first time, "
                  f"the model gave the next piece “{html.escape(t[a + 1])}” a probability of {p1:.3f}. The second "
                  f"time it gave it {p2:.3f}. {how}",
                  link(text=text, view="matrix", layer=l, head=h, token=b)))

        # 5c. the experiment: turn off the head that scores highest as an induction head
        ind = max(heads(model), key=lambda x: x["induction"])
        il, ih = ind["layer"], ind["head"]
        off = run(model, text, "--logits-all", "--ablate", f"{il}.{ih}")
        p2_off = prob(off, b + 1)
        if copies and p2_off < p2 / 2:
            verdict = (f"Turned off, the second mention's next piece falls from {p2:.3f} to {p2_off:.3f}: the copy was "
                       f"made by that head.")
        elif copies:
            verdict = (f"Turned off, the second mention's next piece goes from {p2:.3f} to {p2_off:.3f}: this head "
                       f"alone does not make the copy; other heads share the work.")
        else:
            verdict = (f"This model does not copy the name ({p1:.3f} the first time, {p2:.3f} the second), so there is "
                       f"no induction circuit to break: with the head turned off, the second mention's next piece gets "
                       f"{p2_off:.3f}. The experiment needs a model that copies; this one shows what its "
                       f"absence looks like.")
        L.append(("Turn off the induction head: is the repeated name still copied?",
                  f"On seeded repeated random sequences, layer {il}, head {ih} scores highest as an induction head "
                  f"(mean attention {ind['induction']:.2f} from a token to the one after its earlier copy). The link "
                  f"opens that head's map in Intervene mode with the head turned off (its own map stays: only what "
                  f"later layers read from it is gone); the effects panel compares the runs. {verdict}",
                  link(text=text, view="matrix", layer=il, head=ih, intervene=1, ablate=f"{il}.{ih}", token=b)))

    # 5d. which head resolves "It"? turn it off and watch the prediction
    text = "I have a dog. It"
    r = run(model, text)
    t = r["token_text"]
    qi, ki = len(t) - 1, find(t, "dog")
    al, ah, aw = best_head(r["attention"], qi, ki)
    p0 = softmax(r["logits"])
    top0 = r["top"][0]["id"]
    guess = r["top"][0]["token"].replace("\u0120", " ").replace("\u010a", "\u21b5")

    def moved(layer, head):  # total variation between the next-token distributions with and without the head
        p = softmax(run(model, text, "--ablate", f"{layer}.{head}")["logits"])
        return 0.5 * sum(abs(x - y) for x, y in zip(p, p0)), p
    effects = {(l, h): moved(l, h) for l in range(cfg["n_layer"]) for h in range(cfg["n_head"])}
    (bl, bh), (tv, pb) = max(effects.items(), key=lambda kv: kv[1][0])
    tv_a, pa = effects[(al, ah)]
    same = (al, ah) == (bl, bh)
    L.append(("Which head resolves “It”? Turn it off and watch the prediction",
              f"A map shows where “It” looks; an experiment shows what that changes. In layer {al}, head {ah} “It” "
              f"puts {aw:.2f} of its attention on “dog”, the most of any head. Turned off, the probability of the "
              f"model's first guess for the next token, {q(guess)}, moves from {p0[top0]:.2f} to {pa[top0]:.2f} (the two "
              f"distributions differ by {tv_a:.2f} in total variation). "
              + (f"No other head's removal changes the prediction more." if same else
                 f"The head whose removal changes the prediction most is another one: layer {bl}, head {bh} "
                 f"({tv:.2f}). Looking at a token and using it are not the same thing.")
              + " Click other heads in the Model grid to try them.",
              link(text=text, view="model", intervene=1, ablate=f"{al}.{ah}", layer=al, head=ah)))

    # 5e. memory over a long text: the transformer beside an LSTM (models of their own)
    L += memory_lesson(model)

    # 6. cause vs a good cause; it vs raining
    a, b = "I stayed home cause it was raining.", "She donated to a good cause."
    ra, rb = run(model, a, "--residuals"), run(model, b, "--residuals")
    ia, ib = find(ra["token_text"], "cause"), find(rb["token_text"], "cause")
    sims = [cosine(x[ia], y[ib]) for x, y in zip(ra["residuals"], rb["residuals"])]
    qi = find(ra["token_text"], "it")
    l, h, w = best_head(ra["attention"], qi, find(ra["token_text"], "stayed"))
    L.append(("“cause” (because) vs “a good cause”; “it” and “raining”",
              f"Same token, same embedding (cosine {sims[0]:.2f} with the position added), but after each layer "
              f"the two “cause” vectors drift apart: {', '.join(f'{s:.2f}' for s in sims[1:])}. In the first "
              f"sentence “it” attends to “stayed” with {w:.2f} (layer {l}, head {h}). A model this small "
              f"separates the two senses only partly — the numbers say how much.",
              link(text=a, view="compare", compare=b, token=ia, layer=l, head=h)))

    # 7. temperature, top-k, top-p
    # the candidate prompt whose next-token distribution is least peaked shows the controls best
    def entropy(r):
        return -sum(x["prob"] * math.log(x["prob"]) for x in r["top"] if x["prob"] > 0)
    runs = [(c, run(model, c)) for c in ("I saw a", "Anna: Have you seen my", "The dog was", "I have a dog. My dog is")]
    text, r = max(runs, key=lambda cr: entropy(cr[1]))
    top = ", ".join(f"{q(x['token'].replace('Ġ', ' '))} {x['prob']:.2f}" for x in r["top"][:5])
    L.append(("Temperature, top-k and nucleus (top-p) sampling",
              f"The model outputs a probability for each of its {cfg['vocab_size']} tokens. After “{text}” the top "
              f"five are {top}. Temperature below 1 sharpens this, above 1 flattens it; top-k keeps the k best; "
              f"top-p keeps the smallest set whose probabilities add up to p. The bars change as you move the "
              f"sliders.",
              link(text=text, view="predict", temperature=0.7, top_k=40, top_p=0.9)))

    # 8. generation is not retrieval
    text = "I saw a dog and a cat. It was"
    g = generate(model, text, seed=3, temperature=0.8, top_k=40)
    probs = ", ".join(f"{s['prob']:.2f}" for s in g["steps"][:6])
    L.append(("Why generation isn't retrieval",
              f"Each new token is drawn from a freshly computed distribution over the whole vocabulary, then fed "
              f"back in. With seed 3 the model continued “{html.escape(text)}” with "
              f"“{html.escape(g['text'][len(text):])}”; the first tokens had probabilities {probs}. Press “step” to "
              f"sample one token at a time with the same seed.",
              link(text=text, view="predict", temperature=0.8, top_k=40, seed=3)))
    return cfg, L


def main():
    model, out = Path(sys.argv[1]), Path(sys.argv[2])
    cfg, items = lessons(model)
    body = "\n".join(
        f'<section><h2>{i + 1}. {html.escape(t) if "“" not in t else t}</h2><p>{p}</p>'
        f'<p><a href="{html.escape(u)}">Open this view →</a></p></section>' for i, (t, p, u) in enumerate(items))
    out.write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'">
<title>Attention Lab — lessons</title><link rel="icon" href="data:,"><link rel="stylesheet" href="style.css"></head>
<body class="lessons"><main>
<h1>Lessons: a learner's questions, answered by a real model</h1>
<p>Each lesson opens the page on the built-in model ({html.escape(model.name)}: {cfg['n_layer']} layers × {cfg['n_head']} heads,
d_model {cfg['n_embd']}) in the view that shows it. The numbers below were computed from that model (or from the
models a lesson names).</p>
{body}
<p><a href="index.html">Back to Attention Lab</a></p>
</main></body></html>
""", encoding="utf-8")


if __name__ == "__main__":
    main()
