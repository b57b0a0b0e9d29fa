"""Datasets go through the same machinery as models: their URLs carry `datasets/`."""
from __future__ import annotations

import os
import secrets

from huggingface_hub import HfApi, hf_hub_download, snapshot_download


def test_dataset_round_trip(org_a, tmp_path):
    api = HfApi(token=org_a.admin_token)
    repo_id = f"{org_a.name}/corpus-{secrets.token_hex(3)}"
    url = api.create_repo(repo_id, repo_type="dataset", private=True)
    assert url.repo_type == "dataset" and url.repo_id == repo_id
    big = os.urandom(2 * 1024 * 1024)
    folder = tmp_path / "data"
    (folder / "train").mkdir(parents=True)
    (folder / "train" / "part-0.parquet").write_bytes(big)
    (folder / "README.md").write_text("---\nlicense: cc-by-sa-4.0\nlanguage: [ko]\n---\n# corpus\n")
    api.upload_folder(repo_id=repo_id, repo_type="dataset", folder_path=folder)

    info = api.dataset_info(repo_id)
    assert info.id == repo_id and info.private is True
    assert {s.rfilename for s in info.siblings} == {"README.md", "train/part-0.parquet"}
    path = hf_hub_download(repo_id, "train/part-0.parquet", repo_type="dataset", token=org_a.member_token, cache_dir=str(tmp_path / "c"))
    assert open(path, "rb").read() == big
    local = snapshot_download(repo_id, repo_type="dataset", token=org_a.member_token, local_dir=str(tmp_path / "l"))
    assert open(os.path.join(local, "README.md")).read().startswith("---\nlicense: cc-by-sa-4.0")
    # a model of the same name does not exist: the kinds are separate
    assert repo_id not in {m.id for m in api.list_models(author=org_a.name)}
    assert repo_id in {d.id for d in api.list_datasets(author=org_a.name)}
