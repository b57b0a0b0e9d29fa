"""`nuri push` and `nuri pull` against the real server, and the Hub client reading what they wrote."""
from __future__ import annotations

import hashlib
import os
import secrets

import pytest
from huggingface_hub import HfApi, hf_hub_download

from .hubproxy import ProxyNet

pytestmark = pytest.mark.usefixtures("hub")


def tree(root):
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, root).replace(os.sep, "/")] = open(path, "rb").read()
    return found


def test_push_then_pull_with_resume(hub, org_a, tmp_path):
    if not hasattr(hub, "user_command"):
        pytest.skip("needs the nuri binary (HUB_SERVER=nuri)")
    repo_id = f"{org_a.name}/pushed-{secrets.token_hex(3)}"
    big = os.urandom(3 * 1024 * 1024 + 11)
    files = {"README.md": b"---\nlicense: mit\n---\n# pushed\n", "config.json": b"{}\n", "weights/model.bin": big}
    source = tmp_path / "source"
    for rel, data in files.items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_bytes(data)

    out = hub.user_command("push", str(source), repo_id, "--message", "from the CLI", token=org_a.admin_token)
    assert "Pushed 3 file(s)" in out
    assert "Nothing to push" in hub.user_command("push", str(source), repo_id, token=org_a.admin_token)
    # what `nuri push` wrote, the Hub client reads
    path = hf_hub_download(repo_id, "weights/model.bin", token=org_a.admin_token, cache_dir=str(tmp_path / "hf"))
    assert open(path, "rb").read() == big
    assert HfApi(token=org_a.admin_token).model_info(repo_id).card_data.license == "mit"

    # an interrupted pull left the first megabyte of the large file: the next pull continues there
    target = tmp_path / "pulled"
    partial = target / ".nuri-partial"
    partial.mkdir(parents=True)
    (partial / (hashlib.sha256(big).hexdigest() + ".part")).write_bytes(big[: 1024 * 1024])
    net = ProxyNet(hub.endpoint)
    try:
        env_url = net.entry.url
        out = hub.user_command("pull", repo_id, str(target), "--url", env_url, token=org_a.member_token)
        ranged = [r for r in net.records if r.method == "GET" and r.request_headers.get("range")]
        assert [r.request_headers["range"] for r in ranged] == [f"bytes={1024 * 1024}-"]
        assert ranged[0].status == 206
    finally:
        net.close()
    assert "3 downloaded" in out
    assert tree(target) == files
    # a second pull finds everything in place
    assert "0 downloaded, 3 already there" in hub.user_command("pull", repo_id, str(target), token=org_a.member_token)


def test_pull_of_a_hidden_repository_fails_clearly(hub, org_a, org_b, tmp_path):
    if not hasattr(hub, "user_command"):
        pytest.skip("needs the nuri binary (HUB_SERVER=nuri)")
    repo_id = f"{org_a.name}/hidden-{secrets.token_hex(3)}"
    HfApi(token=org_a.admin_token).create_repo(repo_id, private=True)
    with pytest.raises(AssertionError, match="404"):
        hub.user_command("pull", repo_id, str(tmp_path / "x"), token=org_b.admin_token)
    assert not (tmp_path / "x").exists()


def test_gateway_serves_a_model_from_the_hub(tmp_path):
    """`make run`'s path: import the GGUF into the hub, serve it as hub:owner/name, chat with it."""
    import json
    import subprocess
    import urllib.request

    from .nuriserver import nuri_binary, start_server as _start

    model = os.path.join(os.path.dirname(__file__), "..", "..", "..", "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
    if not os.path.exists(model):
        pytest.fail(f"{model} is missing: run `make models`")
    data_dir = str(tmp_path / "data")
    run = lambda *args: subprocess.run([nuri_binary(), *args, "--data-dir", data_dir], check=True, capture_output=True, text=True).stdout
    token = run("admin", "init").strip().splitlines()[-1]
    assert "Imported 1 file(s)" in run("admin", "hub", "import", model, "--repo", "operator/smollm2")
    assert "already holds" in run("admin", "hub", "import", model, "--repo", "operator/smollm2")
    process, base = _start([nuri_binary(), "serve", "--data-dir", data_dir, "--port", "0", "--log-level", "warning",
                            "--model", "smollm2=hub:operator/smollm2@main"])
    try:
        body = json.dumps({"model": "smollm2", "temperature": 0, "max_tokens": 12,
                           "messages": [{"role": "user", "content": "What is the capital of South Korea?"}]}).encode()
        req = urllib.request.Request(base + "/v1/chat/completions", body, headers={"Authorization": f"Bearer {token}"})
        reply = json.load(urllib.request.urlopen(req, timeout=120))
        assert "Seoul" in reply["choices"][0]["message"]["content"]
    finally:
        process.terminate()
        process.wait(timeout=30)
    # served from the blob store: the only copy of the weights is the blob
    blobs = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(data_dir, "blobs", "sha256")) for f in fs]
    assert len(blobs) == 1 and os.path.getsize(blobs[0]) == os.path.getsize(model)
    assert "0 problem(s)" in run("admin", "hub", "verify", "--rehash")


def test_access_requests_from_the_command_line(hub, org_a, org_b, tmp_path):
    """Ask with a reason, deny with a note, ask again, approve: every decision is kept with who and when."""
    if not hasattr(hub, "user_command"):
        pytest.skip("needs the nuri binary (HUB_SERVER=nuri)")
    import json

    from huggingface_hub.errors import GatedRepoError

    repo_id = f"{org_a.name}/asked-{secrets.token_hex(3)}"
    api = HfApi(token=org_a.admin_token)
    api.create_repo(repo_id)
    api.upload_file(path_or_fileobj=b"weights", path_in_repo="model.bin", repo_id=repo_id)
    hub.user_command("repo", "visibility", repo_id, "gated", token=org_a.admin_token)
    download = lambda d: hf_hub_download(repo_id, "model.bin", token=org_b.member_token, cache_dir=str(tmp_path / d))

    assert "pending" in hub.user_command("access", "request", repo_id, "--reason", "bus route study", token=org_b.member_token)
    with pytest.raises(AssertionError, match="403"):   # a member cannot decide; only the owner's admins
        hub.user_command("access", "approve", repo_id, org_b.member, token=org_a.member_token)
    hub.user_command("access", "deny", repo_id, org_b.member, "--note", "not for commercial use", token=org_a.admin_token)
    with pytest.raises(GatedRepoError):
        download("1")
    rejected = json.loads(hub.user_command("access", "list", repo_id, "--status", "rejected", "--json", token=org_a.admin_token))
    assert [(r["user"], r["reason"], r["decided_by"], r["note"]) for r in rejected] == \
        [(org_b.member, "bus route study", org_a.admin, "not for commercial use")]

    hub.user_command("access", "request", repo_id, "--reason", "public-sector evaluation only", token=org_b.member_token)
    hub.user_command("access", "approve", repo_id, org_b.member, token=org_a.admin_token)
    assert open(download("2"), "rb").read() == b"weights"
    info = json.loads(hub.user_command("repo", "info", repo_id, token=org_b.member_token))
    assert info["visibility"] == "gated" and info["access"] == "read" and "invited_organisations" not in info
