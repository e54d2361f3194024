"""Writes the committed seed corpora for the fuzz targets into tests/fuzz/corpus/<target>/.

    /usr/bin/python3 tests/fuzz/make_seeds.py

Seeds are small on purpose (a few KB each, < 1 MB in total): the fuzzer mutates them millions of
times. Model seeds are tiny valid GPT-2 checkpoints (L=1-2, C=4, V=257) written by the project's own
reference writer (tests/reference/make_checkpoints.py), packed as config SEP safetensors SEP vocab SEP
merges; SEP never occurs in valid UTF-8 (see fuzz_common.h).
"""
import json
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import make_checkpoints as mc  # noqa: E402

SEP = b"\xfe\xfe\xfe\n"
OUT = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))


def read(d, name):
    with open(os.path.join(d, name), "rb") as f:
        return f.read()


def f16_planes(st):
    """The byte-planar copy of a safetensors file (src/model/safetensors.h, "f16-planes"), written
    independently of the C++ and JS writers: the loaders join it back."""
    n = struct.unpack("<Q", st[:8])[0]
    source, data = st[8:8 + n], st[8 + n:]
    tensors = sorted(((k, v) for k, v in json.loads(source).items() if k != "__metadata__"),
                     key=lambda kv: kv[1]["data_offsets"])
    f16 = [(k, v) for k, v in tensors if v["dtype"] == "F16"]
    pieces = [(k + ":hi", v, 1) for k, v in f16] + [(k + ":lo", v, 0) for k, v in f16] + \
             [(k, v, None) for k, v in tensors if v["dtype"] != "F16"]
    header, body = {"__metadata__": {"attnlab_format": "f16-planes", "source_header": source.decode()}}, b""
    for name, v, byte in pieces:
        b, e = v["data_offsets"]
        part = data[b:e] if byte is None else data[b + byte:e:2]
        header[name] = {"dtype": v["dtype"], "shape": v["shape"]} if byte is None else \
            {"dtype": "U8", "shape": [len(part)]}
        header[name]["data_offsets"] = [len(body), len(body) + len(part)]
        body += part
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


def model_seeds(tmp):
    cases = [("f32_l1", dict(L=1, H=1, C=4, maxT=4, V=257, dtype="F32")),
             ("f16_l2h2", dict(L=2, H=2, C=4, maxT=3, V=258, dtype="F16")),
             ("bf16_prefix_lmhead", dict(L=1, H=2, C=4, maxT=2, V=257, dtype="BF16", prefix="transformer.",
                                         lm_head=True))]
    for name, kw in cases:
        d = os.path.join(tmp, name)
        mc.write_model(d, seed=1, **kw)
        files = [read(d, n) for n in ("config.json", "model.safetensors", "vocab.json", "merges.txt")]
        put("fuzz_model_load", name, SEP.join(files))
        if name == "f16_l2h2":
            put("fuzz_model_load", name + "_planes", SEP.join([files[0], f16_planes(files[1])] + files[2:]))
        if name == "f32_l1":
            put("fuzz_vocab_merges", "v257", SEP.join([files[2], files[3], b"Hello world, it's 2024!"]))
        if name == "f16_l2h2":
            put("fuzz_vocab_merges", "v258_merge", SEP.join([files[2], files[3], "the then\u00e9\U0001F600"
                                                             .encode()]))
    # broken pieces the loader must refuse with a message
    cfg = {"model_type": "gpt2", "n_layer": 1, "n_head": 1, "n_embd": 4, "n_positions": 4, "vocab_size": 257}
    hdr = json.dumps({"wte.weight": {"dtype": "F16", "shape": [257, 4], "data_offsets": [0, 2056]},
                      "x": {"dtype": "I64", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 8]}}).encode()
    put("fuzz_model_load", "bad_shapes", SEP.join([json.dumps(cfg).encode(), struct.pack("<Q", len(hdr)) + hdr +
                                                   b"\0" * 16, b"{}", b""]))
    put("fuzz_model_load", "huge_header_len", SEP.join([json.dumps(cfg).encode(), b"\xff" * 8, b"", b""]))


def lstm_seeds(tmp):
    """Tiny word_language_model-layout LSTMs (tests/reference/make_lstm_checkpoints.py's writer) and a broken one."""
    import make_lstm_checkpoints as ml
    for name, kw in [("lstm_tied_f32", dict(V=257, E=4, H=4, L=1, tied=True, dtype="F32")),
                     ("lstm_untied_f16_l2", dict(V=258, E=3, H=4, L=2, tied=False, dtype="F16"))]:
        d = os.path.join(tmp, name)
        ml.write_lstm(d, seed=1, **kw)
        files = [read(d, n) for n in ("config.json", "model.safetensors", "vocab.json", "merges.txt")]
        put("fuzz_lstm_load", name, SEP.join(files))
        if kw["dtype"] == "F16":
            put("fuzz_lstm_load", name + "_planes", SEP.join([files[0], f16_planes(files[1])] + files[2:]))
    cfg = {"model_type": "lstm", "vocab_size": 257, "embedding_size": 4, "hidden_size": 4, "num_layers": 1,
           "tie_weights": True}
    hdr = json.dumps({"encoder.weight": {"dtype": "F32", "shape": [4, 257], "data_offsets": [0, 4112]}}).encode()
    put("fuzz_lstm_load", "bad_shape", SEP.join([json.dumps(cfg).encode(), struct.pack("<Q", len(hdr)) + hdr +
                                                 b"\0" * 4112, b"{}", b""]))


def tokenizer_seeds():
    texts = {
        "ascii": "I have a dog. It's raining because of a good cause.",
        "spaces": "  two  spaces\n\n\tand tabs   \r\n",
        "unicode": "caf\u00e9 \u4f60\u597d \u0645\u0631\u062d\u0628\u0627 e\u0301 \U0001F468\u200d\U0001F469\u200d\U0001F467 1\u00bd",
        "numbers": "123456789 3.14159 1,000,000",
        "contractions": "I'm you're he'll we'd they've 's 't",
    }
    for name, t in texts.items():
        put("fuzz_tokenizer", name, b"\0" + t.encode())
    put("fuzz_tokenizer", "special", b"\1a<|endoftext|>b<|endoftext|>")
    put("fuzz_tokenizer", "invalid_utf8", b"\0a\xc3(\xf0\x9f\x98 \xff\xfe\xed\xa0\x80x\xed\xbf\xbf")
    put("fuzz_tokenizer", "long_run", b"\0" + b"a" * 300 + b" " * 300 + b"!" * 10)


def svg_seeds():
    # FuzzedDataProvider reads integers from the end and bytes from the front: any bytes are valid,
    # these only start the three modes with some token-like text.
    put("fuzz_svg", "mode0", b"<script>alert(1)</script>\x00&amp; \" ' \x01\x7f\xff\xc3" + bytes(range(64)) + b"\x00")
    put("fuzz_svg", "mode1", b"\xef\xbf\xbe ]]> <!-- --> \t\n" + bytes(range(255, 128, -1)) + b"\x01")
    put("fuzz_svg", "mode2", bytes(range(256)) + b"\x02")


def json_seeds():
    # fuzz_json_export: strings (model name, dtype, token bytes) come from the front, shapes, options
    # and floats from the end. Strings with quotes, backslashes, control bytes, DEL, invalid UTF-8 and
    # an encoded surrogate; the rest deterministic noise of three lengths (small and larger captures).
    import random
    rng = random.Random(8)
    front = b'tiny"\\\n\x00\x1f\x7f\xff\xc3(\xed\xa0\x80\xf0\x9f\x98\\F16\\ab\\\xe4\xbd\\'
    for name, n, tail in (("small", 64, b"\x00\x00\x00\x00"), ("mid", 600, b""), ("large", 2400, b"\xff\xff\xff\xff")):
        put("fuzz_json_export", name, front + rng.randbytes(n) + tail)


def main():
    tokenizer_seeds()
    svg_seeds()
    json_seeds()
    with tempfile.TemporaryDirectory() as tmp:
        model_seeds(tmp)
        lstm_seeds(tmp)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(OUT) for f in fs)
    print(f"seeds: {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
