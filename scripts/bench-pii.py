#!/usr/bin/env python3
"""Runs `nuri pii bench` and the korean-pii package side by side on the same sentences.

    pip install korean-pii==0.2.0
    make release
    python3 scripts/bench-pii.py                       # speed, one thread each
    python3 scripts/bench-pii.py --eval                # and precision/recall/F1 on the labelled corpus

The corpus is one sentence per line, or JSON lines with a "text" field (default: the labelled
corpus of NuriGuard's tests). Both tools scan every sentence, again and again, for --seconds on
one thread after a warm-up pass. With --eval, both are scored on the corpus's labelled spans
(exact type, start and end; korean-pii's types mapped to Nuri's, its "rrn" split into RRN/ARN by
the 7th digit).
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "Tests/NuriGuardTests/Fixtures/pii-corpus.jsonl"
PEER_TYPES = {"rrn": "RRN", "phone": "PHONE", "card": "CARD", "email": "EMAIL", "account": "BANK_ACCOUNT",
              "passport": "PASSPORT", "driver_license": "DRIVER_LICENSE"}


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                    continue
                except json.JSONDecodeError:
                    pass
            if line:
                rows.append({"text": line})
    return rows


def find_nuri(explicit):
    if explicit:
        return explicit
    for candidate in [ROOT / ".build/release/nuri", ROOT / ".build-guard-release/release/nuri", ROOT / ".build/debug/nuri"]:
        if candidate.exists():
            return str(candidate)
    sys.exit("no nuri binary found: build one with `make release` or pass --nuri PATH")


def bench_peer(texts, seconds):
    import korean_pii
    for text in texts:
        korean_pii.detect(text)
    passes = 0
    started = time.perf_counter()
    while True:
        for text in texts:
            korean_pii.detect(text)
        passes += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            break
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    return passes * len(texts) / elapsed, passes * nbytes / elapsed / 1e6


def bench_nuri(nuri, corpus, seconds):
    out = subprocess.run([nuri, "pii", "bench", "--corpus", str(corpus), "--seconds", str(seconds), "--json"],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["sentences_per_second"], result["mb_per_second"]


def score(rows, predictions):
    counts = defaultdict(lambda: [0, 0, 0])
    for row, predicted in zip(rows, predictions):
        gold = {(e["type"], e["start"], e["end"]) for e in row.get("entities", [])}
        found = set(predicted)
        for span in found:
            counts[span[0]][0 if span in gold else 1] += 1
        for span in gold - found:
            counts[span[0]][2] += 1
    return counts


def f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(nuri, rows):
    import korean_pii
    peer = []
    for row in rows:
        spans = []
        for d in korean_pii.detect(row["text"]):
            kind = PEER_TYPES.get(d.type)
            if kind == "RRN":
                digits = [c for c in d.value if c.isdigit()]
                if len(digits) == 13 and digits[6] in "5678":
                    kind = "ARN"
            if kind:
                spans.append((kind, d.start, d.end))
        peer.append(spans)
    stdin = "".join(json.dumps({"text": row["text"]}, ensure_ascii=False) + "\n" for row in rows)
    out = subprocess.run([nuri, "pii", "scan", "--jsonl"], input=stdin, check=True, capture_output=True, text=True).stdout
    ours = [[(e["type"], e["start"], e["end"]) for e in json.loads(line)["entities"]] for line in out.splitlines()]
    peer_counts, our_counts = score(rows, peer), score(rows, ours)
    negatives = [i for i, row in enumerate(rows) if row.get("negative")]
    print(f"\naccuracy on {len(rows)} labelled sentences (exact spans)")
    print(f"{'type':16}{'nuri P/R/F1':>24}{'korean-pii P/R/F1':>26}")
    totals = {"nuri": [0, 0, 0], "peer": [0, 0, 0]}
    for kind in sorted(set(our_counts) | set(peer_counts)):
        cells = []
        for name, counts in (("nuri", our_counts), ("peer", peer_counts)):
            c = counts.get(kind, [0, 0, 0])
            for i in range(3):
                totals[name][i] += c[i]
            p, r, f = f1(*c)
            cells.append(f"{p:.3f}/{r:.3f}/{f:.3f}")
        print(f"{kind:16}{cells[0]:>24}{cells[1]:>26}")
    cells = ["{:.3f}/{:.3f}/{:.3f}".format(*f1(*totals[name])) for name in ("nuri", "peer")]
    print(f"{'overall':16}{cells[0]:>24}{cells[1]:>26}")
    print(f"hard negatives with a finding: nuri {sum(1 for i in negatives if ours[i])}, "
          f"korean-pii {sum(1 for i in negatives if peer[i])} (of {len(negatives)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--nuri", help="path of the nuri binary (default: .build/release/nuri)")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--eval", action="store_true", help="also score both on the corpus's labels")
    args = parser.parse_args()
    try:
        import korean_pii  # noqa: F401
    except ImportError:
        sys.exit("korean-pii is not installed: pip install korean-pii==0.2.0")
    nuri = find_nuri(args.nuri)
    rows = load(args.corpus)
    texts = [row["text"] for row in rows]
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    print(f"corpus {args.corpus}: {len(texts)} sentences, {nbytes} bytes; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, one thread each")
    nuri_rate, nuri_mb = bench_nuri(nuri, args.corpus, args.seconds)
    peer_rate, peer_mb = bench_peer(texts, args.seconds)
    print(f"{'':14}{'sentences/s':>14}{'MB/s':>10}")
    print(f"{'nuri':14}{nuri_rate:>14,.0f}{nuri_mb:>10.2f}   ({nuri})")
    print(f"{'korean-pii':14}{peer_rate:>14,.0f}{peer_mb:>10.2f}   (korean-pii 0.2.0, Python {platform.python_version()})")
    print(f"nuri / korean-pii: {nuri_rate / peer_rate:.1f}x")
    if args.eval:
        evaluate(nuri, rows)


if __name__ == "__main__":
    main()
