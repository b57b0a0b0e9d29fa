"""Starting `nuri serve` for the hub tests (a module of its own, so tests can import it by a name
no other conftest shares)."""
from __future__ import annotations

import os
import re
import subprocess
import threading
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def nuri_binary() -> str:
    for candidate in (os.environ.get("NURI_BINARY"), os.path.join(ROOT, ".build", "debug", "nuri")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise pytest.UsageError("no nuri binary: set NURI_BINARY or run `swift build` (make test does)")


def start_server(cmd):
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, deadline = [], time.time() + 120
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if match:
            # keep draining output so the server never blocks on a full pipe
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, match.group(1)
    process.kill()
    raise pytest.UsageError("nuri serve did not announce its address:\n" + "".join(lines))


