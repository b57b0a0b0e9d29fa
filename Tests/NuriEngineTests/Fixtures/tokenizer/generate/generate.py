#!/usr/bin/env python3
"""Regenerates the tokenizer fixtures from llama.cpp b11312 itself (see README.md here).

    python3 generate.py --tokref ./tokref --models /path/to/models --variants /tmp/variants

Needs: tokref (tokref.cpp built against llama.cpp b11312), the two model files, and the
`gguf` package (for the pre-tokenizer variants, written by make_variant.py). Writes the JSON
files one folder up. Every random choice is seeded, so a rerun gives the same cases.
"""
import argparse
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, ".."))

# Hand-picked cases: each exercises a rule of some pre-tokenizer, of SentencePiece, of special
# token splitting or of decoding.
CASES = [
    "", " ", "  ", "\n", "\n\n\n", "\t", " \t \n ", "a", "Hello, world!", "Hello world",
    "  leading spaces", "trailing spaces   ", "multiple   spaces   between   words",
    "line one\nline two\r\nline three\n\n\nafter blank lines", "tabs\tand\t\ttabs",
    "indented:\n    four spaces\n\tone tab\n        eight", "x\n \n y", "a \n\n b",
    "1 12 123 1234 12345 123456 1234567", "3.14159 and 2,718 and -42", "year2024 v1.2.3 1st 22nd",
    "١٢٣٤٥ ²³ ½ Ⅻ 𝟙𝟚𝟛", "0x1F 0b1010 1e-9",
    "it's I'm you're we've they'll he'd can't won't", "IT'S I'M YOU'RE WE'VE THEY'LL HE'D",
    "It'S wE'Ve 'tis 'twas y'all rock'n'roll", "'s 't 're 've 'm 'll 'd", "''quoted'' 'single'",
    "Hello!!! What?? Really... Yes!?!", "(parens) [brackets] {braces} <angles>", "a+b=c; x<y>z; $5 ^ ~ | `code`",
    "email@example.com https://example.com/path?q=1&r=2#frag", "C:\\path\\to\\file.txt",
    "👋 Hello 🌍! 👨‍👩‍👧‍👦 family 🇰🇷 flag 👍🏽", "emoji at end 🎉", "🎉🎉🎉",
    "대한민국의 수도는 서울입니다.", "안녕하세요, 반갑습니다!", "한국어와 English를 섞은 mixed 문장 123개.",
    "ㄱㄴㄷ ㅏㅑㅓ 가각갂", "서울 Seoul 서울시청 City Hall", "日本語のテキスト、中文文本。", "Привет, мир! Γειά σου Κόσμε",
    "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "café naïve résumé", "cafe\u0301 combining", "ﬁ ligature ＡＢＣ fullwidth",
    "non\u00a0breaking\u3000ideographic\u2028line\u0085next", "\u0378 undefined \ue000 private \U0001f9ff", "𝒜𝒷𝒸 math letters",
    "Hello , world . Is it ? Yes ! Sure , fine .", "I 'm here and it 's ' quoted ' text", "we 've they 're you 'll it 'd don 't",
    " ' ' '", "a ' b", "x 's", " 'v", "end '",
    "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", "<|endoftext|>", "text<|endoftext|>more",
    "<|im_start|><|im_end|>", "<|im_start", "<<|im_end|>>", "<|im_end|>\n\n<|im_start|>", "<reponame>repo<file_sep>",
    "<start_of_turn>user\n안녕하세요<end_of_turn>\n<start_of_turn>model\n", "<bos>Hello<eos>", "<pad><unk><mask>",
    "<unused0> <unused6241>", "[multimodal] <start_of_image><end_of_image>", "\t\t\ttabs\t\t\t\t\t\t\t\t", "\n\n\n\n\n\n",
    "<end_of_turn><end_of_turn>", "not <start_of_turn special", "</s> <s> <|eot_id|>",
    "def f(x):\n    return x ** 2  # square\n", "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "The quick brown fox jumps over the lazy dog.", "A" * 40, "ab" * 30, "가" * 20, " " * 17 + "x",
]


def random_strings(count, seed):
    rng = random.Random(seed)
    pools = [
        list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), list("0123456789"), [" "] * 3, ["\n", "\r\n", "\t"],
        list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"), ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "'Re"],
        [chr(c) for c in range(0xAC00, 0xAC00 + 400, 7)], [chr(c) for c in range(0x3131, 0x318E)], list("日本語中文漢字"),
        ["👋", "🌍", "👨‍👩‍👧", "🇰🇷", "👍🏽", "🎉"], ["\u0301", "\u0308", "\u20dd"], list("١٢٣٤٥²³½"),
        ["\u00a0", "\u3000", "\u2028", "\u0085", "\u2009"], ["\u0378", "\ue000", "\U000e0001", "\ufeff", "\u200d"],
        ["<|im_start|>", "<|im_end|>", "<start_of_turn>", "<end_of_turn>", "<bos>", "<eos>", "\n\n", "\t\t"],
    ]
    out = []
    for _ in range(count):
        pieces = []
        for _ in range(rng.randint(1, 16)):
            kind = rng.random()
            if kind < 0.1:
                cp = rng.randint(0x20, 0x2FFFF)
                if 0xD800 <= cp <= 0xDFFF:
                    cp = 0xFFFD
                pieces.append(chr(cp))
            else:
                pieces.append(rng.choice(rng.choice(pools)))
        out.append("".join(pieces))
    return out


def run(args, lines):
    result = subprocess.run(args, input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def hexed(text):
    return text.encode("utf-8").hex()


def write(name, value):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokref", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--variants", required=True, help="folder for the pre-tokenizer variants of SmolLM2")
    parser.add_argument("--ppl", help="the long text (ppl.txt) to tokenize whole")
    options = parser.parse_args()

    cases = CASES + random_strings(150, seed=11312)
    write("cases.json", cases)

    # Pre-tokenizer splits, with no vocabulary involved.
    presets = ["gpt2", "smollm", "llama3", "qwen2", "default"]
    split_inputs = [c for c in cases if c] + random_strings(300, seed=2024)
    splits = {"inputs": split_inputs}
    for preset in presets:
        rows = run([options.tokref, "split"], [f"{preset} {hexed(t)}" for t in split_inputs])
        splits[preset] = [[bytes.fromhex(w).decode("utf-8") for w in row] for row in rows]
    write("splits.json", splits)

    smollm = os.path.join(options.models, "SmolLM2-135M-Instruct.Q4_1.gguf")
    gemma = os.path.join(options.models, "gemma-3-270m-q4_k_m.gguf")
    models = {"SmolLM2-135M-Instruct.Q4_1": (smollm, {}), "gemma-3-270m-q4_k_m": (gemma, {})}
    # Variants: a vocabulary-only copy of a model file with some metadata replaced, to cover
    # pre-tokenizers, flags and name-based rules that the two models do not use themselves.
    variants = [(smollm, "SmolLM2-135M-Instruct.Q4_1", {"tokenizer.ggml.pre": pre})
                for pre in ["llama-bpe", "qwen2", "gpt-2", "default", "starcoder"]]
    variants += [
        (smollm, "SmolLM2-135M-Instruct.Q4_1", {"tokenizer.ggml.add_bos_token": "true", "tokenizer.ggml.add_eos_token": "true"}),
        (gemma, "gemma-3-270m-q4_k_m", {"tokenizer.ggml.add_space_prefix": "true", "tokenizer.ggml.add_eos_token": "true"}),
        # llama.cpp strips whitespace after special tokens of models named Phi-3, and fails to
        # load one without <unk>, <s>, </s> and <|endoftext|>: Gemma lacks only the last, which an
        # unused token is renamed to.
        (gemma, "gemma-3-270m-q4_k_m", {"general.name": "Phi-3 mini (name rule test)",
                                        "tokenizer.ggml.tokens[6]": "<|endoftext|>"}),
    ]
    os.makedirs(options.variants, exist_ok=True)
    for base, base_name, overrides in variants:
        suffix = "+".join(f"{k.split('.')[-1]}={v}" for k, v in overrides.items() if "[" not in k)
        name = f"{base_name}+{suffix}"
        name = name.replace(" ", "_").replace("(", "").replace(")", "")
        path = os.path.join(options.variants, f"{name}.gguf")
        subprocess.run([sys.executable, os.path.join(HERE, "make_variant.py"), base, path]
                       + [f"{k}={v}" for k, v in overrides.items()], check=True)
        models[name] = (path, overrides)

    long_text = open(options.ppl).read() if options.ppl else None
    rng = random.Random(7)
    for name, (path, overrides) in models.items():
        vocab = run([options.tokref, "vocab", path], [])[0]
        rows = run([options.tokref, "tok", path], [hexed(t) for t in cases])
        expected = []
        for text, row in zip(cases, rows):
            expected.append({
                "text": text,
                "add_parse": row["add_parse"], "add_noparse": row["add_noparse"],
                "noadd_parse": row["noadd_parse"], "noadd_noparse": row["noadd_noparse"],
                # Decoded text as hex: a token sequence may end inside a character.
                "decoded_hex": row["decoded"],
                "decoded_add_parse_special_hex": row["decoded_add_parse_special"],
                "decoded_add_parse_removed_hex": row["decoded_add_parse_removed"],
            })
        # Random id sequences decoded with every flag pair: pieces, space rules, bad UTF-8.
        n = vocab["n_tokens"]
        sequences = []
        for _ in range(120):
            ids = [rng.randrange(n) if rng.random() < 0.7 else rng.randrange(min(n, 600)) for _ in range(rng.randint(1, 12))]
            if rng.random() < 0.3:
                ids.insert(0, vocab["bos"])
            if rng.random() < 0.3:
                ids.append(vocab["eos"])
            sequences.append(ids)
        detok = []
        for remove in (0, 1):
            for unparse in (0, 1):
                lines = [f"{remove} {unparse} {','.join(map(str, ids))}" for ids in sequences]
                result = subprocess.run([options.tokref, "detok", path], input="\n".join(lines) + "\n",
                                        capture_output=True, text=True, check=True)
                for ids, out in zip(sequences, result.stdout.splitlines()):
                    detok.append({"ids": ids, "remove_special": bool(remove), "render_special": bool(unparse),
                                  "text_hex": json.loads(out)})
        base = gemma if name.startswith("gemma") else smollm
        entry = {"model_file": os.path.basename(base), "overrides": overrides, "vocab": vocab,
                 "cases": expected, "detokenize": detok}
        if long_text is not None:
            row = run([options.tokref, "tok", path], [hexed(long_text)])[0]
            entry["long_text"] = {"file": "ppl.txt", "add_noparse": row["add_noparse"]}
        write(f"expected-{name}.json", entry)


if __name__ == "__main__":
    main()
