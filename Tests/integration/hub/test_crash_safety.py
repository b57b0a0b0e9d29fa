"""Kill the server (SIGKILL) in the middle of a large upload: after a restart no blob is
corrupt, none is half-written under its final name, and no commit points to a missing blob."""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request

from .nuriserver import nuri_binary, start_server

SIZE = 64 * 1024 * 1024


def post(base, path, body, token):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=60))


def test_kill_during_a_large_upload(tmp_path):
    data_dir = str(tmp_path / "data")
    admin = lambda *args: subprocess.run([nuri_binary(), "admin", *args, "--data-dir", data_dir], capture_output=True, text=True)
    token = admin("init").stdout.strip().splitlines()[-1]
    serve = [nuri_binary(), "serve", "--data-dir", data_dir, "--port", "0", "--log-level", "warning"]
    data = os.urandom(SIZE)
    oid = hashlib.sha256(data).hexdigest()

    process, base = start_server(serve)
    try:
        post(base, "/api/repos/create", {"name": "crash", "organization": "operator"}, token)
        batch = post(base, "/operator/crash.git/info/lfs/objects/batch",
                     {"operation": "upload", "transfers": ["basic"], "objects": [{"oid": oid, "size": SIZE}]}, token)
        href = urllib.parse.urlsplit(batch["objects"][0]["actions"]["upload"]["href"])
        connection = http.client.HTTPConnection(href.hostname, href.port, timeout=60)
        connection.putrequest("PUT", href.path)
        connection.putheader("Content-Length", str(SIZE))
        connection.endheaders()
        connection.send(data[: SIZE // 2])          # half of it, then the server dies
        process.kill()
        process.wait(timeout=30)
        connection.close()
    finally:
        if process.poll() is None:
            process.kill()

    # Nothing under a final name, nothing recorded; the store checks clean.
    final = os.path.join(data_dir, "blobs", "sha256", oid[:2], oid[2:])
    assert not os.path.exists(final)
    verify = admin("hub", "verify", "--rehash")
    assert verify.returncode == 0 and "0 problem(s)" in verify.stdout, verify.stdout + verify.stderr

    process, base = start_server(serve)
    try:
        # A commit that names the lost blob is refused; the branch stays where it was.
        commit = json.dumps({"key": "header", "value": {"summary": "weights"}}) + "\n" + \
            json.dumps({"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": oid, "size": SIZE}})
        req = urllib.request.Request(base + "/api/models/operator/crash/commit/main", commit.encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
        try:
            urllib.request.urlopen(req, timeout=60)
            raise AssertionError("a commit naming a blob that never arrived was accepted")
        except urllib.error.HTTPError as e:
            assert e.code == 400 and e.headers["X-Error-Code"] == "BlobMissing"
        # Uploading again works, and the file then reads back whole.
        batch = post(base, "/operator/crash.git/info/lfs/objects/batch",
                     {"operation": "upload", "transfers": ["basic"], "objects": [{"oid": oid, "size": SIZE}]}, token)
        urllib.request.urlopen(urllib.request.Request(batch["objects"][0]["actions"]["upload"]["href"], data, method="PUT"), timeout=120)
        urllib.request.urlopen(req, timeout=60)
        with urllib.request.urlopen(base + "/operator/crash/resolve/main/w.bin", timeout=120) as response:
            assert hashlib.sha256(response.read()).hexdigest() == oid
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "0 problem(s)" in admin("hub", "verify", "--rehash").stdout
