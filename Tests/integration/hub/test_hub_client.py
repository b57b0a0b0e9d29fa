"""The real `huggingface_hub` client, unchanged, against a Hub-compatible server (HF_ENDPOINT).

conftest.py starts the server and sets HF_ENDPOINT / HF_HUB_DISABLE_XET=1 before this module
imports the client. Server-specific setup (organisations, tokens, gating, approvals) goes
through the `hub` fixture; everything else is the public huggingface_hub API, plus a recording
proxy (hubproxy.py) for the tests that check what goes over the wire.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import urllib.error
import urllib.request

import pytest
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationDelete,
    HfApi,
    constants,
    hf_hub_download,
    snapshot_download,
)
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import paginate

from .hubproxy import ProxyNet

LARGE = 3 * 1024 * 1024 + 123  # "a few MB": goes through LFS with any sensible threshold (Hub: 10 MB or binary)
README = "---\nlicense: apache-2.0\nlanguage: [ko]\ntags: [korean, hub-test]\npipeline_tag: text-generation\n---\n# Test model\n"


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def write_tree(root, files: dict[str, bytes]):
    for rel, data in files.items():
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def raw(method: str, url: str, token: str | None = None, headers: dict | None = None):
    """A plain HTTP request (no redirects followed) for the few contract checks the client hides."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, method=method, headers=h)
    try:
        resp = urllib.request.build_opener(NoRedirect).open(req, timeout=60)
        return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="session")
def published(org_a, tmp_path_factory):
    """A public repository of org_a, uploaded with upload_folder: small files and one LFS file."""
    repo_id = f"{org_a.name}/{unique('model')}"
    files = {
        "README.md": README.encode(),
        "config.json": b'{"architectures": ["LlamaForCausalLM"], "vocab_size": 49152}\n',
        "tokenizer/vocab.txt": "서울\n부산\n".encode(),
        "weights.bin": os.urandom(LARGE),
    }
    folder = tmp_path_factory.mktemp("published")
    write_tree(folder, files)
    api = HfApi(token=org_a.admin_token)
    api.create_repo(repo_id)
    info = api.upload_folder(repo_id=repo_id, folder_path=folder, commit_message="first upload")
    return {"repo_id": repo_id, "files": files, "commit": info.oid, "commit_info": info}


@pytest.fixture
def cache(tmp_path):
    return str(tmp_path / "cache")


@pytest.fixture
def proxy():
    net = ProxyNet(constants.ENDPOINT)
    yield net
    net.close()


# ---------------------------------------------------------------------------------------------
# Environment sanity: the client really points at the server under test
# ---------------------------------------------------------------------------------------------


def test_client_uses_hf_endpoint(hub):
    assert constants.ENDPOINT == hub.endpoint
    assert constants.HF_HUB_DISABLE_XET


# ---------------------------------------------------------------------------------------------
# create_repo
# ---------------------------------------------------------------------------------------------


def test_create_repo(org_a, org_b):
    api = HfApi(token=org_a.admin_token)
    repo_id = f"{org_a.name}/{unique('created')}"
    url = api.create_repo(repo_id)
    assert url.repo_id == repo_id and url.repo_type == "model"
    assert url.endpoint == constants.ENDPOINT

    # exist_ok: the server answers 409 and the client reads the URL from that answer's JSON body
    again = api.create_repo(repo_id, exist_ok=True)
    assert again.repo_id == repo_id
    with pytest.raises(HfHubHTTPError) as err:
        api.create_repo(repo_id)
    assert err.value.response.status_code == 409

    info = api.model_info(repo_id)
    assert info.id == repo_id and info.private is False and info.sha  # an initial commit exists

    # another organisation cannot create in org_a's namespace
    with pytest.raises(HfHubHTTPError) as err:
        HfApi(token=org_b.admin_token).create_repo(f"{org_a.name}/{unique('intruder')}")
    assert err.value.response.status_code in (401, 403)

    # anonymous callers cannot create at all
    with pytest.raises(HfHubHTTPError) as err:
        HfApi(token=False).create_repo(f"{org_a.name}/{unique('anon')}")
    assert err.value.response.status_code in (401, 403)


def test_create_private_repo(org_a):
    api = HfApi(token=org_a.admin_token)
    repo_id = f"{org_a.name}/{unique('private')}"
    api.create_repo(repo_id, private=True)
    assert api.model_info(repo_id).private is True
    # members of the owner see it too
    assert HfApi(token=org_a.member_token).model_info(repo_id).private is True


# ---------------------------------------------------------------------------------------------
# upload_folder / upload_file / create_commit
# ---------------------------------------------------------------------------------------------


def test_upload_folder_small_and_large_files(published, org_a):
    api = HfApi(token=org_a.admin_token)
    repo_id, files = published["repo_id"], published["files"]
    assert published["commit_info"].repo_url.repo_id == repo_id
    assert len(published["commit"]) == 40

    info = api.model_info(repo_id, files_metadata=True)
    assert info.sha == published["commit"]
    siblings = {s.rfilename: s for s in info.siblings}
    assert set(files) <= set(siblings)
    for path, data in files.items():
        assert siblings[path].size == len(data)
    big = siblings["weights.bin"]
    assert big.lfs is not None and big.lfs.sha256 == hashlib.sha256(files["weights.bin"]).hexdigest()
    assert big.lfs.size == LARGE
    small = siblings["config.json"]
    assert small.lfs is None and small.blob_id == git_blob_sha1(files["config.json"])

    entries = {e.path: e for e in api.list_repo_tree(repo_id, recursive=True)}
    assert entries["weights.bin"].lfs.sha256 == hashlib.sha256(files["weights.bin"]).hexdigest()
    assert entries["config.json"].lfs is None
    assert entries["config.json"].blob_id == git_blob_sha1(files["config.json"])
    assert type(entries["tokenizer"]).__name__ == "RepoFolder"
    top = {e.path for e in api.list_repo_tree(repo_id)}
    assert "tokenizer" in top and "tokenizer/vocab.txt" not in top
    assert {e.path for e in api.list_repo_tree(repo_id, path_in_repo="tokenizer")} == {"tokenizer/vocab.txt"}


def test_upload_protocol_on_the_wire(org_a, proxy, tmp_path):
    """preupload -> LFS batch -> PUT (no auth) -> verify -> NDJSON commit, as recorded by the proxy."""
    repo_id = f"{org_a.name}/{unique('wire')}"
    api = HfApi(endpoint=proxy.entry.url, token=org_a.admin_token)
    api.create_repo(repo_id)
    big = os.urandom(2 * 1024 * 1024 + 7)
    write_tree(tmp_path, {"small.txt": b"hello\n", "big.bin": big})
    api.upload_folder(repo_id=repo_id, folder_path=tmp_path)

    pre = proxy.find("POST", f"/api/models/{repo_id}/preupload/main")
    assert pre and pre[0].status == 200
    batch = proxy.find("POST", f"/{repo_id}.git/info/lfs/objects/batch")
    assert batch and batch[0].status == 200
    assert batch[0].request_headers["accept"] == "application/vnd.git-lfs+json"
    assert batch[0].request_headers["authorization"] == f"Bearer {org_a.admin_token}"
    puts = proxy.find("PUT")
    assert puts, "the LFS object was not uploaded"
    for put in puts:
        assert "authorization" not in put.request_headers, "the client never sends its token to upload URLs"
        assert put.status == 200
    commit = proxy.find("POST", f"/api/models/{repo_id}/commit/main")
    assert commit and commit[0].status == 200
    assert commit[0].request_headers["content-type"] == "application/x-ndjson"

    path = hf_hub_download(repo_id, "big.bin", token=org_a.admin_token, cache_dir=str(tmp_path / "c"))
    assert open(path, "rb").read() == big


@pytest.fixture(scope="session")
def huge(org_a):
    """A 12 MB file uploaded with upload_file: bigger than the client's 10 MiB download chunk (see resume)."""
    api = HfApi(token=org_a.admin_token)
    repo_id = f"{org_a.name}/{unique('huge')}"
    api.create_repo(repo_id)
    data = os.urandom(12 * 1024 * 1024 + 5)
    api.upload_file(path_or_fileobj=data, path_in_repo="shards/model-00001.bin", repo_id=repo_id)
    return {"repo_id": repo_id, "path": "shards/model-00001.bin", "data": data}


def test_upload_file_multipart_sized(huge, tmp_path):
    """12 MB: the reference server asks for a multipart upload (chunk_size); any server must store it intact."""
    path = hf_hub_download(huge["repo_id"], huge["path"], cache_dir=str(tmp_path))
    assert hashlib.sha256(open(path, "rb").read()).digest() == hashlib.sha256(huge["data"]).digest()


def test_create_commit_update_and_delete(org_a, tmp_path):
    api = HfApi(token=org_a.admin_token)
    repo_id = f"{org_a.name}/{unique('commits')}"
    api.create_repo(repo_id)
    first = api.create_commit(repo_id, [CommitOperationAdd("a.txt", b"one"), CommitOperationAdd("dir/b.txt", b"two")],
                              commit_message="add")
    second = api.create_commit(repo_id, [CommitOperationAdd("a.txt", b"uno"), CommitOperationDelete("dir/")],
                               commit_message="update and delete", parent_commit=first.oid)
    assert second.oid != first.oid
    files = {e.path for e in api.list_repo_tree(repo_id, recursive=True) if type(e).__name__ == "RepoFile"}
    assert "a.txt" in files and "dir/b.txt" not in files
    assert open(hf_hub_download(repo_id, "a.txt", token=org_a.admin_token, cache_dir=str(tmp_path)), "rb").read() == b"uno"
    # the old commit stays readable
    old = hf_hub_download(repo_id, "dir/b.txt", revision=first.oid, token=org_a.admin_token, cache_dir=str(tmp_path))
    assert open(old, "rb").read() == b"two"
    # a stale parent commit is refused
    with pytest.raises(HfHubHTTPError):
        api.create_commit(repo_id, [CommitOperationAdd("c.txt", b"x")], commit_message="stale", parent_commit=first.oid)
    # deleting a file that does not exist is an EntryNotFound
    with pytest.raises(EntryNotFoundError):
        api.create_commit(repo_id, [CommitOperationDelete("nope.txt")], commit_message="bad delete")


def test_reupload_unchanged_folder_is_a_no_op(published, org_a, tmp_path):
    """preupload returns each existing file's oid (sha256 for LFS, git sha1 otherwise): nothing to commit."""
    write_tree(tmp_path, published["files"])
    info = HfApi(token=org_a.admin_token).upload_folder(repo_id=published["repo_id"], folder_path=tmp_path)
    assert info.oid == published["commit"]


def test_invalid_model_card_is_refused(org_a, tmp_path):
    api = HfApi(token=org_a.admin_token)
    repo_id = f"{org_a.name}/{unique('badcard')}"
    api.create_repo(repo_id)
    write_tree(tmp_path, {"README.md": b"---\nlicense: [unclosed\n---\n# card\n"})
    with pytest.raises(ValueError, match="Invalid metadata in README.md"):
        api.upload_folder(repo_id=repo_id, folder_path=tmp_path)


def test_member_without_write_scope_cannot_upload(hub, org_a, published):
    reader = hub.create_token(org_a.member, ("read",))
    with pytest.raises(HfHubHTTPError) as err:
        HfApi(token=reader).upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=published["repo_id"])
    assert err.value.response.status_code in (401, 403)


# ---------------------------------------------------------------------------------------------
# list_models / model_info / whoami
# ---------------------------------------------------------------------------------------------


def test_list_models(org_a, org_b, tmp_path):
    word = unique("findme")
    api_a, api_b = HfApi(token=org_a.admin_token), HfApi(token=org_b.admin_token)
    ids_a = [f"{org_a.name}/{word}-{i}" for i in range(3)]
    for repo_id in ids_a:
        api_a.create_repo(repo_id)
    api_a.upload_file(path_or_fileobj=README.encode(), path_in_repo="README.md", repo_id=ids_a[0])
    id_b = f"{org_b.name}/{word}-b"
    api_b.create_repo(id_b)
    hidden = f"{org_a.name}/{word}-hidden"
    api_a.create_repo(hidden, private=True)

    found = {m.id for m in api_b.list_models(search=word)}
    assert found == set(ids_a) | {id_b}, "search matches names; org_a's private repo stays hidden from org_b"
    assert {m.id for m in api_a.list_models(search=word)} == set(ids_a) | {id_b, hidden}
    assert {m.id for m in HfApi(token=False).list_models(search=word)} == set(ids_a) | {id_b}
    assert {m.id for m in api_b.list_models(author=org_b.name)} == {id_b}
    assert {m.id for m in api_b.list_models(search=word, filter="hub-test")} == {ids_a[0]}
    assert len(list(api_b.list_models(search=word, limit=2))) == 2
    assert {m.id for m in api_b.list_models(search=word, sort="downloads")} == set(ids_a) | {id_b}

    full = {m.id: m for m in api_b.list_models(search=word, full=True)}
    assert full[ids_a[0]].siblings is not None and {s.rfilename for s in full[ids_a[0]].siblings} >= {"README.md"}


def test_list_models_paging_with_link_header(org_a):
    """`limit` is the page size; more results are announced with `Link: <…>; rel="next"`."""
    api = HfApi(token=org_a.admin_token)
    word = unique("paged")
    ids = {f"{org_a.name}/{word}-{i}" for i in range(5)}
    for repo_id in ids:
        api.create_repo(repo_id)
    status, headers, body = raw("GET", f"{constants.ENDPOINT}/api/models?search={word}&limit=2", org_a.admin_token)
    assert status == 200 and len(json.loads(body)) == 2
    link = {k.lower(): v for k, v in headers.items()}.get("link", "")
    assert 'rel="next"' in link
    # the client's own pagination helper follows every page
    items = list(paginate(f"{constants.ENDPOINT}/api/models", params={"search": word, "limit": 2},
                          headers={"authorization": f"Bearer {org_a.admin_token}"}))
    assert {i["id"] for i in items} == ids and len(items) == 5


def test_model_info(published, org_b):
    api = HfApi(token=org_b.member_token)  # another organisation: a public repo is visible to all
    info = api.model_info(published["repo_id"])
    assert info.id == published["repo_id"]
    assert info.sha == published["commit"]
    assert info.private is False and info.gated is False
    assert {s.rfilename for s in info.siblings} >= set(published["files"])
    assert info.card_data is not None and info.card_data.license == "apache-2.0"
    assert "korean" in info.tags
    assert info.last_modified is not None and info.created_at is not None
    assert isinstance(info.downloads, int)
    assert info.author == published["repo_id"].split("/")[0]
    # by revision: a branch name and a commit id give the same answer
    assert api.model_info(published["repo_id"], revision="main").sha == published["commit"]
    assert api.model_info(published["repo_id"], revision=published["commit"]).sha == published["commit"]
    # anonymous too
    assert HfApi(token=False).model_info(published["repo_id"]).sha == published["commit"]


def test_whoami(org_a):
    me = HfApi(token=org_a.admin_token).whoami()
    assert me["name"] == org_a.admin
    assert org_a.name in {o["name"] for o in me["orgs"]}
    with pytest.raises(HfHubHTTPError):
        HfApi(token="nuri_not_a_real_token").whoami()


# ---------------------------------------------------------------------------------------------
# hf_hub_download
# ---------------------------------------------------------------------------------------------


def test_hf_hub_download(published, cache):
    repo_id, files, commit = published["repo_id"], published["files"], published["commit"]
    for name in ("config.json", "tokenizer/vocab.txt", "weights.bin"):
        path = hf_hub_download(repo_id, name, cache_dir=cache)
        assert open(path, "rb").read() == files[name]
        assert os.path.dirname(path).endswith(os.path.join("snapshots", commit, *name.split("/")[:-1]))
    storage = os.path.join(cache, f"models--{repo_id.replace('/', '--')}")
    assert open(os.path.join(storage, "refs", "main")).read() == commit
    blobs = set(os.listdir(os.path.join(storage, "blobs")))
    # the ETag names the cached blob: the SHA-256 for the LFS file; a 64-hex ETag must always be the SHA-256
    assert hashlib.sha256(files["weights.bin"]).hexdigest() in blobs
    for blob in blobs:
        assert len(blob) in (40, 64)
    # a second call is served from the cache (HEAD only, same path)
    assert hf_hub_download(repo_id, "config.json", cache_dir=cache) == \
        os.path.join(storage, "snapshots", commit, "config.json")
    # local_dir mode
    local = hf_hub_download(repo_id, "weights.bin", local_dir=os.path.join(cache, "..", "local"))
    assert open(local, "rb").read() == files["weights.bin"]


def test_download_headers_on_the_wire(published, org_a, proxy, cache):
    """HEAD /resolve carries the token; a download from another origin (signed blob URL) never does."""
    repo_id, files = published["repo_id"], published["files"]
    for name in ("config.json", "weights.bin"):
        hf_hub_download(repo_id, name, token=org_a.admin_token, cache_dir=cache, endpoint=proxy.entry.url)
    heads = proxy.find("HEAD", f"/{repo_id}/resolve/main/")
    assert len(heads) >= 2
    for head in heads:
        assert head.request_headers.get("authorization") == f"Bearer {org_a.admin_token}"
        assert head.request_headers.get("accept-encoding") == "identity"
        h = head.response_headers
        assert "x-repo-commit" in h
        if 300 <= head.status < 400:
            assert "x-linked-etag" in h and "x-linked-size" in h
    for get in proxy.find("GET"):
        if get.origin != proxy.entry.origin:
            assert "authorization" not in get.request_headers, "the token leaked to another origin"


def test_range_requests(published, org_a):
    """The resolve endpoint (or the blob URL it redirects to) answers Range with 206 / Content-Range."""
    repo_id, data = published["repo_id"], published["files"]["weights.bin"]
    url = f"{constants.ENDPOINT}/{repo_id}/resolve/main/weights.bin"
    status, headers, _ = raw("HEAD", url, org_a.admin_token)
    headers = {k.lower(): v for k, v in headers.items()}
    assert headers.get("x-repo-commit") == published["commit"]
    if 300 <= status < 400:
        assert int(headers["x-linked-size"]) == len(data)
        assert headers["x-linked-etag"].strip('"') == hashlib.sha256(data).hexdigest()
        url = headers["location"] if "://" in headers["location"] else constants.ENDPOINT + headers["location"]
        token = None
    else:
        assert status == 200 and int(headers["content-length"]) == len(data)
        token = org_a.admin_token
    status, headers, body = raw("GET", url, token, {"Range": "bytes=1000-"})
    assert status == 206 and body == data[1000:]
    assert {k.lower(): v for k, v in headers.items()}["content-range"] == f"bytes 1000-{len(data) - 1}/{len(data)}"
    status, _, body = raw("GET", url, token, {"Range": "bytes=10-19"})
    assert status == 206 and body == data[10:20]
    status, headers, _ = raw("GET", url, token, {"Range": f"bytes={len(data) + 10}-"})
    assert status == 416


def test_resumed_download(huge, cache):
    """The connection drops mid-file; the client resumes with `Range: bytes=N-` and gets a 206.

    huggingface_hub 2.x resumes only inside one `hf_hub_download` call, after a network error
    (httpx ConnectError / TimeoutException / RemoteProtocolError), and only from what it has written:
    it writes in `constants.DOWNLOAD_CHUNK_SIZE` (10 MiB) pieces, so N is a multiple of 10 MiB.
    It no longer resumes from a `.incomplete` file left by another process (each download writes to
    a process-unique temporary file, deleted on failure).
    """
    data = huge["data"]
    cut = 11 * 1024 * 1024
    resume_at = cut // constants.DOWNLOAD_CHUNK_SIZE * constants.DOWNLOAD_CHUNK_SIZE
    assert 0 < resume_at < len(data)
    state = {"done": False}

    def fault(rec):
        length = int(rec.response_headers.get("content-length", -1))
        if rec.method == "GET" and rec.status == 200 and length == len(data) and not state["done"]:
            state["done"] = True
            return cut
        return None

    net = ProxyNet(constants.ENDPOINT, fault=fault)
    try:
        path = hf_hub_download(huge["repo_id"], huge["path"], cache_dir=cache, endpoint=net.entry.url)
        assert hashlib.sha256(open(path, "rb").read()).digest() == hashlib.sha256(data).digest()
        gets = [r for r in net.records if r.method == "GET" and r.status in (200, 206)]
        assert gets[0].cut and gets[0].body_sent == cut
        resumed = gets[1]
        assert resumed.request_headers.get("range") == f"bytes={resume_at}-"
        assert resumed.status == 206
        assert resumed.response_headers["content-range"] == f"bytes {resume_at}-{len(data) - 1}/{len(data)}"
        assert int(resumed.response_headers["content-length"]) == len(data) - resume_at
        assert not resumed.cut
    finally:
        net.close()


def test_stale_incomplete_file_does_not_corrupt_the_download(published, cache):
    """A partial `<etag>.incomplete` left in the cache by an older client is ignored, never appended to."""
    repo_id, data = published["repo_id"], published["files"]["weights.bin"]
    etag = hashlib.sha256(data).hexdigest()
    blobs = os.path.join(cache, f"models--{repo_id.replace('/', '--')}", "blobs")
    os.makedirs(blobs)
    with open(os.path.join(blobs, f"{etag}.incomplete"), "wb") as f:
        f.write(b"\0" * 4096)
    path = hf_hub_download(repo_id, "weights.bin", cache_dir=cache)
    assert open(path, "rb").read() == data


# ---------------------------------------------------------------------------------------------
# snapshot_download
# ---------------------------------------------------------------------------------------------


def test_snapshot_download(published, cache, tmp_path):
    repo_id, files, commit = published["repo_id"], published["files"], published["commit"]
    folder = snapshot_download(repo_id, cache_dir=cache)
    assert folder.endswith(os.path.join("snapshots", commit))
    for name, data in files.items():
        assert open(os.path.join(folder, *name.split("/")), "rb").read() == data
    # patterns, a pinned commit (no repo_info call needed), and local_dir
    only = snapshot_download(repo_id, cache_dir=str(tmp_path / "c2"), allow_patterns=["*.json"], revision=commit)
    assert sorted(os.listdir(only)) == ["config.json"]
    local = snapshot_download(repo_id, local_dir=str(tmp_path / "local"))
    assert open(os.path.join(local, "tokenizer", "vocab.txt"), "rb").read() == files["tokenizer/vocab.txt"]


# ---------------------------------------------------------------------------------------------
# Access: gated and private repositories
# ---------------------------------------------------------------------------------------------


def test_gated_repo_before_and_after_approval(hub, org_a, org_b, tmp_path):
    api_a = HfApi(token=org_a.admin_token)
    repo_id = f"{org_a.name}/{unique('gated')}"
    api_a.create_repo(repo_id)
    api_a.upload_file(path_or_fileobj=b"secret weights", path_in_repo="model.bin", repo_id=repo_id)
    hub.make_gated(repo_id, org_a.admin_token)

    # metadata stays visible, the files do not
    info = HfApi(token=org_b.member_token).model_info(repo_id)
    assert info.gated in ("manual", "auto")
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo_id, "model.bin", token=org_b.member_token, cache_dir=str(tmp_path / "1"))
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo_id, "model.bin", token=False, cache_dir=str(tmp_path / "2"))
    with pytest.raises(GatedRepoError):
        snapshot_download(repo_id, token=org_b.member_token, cache_dir=str(tmp_path / "3"))
    # the owner's members are never gated
    assert open(hf_hub_download(repo_id, "model.bin", token=org_a.member_token, cache_dir=str(tmp_path / "4")),
                "rb").read() == b"secret weights"

    hub.request_access(repo_id, org_b.member_token, reason="evaluation for a public service")
    with pytest.raises(GatedRepoError):  # pending is not granted
        hf_hub_download(repo_id, "model.bin", token=org_b.member_token, cache_dir=str(tmp_path / "5"))

    hub.approve_access(repo_id, org_b.member, org_a.admin_token)
    path = hf_hub_download(repo_id, "model.bin", token=org_b.member_token, cache_dir=str(tmp_path / "6"))
    assert open(path, "rb").read() == b"secret weights"
    assert os.listdir(snapshot_download(repo_id, token=org_b.member_token, cache_dir=str(tmp_path / "7"))) == ["model.bin"]
    # the grant is personal: org_b's admin is still gated
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo_id, "model.bin", token=org_b.admin_token, cache_dir=str(tmp_path / "8"))


def test_private_repo_of_another_org_is_not_found(org_a, org_b, tmp_path):
    api_a = HfApi(token=org_a.admin_token)
    repo_id = f"{org_a.name}/{unique('secret')}"
    api_a.create_repo(repo_id, private=True)
    api_a.upload_file(path_or_fileobj=b"private", path_in_repo="model.bin", repo_id=repo_id)
    missing = f"{org_a.name}/{unique('never-created')}"

    for token in (org_b.admin_token, False):
        api = HfApi(token=token)
        for target in (repo_id, missing):
            with pytest.raises(RepositoryNotFoundError) as err:
                api.model_info(target)
            assert not isinstance(err.value, GatedRepoError)
            assert err.value.response.status_code == 404  # the same answer as for a repo that does not exist
            with pytest.raises(RepositoryNotFoundError):
                hf_hub_download(target, "model.bin", token=token, cache_dir=str(tmp_path / "d"))
            with pytest.raises(RepositoryNotFoundError):
                snapshot_download(target, token=token, cache_dir=str(tmp_path / "s"))
            with pytest.raises(RepositoryNotFoundError):
                list(api.list_repo_tree(target))
        assert repo_id not in {m.id for m in api.list_models(author=org_a.name)}
    # nor can org_b write into it
    with pytest.raises(RepositoryNotFoundError):
        HfApi(token=org_b.admin_token).upload_file(path_or_fileobj=b"x", path_in_repo="x", repo_id=repo_id)
    # the owner sees it
    assert open(hf_hub_download(repo_id, "model.bin", token=org_a.member_token, cache_dir=str(tmp_path / "o")),
                "rb").read() == b"private"


# ---------------------------------------------------------------------------------------------
# Missing revisions and files
# ---------------------------------------------------------------------------------------------


def test_missing_revision(published, cache):
    repo_id = published["repo_id"]
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(repo_id, "config.json", revision="no-such-branch", cache_dir=cache)
    with pytest.raises(RevisionNotFoundError):
        HfApi().model_info(repo_id, revision="no-such-branch")
    with pytest.raises(RevisionNotFoundError):
        snapshot_download(repo_id, revision="no-such-branch", cache_dir=cache)
    with pytest.raises(RevisionNotFoundError):
        list(HfApi().list_repo_tree(repo_id, revision="0" * 40))


def test_missing_file(published, cache):
    repo_id = published["repo_id"]
    with pytest.raises(RemoteEntryNotFoundError) as err:
        hf_hub_download(repo_id, "no/such/file.txt", cache_dir=cache)
    assert isinstance(err.value, EntryNotFoundError)
    assert err.value.response.status_code == 404
    assert not HfApi().file_exists(repo_id, "no/such/file.txt")
    assert HfApi().file_exists(repo_id, "config.json")


def test_missing_file_is_remembered_per_commit(published, cache):
    """With X-Repo-Commit on the 404, the client caches the absence under .no_exist/<commit>/."""
    repo_id = published["repo_id"]
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download(repo_id, "absent.txt", cache_dir=cache)
    marker = os.path.join(cache, f"models--{repo_id.replace('/', '--')}", ".no_exist", published["commit"], "absent.txt")
    assert os.path.exists(marker)
