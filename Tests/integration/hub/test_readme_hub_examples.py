"""The README's hub examples (Python, curl and `nuri`), run as written against the hub server
(only the address and the token are substituted), so the manual cannot drift from what Nuri does."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from .nuriserver import ROOT, nuri_binary

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
SECTION = README[README.index("### Share models: the hub"):README.index("### Find and mask Korean personal data")]


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", SECTION, re.S)


def test_readme_hub_examples(hub, tmp_path):
    hub.create_org("seoul-city", "public")
    hub.create_org("kaist", "academic")
    hub.create_user("readme-admin", "seoul-city", "admin")
    token = hub.create_token("readme-admin", ("read", "write"))
    folder = tmp_path / "traffic-llm"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: apache-2.0\nlanguage: [ko]\ntags: [traffic]\n---\n# Traffic LLM\n")
    (folder / "config.json").write_text('{"architectures": ["LlamaForCausalLM"]}\n')
    (folder / "model.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + os.urandom(2 * 1024 * 1024))
    env = {**os.environ, "NURI_TOKEN": token, "NURI_URL": hub.endpoint, "HF_HOME": str(tmp_path / "hf-home"),
           "PATH": os.path.dirname(nuri_binary()) + os.pathsep + os.environ["PATH"]}

    # Python: in a fresh interpreter, since the example sets HF_ENDPOINT before importing the client.
    (python,) = blocks("python")
    code = f"NURI_TOKEN = {token!r}\n" + python.replace("http://127.0.0.1:8080", hub.endpoint)
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"[0-9a-f]{40}", lines[0])
    assert lines[1] == "['README.md', 'config.json', 'model.gguf']"

    sh = blocks("sh")
    curls = [c for c in re.split(r"\n(?=curl )", sh[0].strip()) if c.startswith("curl")]
    assert len(curls) == 6
    for command in curls:
        result = subprocess.run(["bash", "-c", command.replace("http://127.0.0.1:8080", hub.endpoint) + " --fail-with-body -sS"],
                                cwd=tmp_path, capture_output=True, text=True, env=env)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert (tmp_path / "config.json").read_bytes() == (folder / "config.json").read_bytes()
    assert (tmp_path / "head.bin").read_bytes() == (folder / "model.gguf").read_bytes()[:100]

    # `nuri` as a user runs it, in the same folder.
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", sh[1]], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Nothing to push" in result.stdout and "1 downloaded" not in result.stdout
    assert sorted(os.listdir(tmp_path / "traffic-llm-copy")) == ["README.md", "config.json", "model.gguf"]
    assert "seoul-city/traffic-llm" in result.stdout and "now sectors" in result.stdout and "kaist" in result.stdout
