#!/usr/bin/env python3
"""Generates dequant.json: random blocks of every tensor type Nuri reads, with the values the
`gguf` Python package (gguf-py, the llama.cpp project's reference implementation in numpy)
dequantises them to. Nuri's Swift dequantisers are tested against these values.

    pip install gguf==0.19.0 numpy
    python3 Tests/NuriEngineTests/Fixtures/dequant/generate.py

Random bytes make random quantised values; the scale fields (f16 `d`, `dmin`, `m`) are set to
small finite values so no block decodes to inf or NaN. Seeded, so the output is reproducible.
"""
import json
import os

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize

rng = np.random.default_rng(20261129)

# type: (bytes per block, values per block, byte offsets of f16 scale fields)
LAYOUTS = {
    "F32": (4, 1, []),
    "F16": (2, 1, []),
    "BF16": (2, 1, []),
    "Q4_0": (18, 32, [0]),
    "Q4_1": (20, 32, [0, 2]),
    "Q5_0": (22, 32, [0]),
    "Q5_1": (24, 32, [0, 2]),
    "Q8_0": (34, 32, [0]),
    "Q4_K": (144, 256, [0, 2]),
    "Q5_K": (176, 256, [0, 2]),
    "Q6_K": (210, 256, [208]),
}


def sample(name, blocks):
    size, per_block, scale_offsets = LAYOUTS[name]
    if name == "F32":
        values = rng.normal(0, 2, size=blocks * 64).astype(np.float32)
        return values.tobytes(), values.size
    if name in ("F16", "BF16"):
        values = rng.normal(0, 2, size=blocks * 64).astype(np.float32)
        if name == "F16":
            return values.astype(np.float16).tobytes(), values.size
        return (values.view(np.uint32) >> 16).astype(np.uint16).tobytes(), values.size
    raw = bytearray(rng.integers(0, 256, size=blocks * size, dtype=np.uint8).tobytes())
    for b in range(blocks):
        for offset in scale_offsets:
            scale = np.float16(rng.uniform(0.001, 0.1) * rng.choice([-1, 1]))
            raw[b * size + offset: b * size + offset + 2] = scale.tobytes()
    return bytes(raw), blocks * per_block


cases = []
for name in LAYOUTS:
    data, count = sample(name, 3)
    values = dequantize(np.frombuffer(data, dtype=np.uint8), T[name]).astype(np.float32).reshape(-1)
    assert values.size == count, (name, values.size, count)
    assert np.all(np.isfinite(values)), name
    cases.append({"type": name, "count": count, "bytes": data.hex(), "values": [float(v) for v in values]})

out = os.path.join(os.path.dirname(__file__), "dequant.json")
with open(out, "w") as f:
    json.dump({"generator": "generate.py with gguf-py 0.19.0 (gguf.quants.dequantize)", "cases": cases}, f)
print(f"wrote {out}: {len(cases)} types")
