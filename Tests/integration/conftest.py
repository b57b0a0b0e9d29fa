"""Starts a real `nuri serve` with the real SmolLM2 model for the integration tests.

The binary is the debug build (`swift build`), the data directory a temporary one; the server
listens on a free loopback port it announces on stdout. The operator's token and one without
the `inference` scope are made with `nuri admin`, as a user would.
"""
import os
import re
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL = os.path.join(ROOT, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")


def nuri_binary():
    for candidate in (os.environ.get("NURI_BINARY"), os.path.join(ROOT, ".build", "debug", "nuri")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("no nuri binary: run `swift build` first (make test does)")


def run(*args, data_dir):
    out = subprocess.run([nuri_binary(), *args, "--data-dir", data_dir], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def start(data_dir, *args, env=None):
    """Starts `nuri serve` on a free port; returns the process and its base URL."""
    process = subprocess.Popen(
        [nuri_binary(), "serve", "--data-dir", data_dir, "--port", "0", "--log-level", "warning", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})
    base = None
    deadline = time.time() + 120
    lines = []
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if match:
            base = f"http://127.0.0.1:{match.group(1)}"
            break
    if base is None:
        process.kill()
        pytest.fail("nuri serve did not announce its address:\n" + "".join(lines))
    return process, base


def stop(process):
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def server():
    if not os.path.exists(MODEL):
        pytest.fail(f"{MODEL} is missing: run `make models`")
    data_dir = tempfile.mkdtemp(prefix="nuri-it-")
    operator = run("admin", "init", data_dir=data_dir)
    reader = run("admin", "token", "create", "--user", "operator", "--scopes", "read", "--name", "no-inference", data_dir=data_dir)
    process, base = start(data_dir, "--model", f"smollm2={MODEL}")
    yield {"base_url": base + "/v1", "root": base, "token": operator, "reader_token": reader, "data_dir": data_dir}
    stop(process)
