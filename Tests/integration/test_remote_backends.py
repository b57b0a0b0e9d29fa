"""A Nuri gateway in front of two other Nuri processes (the upstream replicas of a remote model),
with the real openai client; one replica is killed mid-test to show failover."""
import tempfile

import openai
import pytest

from conftest import MODEL, run, start, stop


@pytest.fixture(scope="module")
def cluster():
    upstream_dir = tempfile.mkdtemp(prefix="nuri-upstream-")
    upstream_key = run("admin", "init", data_dir=upstream_dir)
    replicas = [start(upstream_dir, "--model", f"smollm2={MODEL}", "--threads", "1") for _ in range(2)]
    gateway_dir = tempfile.mkdtemp(prefix="nuri-gateway-")
    token = run("admin", "init", data_dir=gateway_dir)
    spec = ";".join(["name=remote-smol"] + [f"url={base}/v1" for _, base in replicas]
                    + ["model=smollm2", "key-env=UPSTREAM_KEY", "jurisdiction=KR", "relationship=entrusted"])
    gateway, base = start(gateway_dir, "--remote", spec, env={"UPSTREAM_KEY": upstream_key})
    yield {"client": openai.OpenAI(base_url=base + "/v1", api_key=token, max_retries=0), "replicas": replicas}
    stop(gateway)
    for process, _ in replicas:
        if process.poll() is None:
            stop(process)


def ask(client, stream=False):
    messages = [{"role": "user", "content": "What is the capital of South Korea?"}]
    if stream:
        chunks = list(client.chat.completions.create(model="remote-smol", messages=messages, temperature=0, max_tokens=20,
                                                     stream=True, stream_options={"include_usage": True}))
        return chunks
    return client.chat.completions.create(model="remote-smol", messages=messages, temperature=0, max_tokens=20)


def test_remote_model_is_listed_and_answers_under_its_own_name(cluster):
    client = cluster["client"]
    assert [m.id for m in client.models.list().data] == ["remote-smol"]
    reply = ask(client)
    assert "Seoul" in reply.choices[0].message.content
    assert reply.model == "remote-smol"
    assert reply.usage.completion_tokens > 0


def test_remote_stream_passes_through_with_usage(cluster):
    chunks = ask(cluster["client"], stream=True)
    assert "Seoul" in "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert all(c.model == "remote-smol" for c in chunks)
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0


def test_failover_when_a_replica_dies(cluster):
    client = cluster["client"]
    process, _ = cluster["replicas"][0]
    process.kill()
    process.wait()
    # Every request still succeeds: the dead replica is skipped, in turn and after.
    for _ in range(4):
        assert "Seoul" in ask(client).choices[0].message.content
