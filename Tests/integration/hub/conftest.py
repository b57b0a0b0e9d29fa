"""Points the real `huggingface_hub` client at a real `nuri serve` through HF_ENDPOINT.

huggingface_hub reads HF_ENDPOINT and HF_HUB_DISABLE_XET once, when it is imported, so the
server is started in `pytest_configure` — pytest calls it as soon as this conftest is loaded,
before the test modules of this folder (which import the client) are collected. Nothing else in
Tests/integration imports huggingface_hub.

Which server (environment variable HUB_SERVER):
  * `nuri` (default): `nuri serve` on a free loopback port with a temporary data directory
    (binary: NURI_BINARY, else .build/debug/nuri); the operator comes from `nuri admin init`.
  * `external`: a server already running at HUB_ENDPOINT, with an operator token in
    HUB_OPERATOR_TOKEN (any Hub-compatible server offering the routes below).

Everything that depends on the server rather than on the Hub protocol — organisations, users,
tokens, gating, asking for and granting access — goes through the `Backend` classes.
"""
from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

import pytest

from .nuriserver import nuri_binary, start_server as _start


_BACKEND = None
_PROCESS = None
_HF_HOME = None


class Backend:
    """Setup through HTTP: Nuri's identity REST API and the Hub's gated-access endpoints."""

    def __init__(self, endpoint: str, operator_token: str):
        self.endpoint = endpoint.rstrip("/")
        self.operator_token = operator_token

    def create_org(self, name: str, sector: str) -> None:
        self._post("/api/orgs", {"name": name, "sector": sector}, self.operator_token)

    def create_user(self, name: str, org: str, role: str = "member") -> None:
        self._post("/api/users", {"name": name, "org": org, "role": role}, self.operator_token)

    def create_token(self, user: str, scopes=("read", "write"), org: str | None = None) -> str:
        body = {"user": user, "scopes": list(scopes), "name": f"hub-tests-{secrets.token_hex(3)}"}
        if org is not None:
            body["org"] = org
        return self._post("/api/tokens", body, self.operator_token)["token"]

    def make_gated(self, repo_id: str, admin_token: str) -> None:
        """Gate a repository with the Hub's own settings endpoint, through the real client."""
        from huggingface_hub import HfApi
        HfApi(token=admin_token).update_repo_settings(repo_id, gated="manual")

    def request_access(self, repo_id: str, token: str, reason: str = "research") -> None:
        """A user asks for access: the Hub has only a web form for this, Nuri a REST route."""
        self._post(f"/api/nuri/repos/models/{repo_id}/access-requests", {"reason": reason}, token)

    def approve_access(self, repo_id: str, user: str, admin_token: str) -> None:
        """An admin of the owner approves, with the Hub's own endpoint, through the real client."""
        from huggingface_hub import HfApi
        HfApi(token=admin_token).accept_access_request(repo_id, user)

    def _post(self, path: str, body: dict, token: str) -> dict:
        req = urllib.request.Request(self.endpoint + path, json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                data = resp.read()
        except urllib.error.HTTPError as e:
            raise AssertionError(f"POST {path} -> {e.code}: {e.read()[:500]!r}") from None
        return json.loads(data) if data else {}


class NuriBackend(Backend):
    """`nuri admin …` on the server's data directory, and the hub commands as a user runs them
    (`nuri repo visibility`, `nuri access request|approve`, talking to the server with NURI_URL
    and NURI_TOKEN)."""

    def __init__(self, endpoint: str, operator_token: str, data_dir: str):
        super().__init__(endpoint, operator_token)
        self.data_dir = data_dir

    def admin(self, *args) -> str:
        out = subprocess.run([nuri_binary(), "admin", *args, "--data-dir", self.data_dir], check=True,
                             capture_output=True, text=True)
        lines = out.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def user_command(self, *args, token: str) -> str:
        env = {**os.environ, "NURI_TOKEN": token, "NURI_URL": self.endpoint}
        out = subprocess.run([nuri_binary(), *args], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise AssertionError(f"nuri {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout

    def create_org(self, name, sector):
        self.admin("org", "create", name, "--sector", sector)

    def create_user(self, name, org, role="member"):
        self.admin("user", "create", name, "--org", org, "--role", role)

    def create_token(self, user, scopes=("read", "write"), org=None):
        return self.admin("token", "create", "--user", user, "--scopes", ",".join(scopes), *(["--org", org] if org else []))

    def make_gated(self, repo_id, admin_token):
        self.user_command("repo", "visibility", repo_id, "gated", token=admin_token)

    def request_access(self, repo_id, token, reason="research"):
        self.user_command("access", "request", repo_id, "--reason", reason, token=token)

    def approve_access(self, repo_id, user, admin_token):
        self.user_command("access", "approve", repo_id, user, token=admin_token)


def pytest_configure(config):
    global _BACKEND, _PROCESS, _HF_HOME
    if "huggingface_hub" in sys.modules:
        raise pytest.UsageError("huggingface_hub was imported before HF_ENDPOINT could be set")
    if importlib.util.find_spec("huggingface_hub") is None:
        raise pytest.UsageError("the hub tests drive the real client: python3 -m pip install huggingface_hub (.ci/run does)")
    kind = os.environ.get("HUB_SERVER", "nuri")
    if kind == "nuri":
        data_dir = tempfile.mkdtemp(prefix="nuri-hub-it-")
        operator = subprocess.run([nuri_binary(), "admin", "init", "--data-dir", data_dir], check=True,
                                  capture_output=True, text=True).stdout.strip().splitlines()[-1]
        _PROCESS, base = _start([nuri_binary(), "serve", "--data-dir", data_dir, "--port", "0", "--log-level", "warning"])
        _BACKEND = NuriBackend(base, operator, data_dir)
    elif kind == "external":
        _BACKEND = Backend(os.environ["HUB_ENDPOINT"], os.environ["HUB_OPERATOR_TOKEN"])
    else:
        raise pytest.UsageError(f"HUB_SERVER must be nuri or external, not {kind!r}")
    _HF_HOME = tempfile.mkdtemp(prefix="hf-home-")
    os.environ.update({
        "HF_ENDPOINT": _BACKEND.endpoint,
        "HF_HUB_DISABLE_XET": "1",             # large files over the classic LFS batch API
        "HF_HOME": _HF_HOME,                   # no stray token or cache from the machine
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",  # a token is sent only when a test passes one
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    })
    os.environ.pop("HF_TOKEN", None)
    os.environ.pop("HF_HUB_OFFLINE", None)


def pytest_unconfigure(config):
    if _PROCESS is not None:
        _PROCESS.terminate()
        try:
            _PROCESS.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _PROCESS.kill()
    if _HF_HOME:
        shutil.rmtree(_HF_HOME, ignore_errors=True)


class Org:
    """An organisation with an admin and a plain member, each with a read+write token."""

    def __init__(self, backend: Backend, sector: str):
        self.name = f"org-{sector}-{secrets.token_hex(3)}"
        backend.create_org(self.name, sector)
        self.admin = f"{self.name}-admin"
        self.member = f"{self.name}-member"
        backend.create_user(self.admin, self.name, "admin")
        backend.create_user(self.member, self.name, "member")
        self.admin_token = backend.create_token(self.admin, ("read", "write"))
        self.member_token = backend.create_token(self.member, ("read", "write"))


@pytest.fixture(scope="session")
def hub() -> Backend:
    return _BACKEND


@pytest.fixture(scope="session")
def org_a(hub) -> Org:
    """The publishing organisation (public sector)."""
    return Org(hub, "public")


@pytest.fixture(scope="session")
def org_b(hub) -> Org:
    """Another organisation (a startup): must not see org_a's private repositories."""
    return Org(hub, "startup")
