"""The README's examples, run as written against a live server (only the address and the token
are substituted), so the user's manual cannot drift from what Nuri does."""
import contextlib
import io
import os
import re
import subprocess

from conftest import ROOT

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def localise(text, server):
    return text.replace("http://127.0.0.1:8080", server["root"])


def test_python_example_runs(server):
    code = next(b for b in blocks("python") if "OpenAI(" in b)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(localise(code, server), {"NURI_TOKEN": server["token"]})
    assert "Seoul" in output.getvalue()


def test_curl_examples_of_the_openai_api_run(server):
    commands = [c for b in blocks("sh") for c in re.split(r"\n(?=curl )", b.replace("\\\n", " ")) if c.startswith("curl") and "/v1/" in c]
    assert len(commands) >= 3
    for command in commands:
        result = subprocess.run(["bash", "-c", "set -o pipefail; " + localise(command.strip(), server) + " --fail-with-body -sS"],
                                capture_output=True, text=True, env={**os.environ, "NURI_TOKEN": server["token"]})
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        assert result.stdout.strip(), command


def test_curl_examples_of_the_guard_run(server):
    """The consent, rule and audit examples, against an organisation made as the README's
    administration section makes one."""
    subprocess.run([os.path.join(ROOT, ".build", "debug", "nuri"), "admin", "org", "create", "seoul-clinic", "--sector", "public",
                    "--data-dir", server["data_dir"]], capture_output=True)
    commands = [c for b in blocks("sh") for c in re.split(r"\n(?=curl )", b) if c.startswith("curl") and ("/api/consents" in c
                or "/api/guard" in c or "/api/audit" in c or "/api/data-subjects" in c)]
    assert len(commands) == 4
    for command in commands:
        result = subprocess.run(["bash", "-c", localise(command.strip(), server) + " --fail-with-body -sS"],
                                capture_output=True, text=True, env={**os.environ, "NURI_TOKEN": server["token"]})
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert '"intact":true' in result.stdout.replace(" ", "")


def admin(server, *args):
    from conftest import nuri_binary
    subprocess.run([nuri_binary(), "admin", *args, "--data-dir", server["data_dir"]], check=True, capture_output=True, text=True)


def test_curl_examples_of_the_limits_api_run(server):
    import json
    import textwrap
    admin(server, "org", "create", "kaist", "--sector", "academic")
    commands = [c for b in blocks("sh") for c in re.split(r"\n(?=curl )", textwrap.dedent(b).replace("\\\n", " "))
                if c.startswith("curl") and "/api/limits" in c]
    assert len(commands) >= 4
    outputs = []
    for command in commands:
        result = subprocess.run(["bash", "-c", "set -o pipefail; " + localise(command.strip(), server) + " --fail-with-body -sS"],
                                capture_output=True, text=True, env={**os.environ, "NURI_TOKEN": server["token"]})
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        outputs.append(result.stdout)
    # The PUT sets what the GETs show; the DELETE (last) leaves kaist unlimited.
    assert json.loads(outputs[0])["requests_per_minute"] == 60
    assert any(entry.get("organisation") == "kaist" for entry in json.loads(outputs[1])["data"])
    assert json.loads(outputs[2])["token_budget"] == 5000000


def test_config_file_example_is_accepted(tmp_path):
    import textwrap
    from conftest import nuri_binary
    example = next(b for b in blocks("yaml") if "remotes:" in b)
    path = tmp_path / "nuri.yaml"
    path.write_text(textwrap.dedent(example))
    result = subprocess.run([nuri_binary(), "serve", "--config", str(path), "--print-config"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'organisations: ["seoul-city", "kaist"]' in result.stdout
    assert 'urls: ["http://gpu1:8000/v1", "http://gpu2:8000/v1"]' in result.stdout


def test_compute_simulation_examples_run(tmp_path):
    """The scheduling-policy section: its policy file as written, then each `nuri compute simulate`
    line (but the trace replay: the trace stays in ../shared, it is not the repository's)."""
    import shlex
    import textwrap
    from conftest import nuri_binary
    policy = next(b for b in blocks("yaml") if "preemption:" in b and "organisations:" in b)
    (tmp_path / "fairer.yaml").write_text(textwrap.dedent(policy))
    commands = [line for b in blocks("sh") for line in b.splitlines()
                if line.startswith("nuri compute simulate") and "--trace" not in line]
    assert len(commands) >= 2
    for command in commands:
        result = subprocess.run([nuri_binary(), *shlex.split(command)[1:]], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        for words in ("utilisation", "queueing delay", "Jain's fairness index", "national_team"):
            assert words in result.stdout, f"{command}: no {words!r}"
    assert (tmp_path / "sim" / "report.html").exists()
