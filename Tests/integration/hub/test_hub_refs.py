"""Branches, tags and history through the real client (create_branch, create_tag, list_repo_refs,
list_repo_commits), and downloads by tag and branch."""
from __future__ import annotations

import secrets

import pytest
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError


def test_branches_tags_and_history(org_a, org_b, tmp_path):
    api = HfApi(token=org_a.admin_token)
    repo_id = f"{org_a.name}/refs-{secrets.token_hex(3)}"
    api.create_repo(repo_id)
    first = api.create_commit(repo_id, [CommitOperationAdd("v.txt", b"1")], commit_message="one")
    api.create_tag(repo_id, tag="v1", tag_message="first release")
    api.create_branch(repo_id, branch="dev")
    api.create_commit(repo_id, [CommitOperationAdd("v.txt", b"2")], commit_message="two", revision="dev")
    with pytest.raises(HfHubHTTPError) as err:
        api.create_tag(repo_id, tag="v1")
    assert err.value.response.status_code == 409
    api.create_branch(repo_id, branch="dev", exist_ok=True)
    with pytest.raises(HfHubHTTPError):  # another organisation may read a public repository, not tag it
        HfApi(token=org_b.admin_token).create_tag(repo_id, tag="theirs")

    refs = api.list_repo_refs(repo_id)
    assert {b.name for b in refs.branches} == {"main", "dev"}
    assert [(t.name, t.ref, t.target_commit) for t in refs.tags] == [("v1", "refs/tags/v1", first.oid)]
    assert [c.title for c in api.list_repo_commits(repo_id)] == ["one", "initial commit"]
    dev = api.list_repo_commits(repo_id, revision="dev")
    assert [c.title for c in dev] == ["two", "one", "initial commit"] and dev[0].authors == [org_a.admin]

    read = lambda rev: open(hf_hub_download(repo_id, "v.txt", revision=rev, cache_dir=str(tmp_path / rev)), "rb").read()
    assert (read("main"), read("v1"), read("dev")) == (b"1", b"1", b"2")
