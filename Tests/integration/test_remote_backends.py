"""A Nuri gateway in front of two other Nuri processes (the upstream replicas of a remote model),
with the real openai client; one replica is killed mid-test to show failover."""
import json
import os
import socket
import sqlite3
import tempfile
import threading
import time
import urllib.request

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
    yield {"client": openai.OpenAI(base_url=base + "/v1", api_key=token, max_retries=0), "replicas": replicas,
           "base": base, "token": token, "data_dir": gateway_dir}
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


def test_a_remote_stream_is_metered_even_when_the_client_did_not_ask_for_usage(cluster):
    # The gateway asks the upstream for usage on every stream; the client sees it only if it asked.
    messages = [{"role": "user", "content": "What is the capital of South Korea?"}]
    chunks = list(cluster["client"].chat.completions.create(model="remote-smol", messages=messages, temperature=0,
                                                            max_tokens=20, stream=True))
    assert all(c.choices and c.usage is None for c in chunks)
    assert "Seoul" in "".join(c.choices[0].delta.content or "" for c in chunks)
    request = urllib.request.Request(cluster["base"] + "/api/usage", headers={"Authorization": "Bearer " + cluster["token"]})
    json.loads(urllib.request.urlopen(request).read())
    with sqlite3.connect(os.path.join(cluster["data_dir"], "nuri.sqlite")) as db:
        status, prompt, completion = db.execute(
            "SELECT status, prompt_tokens, completion_tokens FROM usage_records ORDER BY id DESC LIMIT 1").fetchone()
    assert status == 200 and prompt > 0 and 0 < completion <= 20


def test_remote_completions_stream_through_and_are_metered(cluster):
    client = cluster["client"]
    kwargs = dict(model="remote-smol", prompt="The capital of South Korea is", max_tokens=8, temperature=0)
    whole = client.completions.create(**kwargs)
    assert whole.model == "remote-smol" and "Seoul" in whole.choices[0].text
    chunks = list(client.completions.create(**kwargs, stream=True, stream_options={"include_usage": True}))
    assert all(c.model == "remote-smol" and c.object == "text_completion" for c in chunks)
    assert "".join(c.choices[0].text for c in chunks if c.choices) == whole.choices[0].text
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    # Without include_usage the client gets no usage chunk, and the request is metered all the same.
    quiet = list(client.completions.create(**kwargs, stream=True))
    assert all(c.choices and c.usage is None for c in quiet)
    request = urllib.request.Request(cluster["base"] + "/api/usage", headers={"Authorization": "Bearer " + cluster["token"]})
    json.loads(urllib.request.urlopen(request).read())  # writes what is queued
    with sqlite3.connect(os.path.join(cluster["data_dir"], "nuri.sqlite")) as db:
        endpoint, status, completion = db.execute(
            "SELECT endpoint, status, completion_tokens FROM usage_records ORDER BY id DESC LIMIT 1").fetchone()
    assert (endpoint, status, completion) == ("completions", 200, whole.usage.completion_tokens)


def test_a_remote_chat_stream_of_several_choices_is_refused(cluster):
    # The relay screens a stream's one choice; several would reach the client unscreened.
    with pytest.raises(openai.BadRequestError) as refused:
        list(cluster["client"].chat.completions.create(model="remote-smol", messages=[{"role": "user", "content": "Hi"}],
                                                       max_tokens=4, n=2, stream=True))
    assert refused.value.body["param"] == "n"


def failed_statuses(base, token, data_dir):
    """The statuses of the failed requests a gateway metered (GET /api/usage writes what is queued)."""
    request = urllib.request.Request(base + "/api/usage", headers={"Authorization": "Bearer " + token})
    json.loads(urllib.request.urlopen(request).read())
    with sqlite3.connect(os.path.join(data_dir, "nuri.sqlite")) as db:
        return sorted(status for (status,) in db.execute("SELECT status FROM usage_records WHERE status >= 400"))


def eventually(condition, seconds=10):
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.1)
    return condition()


def test_a_client_that_leaves_a_remote_stream_is_recorded_as_499(cluster):
    """The client closes a remote stream after three chunks: the gateway closes its upstream
    exchange and records the request as 499 (the client closed it), not as an upstream failure."""
    messages = [{"role": "user", "content": "Count from 1 to 500, one number per line."}]
    stream = cluster["client"].chat.completions.create(model="remote-smol", messages=messages, max_tokens=400,
                                                       temperature=0, stream=True)
    for _, _chunk in zip(range(3), stream):
        pass
    stream.close()
    assert eventually(lambda: failed_statuses(cluster["base"], cluster["token"], cluster["data_dir"]) == [499])


def test_a_client_that_gives_up_before_the_answer_is_recorded_as_499():
    """An upstream that takes a connection and never answers; the client gives up after 0.5 s.
    The gateway records 499 (before, the cancelled exchange counted as the replica's failure:
    502, the replica marked down, and the request sent on to the next replica)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # never accepted: connections complete, and nothing ever answers
    data_dir = tempfile.mkdtemp(prefix="nuri-gateway-")
    token = run("admin", "init", data_dir=data_dir)
    gateway, base = start(data_dir, "--remote", f"name=slow;url=http://127.0.0.1:{silent.getsockname()[1]}/v1;model=slow;"
                                                "jurisdiction=KR;relationship=in_house")
    try:
        impatient = openai.OpenAI(base_url=base + "/v1", api_key=token, max_retries=0, timeout=0.5)
        with pytest.raises(openai.APITimeoutError):
            impatient.chat.completions.create(model="slow", messages=[{"role": "user", "content": "Hi"}])
        assert eventually(lambda: failed_statuses(base, token, data_dir) == [499])
    finally:
        stop(gateway)
        silent.close()


class LingeringUpstream(threading.Thread):
    """An OpenAI-style upstream whose streams send `[DONE]`, then keep the body open for
    `linger` seconds before its last chunk, as a slow proxy in front of a model might."""

    def __init__(self, linger):
        super().__init__(daemon=True)
        self.linger, self.listener = linger, socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]

    def run(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection):
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            head, body = data.split(b"\r\n\r\n", 1)
            if head.startswith(b"GET"):  # the gateway's health check
                models = json.dumps({"object": "list", "data": [{"id": "up", "object": "model", "created": 1, "owned_by": "test"}]})
                connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(models)}\r\n"
                                   f"Connection: close\r\n\r\n{models}".encode())
                return
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
            while len(body) < length:
                body += connection.recv(65536)
            chunk = lambda delta, finish=None, **extra: {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "up",
                                                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            events = [chunk({"role": "assistant", "content": ""}), chunk({"content": "Seoul"}), chunk({}, "stop"),
                      {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "up", "choices": [],
                       "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}}]
            text = "".join(f"data: {json.dumps(event)}\n\n" for event in events) + "data: [DONE]\n\n"
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                               + f"{len(text):x}\r\n{text}\r\n".encode())
            time.sleep(self.linger)
            try:
                connection.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the gateway has gone


def test_a_stream_ends_for_the_client_at_done_not_when_the_upstream_closes_its_body():
    # The whole HTTP answer, read to its end as any HTTP client does (the openai client stops
    # reading at [DONE] itself): it must not wait for the upstream's body to end.
    upstream = LingeringUpstream(linger=3)
    upstream.start()
    data_dir = tempfile.mkdtemp(prefix="nuri-gateway-")
    token = run("admin", "init", data_dir=data_dir)
    gateway, base = start(data_dir, "--remote", f"name=lingering;url=http://127.0.0.1:{upstream.port}/v1;model=up;"
                                                "jurisdiction=KR;relationship=in_house")
    try:
        body = json.dumps({"model": "lingering", "messages": [{"role": "user", "content": "Capital?"}], "stream": True,
                           "stream_options": {"include_usage": True}}).encode()
        request = urllib.request.Request(base + "/v1/chat/completions", data=body,
                                         headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
        assert time.monotonic() - started < 2
        events = [line.removeprefix("data: ") for line in text.split("\n\n") if line]
        assert events[-1] == "[DONE]"
        chunks = [json.loads(event) for event in events[:-1]]
        assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == "Seoul"
        assert all(c["model"] == "lingering" for c in chunks)
        assert chunks[-1]["usage"]["completion_tokens"] == 2
    finally:
        stop(gateway)
        upstream.listener.close()


def test_failover_when_a_replica_dies(cluster):
    client = cluster["client"]
    process, _ = cluster["replicas"][0]
    process.kill()
    process.wait()
    # Every request still succeeds: the dead replica is skipped, in turn and after.
    for _ in range(4):
        assert "Seoul" in ask(client).choices[0].message.content
