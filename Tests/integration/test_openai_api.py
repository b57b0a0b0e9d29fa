"""The real `openai` Python client against a running Nuri serving the real SmolLM2 model."""
import json
import os
import sqlite3
import time
import urllib.request

import openai
import pytest


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=server["base_url"], api_key=server["token"], max_retries=0)


def test_models_are_listed(client):
    models = client.models.list()
    assert [m.id for m in models.data] == ["smollm2"]
    assert models.data[0].object == "model"


def test_chat_answers(client):
    reply = client.chat.completions.create(
        model="smollm2", messages=[{"role": "user", "content": "What is the capital of South Korea?"}],
        temperature=0, max_tokens=30)
    assert "Seoul" in reply.choices[0].message.content
    assert reply.choices[0].message.role == "assistant"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens > 0
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


def test_chat_streams_with_usage(client):
    stream = client.chat.completions.create(
        model="smollm2", messages=[{"role": "user", "content": "What is the capital of South Korea?"}],
        temperature=0, max_tokens=30, stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "Seoul" in content
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert all(c.object == "chat.completion.chunk" for c in chunks)


def test_streamed_and_whole_answers_agree(client):
    messages = [{"role": "user", "content": "Name a fruit."}]
    whole = client.chat.completions.create(model="smollm2", messages=messages, temperature=0, max_tokens=20)
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="smollm2", messages=messages, temperature=0, max_tokens=20, stream=True) if c.choices)
    assert streamed == whole.choices[0].message.content


def test_seed_reproduces_sampling(client):
    def sample(seed):
        return client.chat.completions.create(
            model="smollm2", messages=[{"role": "user", "content": "Tell me a short story."}],
            temperature=1.0, max_tokens=24, seed=seed).choices[0].message.content
    assert sample(42) == sample(42)
    assert len({sample(1), sample(2), sample(3)}) > 1


def test_completions_echo_and_logprobs(client):
    result = client.completions.create(model="smollm2", prompt="The capital of South Korea is",
                                       max_tokens=2, temperature=0, echo=True, logprobs=1)
    choice = result.choices[0]
    assert choice.text.startswith("The capital of South Korea is Seoul")
    lp = choice.logprobs
    assert lp.tokens[:6] == ["The", " capital", " of", " South", " Korea", " is"]
    assert lp.token_logprobs[0] is None and all(x <= 0 for x in lp.token_logprobs[1:])
    assert lp.text_offset[:3] == [0, 3, 11]
    assert len(lp.tokens) == len(lp.token_logprobs) == len(lp.top_logprobs) == 8


def test_completions_stream_what_the_whole_answer_says(client):
    kwargs = dict(model="smollm2", prompt="The capital of South Korea is", max_tokens=8, temperature=0)
    whole = client.completions.create(**kwargs)
    chunks = list(client.completions.create(**kwargs, stream=True, stream_options={"include_usage": True}))
    assert all(c.object == "text_completion" and c.model == "smollm2" for c in chunks)
    assert "".join(c.choices[0].text for c in chunks if c.choices) == whole.choices[0].text
    assert "Seoul" in whole.choices[0].text
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == [whole.choices[0].finish_reason]
    assert chunks[-1].choices == []
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == \
        (whole.usage.prompt_tokens, whole.usage.completion_tokens)
    assert all(c.usage is None for c in chunks[:-1])


def test_completions_stream_echo_and_logprobs_for_each_prompt(client):
    kwargs = dict(model="smollm2", prompt=["The capital of South Korea is", "One, two, three,"], max_tokens=2, temperature=0,
                  echo=True, logprobs=1, n=2)
    whole = client.completions.create(**kwargs)
    pieces = {}
    for chunk in client.completions.create(**kwargs, stream=True):
        for choice in chunk.choices:
            pieces.setdefault(choice.index, []).append(choice)
    # Choice p × n + i is the i-th answer to prompt p, in a stream as in a whole answer.
    assert sorted(pieces) == [0, 1, 2, 3] and [c.index for c in whole.choices] == [0, 1, 2, 3]
    assert [pieces[i][0].logprobs.tokens[0] for i in range(4)] == ["The", "The", "One", "One"]
    for index, expected in enumerate(whole.choices):
        got = pieces[index]
        assert "".join(c.text for c in got) == expected.text
        assert [c.finish_reason for c in got if c.finish_reason] == [expected.finish_reason]
        logprobs = [c.logprobs for c in got if c.logprobs]
        assert [t for lp in logprobs for t in lp.tokens] == expected.logprobs.tokens
        assert [o for lp in logprobs for o in lp.text_offset] == expected.logprobs.text_offset
        streamed = [x for lp in logprobs for x in lp.token_logprobs]
        assert streamed[0] is None and expected.logprobs.token_logprobs[0] is None  # a prompt's first token has none
        assert streamed[1:] == pytest.approx(expected.logprobs.token_logprobs[1:], abs=1e-4)
    # The echo comes first: its text (the guard may hold back a last, unfinished word) and all of
    # the prompt's tokens.
    assert "The capital of South Korea is".startswith(pieces[0][0].text) and len(pieces[0][0].text) > 20
    assert pieces[0][0].logprobs.tokens == ["The", " capital", " of", " South", " Korea", " is"]


def test_completions_accept_token_ids_and_score_without_generating(client):
    result = client.completions.create(model="smollm2", prompt=[[504, 3575, 282, 2582, 9096, 314, 39903]],
                                       max_tokens=0, echo=True, logprobs=1)
    lp = result.choices[0].logprobs
    assert len(lp.tokens) == 7 and lp.tokens[-1] == " Seoul"
    # " Seoul" is the model's greedy choice here, so it is its own top alternative.
    assert list(lp.top_logprobs[-1].keys()) == [" Seoul"]


def test_errors_map_to_the_client_exceptions(server, client):
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server["base_url"], api_key="nuri_wrong", max_retries=0).models.list()
    with pytest.raises(openai.PermissionDeniedError):
        openai.OpenAI(base_url=server["base_url"], api_key=server["reader_token"], max_retries=0).models.list()
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    assert missing.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": "hi"}], temperature=5)
    assert bad.value.param == "temperature"


def test_wrong_types_name_the_field(server):
    request = urllib.request.Request(
        server["base_url"] + "/chat/completions", method="POST",
        data=json.dumps({"model": "smollm2", "messages": [{"role": "user", "content": "hi"}], "max_tokens": "ten"}).encode(),
        headers={"Authorization": "Bearer " + server["token"], "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)
    assert error.value.code == 400
    body = json.loads(error.value.read())
    assert body["error"]["param"] == "max_tokens"


def test_a_cancelled_stream_frees_the_model(client):
    stream = client.chat.completions.create(
        model="smollm2", messages=[{"role": "user", "content": "Count from one to two hundred."}],
        temperature=0, max_tokens=400, stream=True)
    for index, _ in enumerate(stream):
        if index == 3:
            break
    stream.close()
    # The next request is served promptly: the abandoned generation stopped.
    reply = client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": "Say yes."}],
                                           temperature=0, max_tokens=5, timeout=60)
    assert reply.choices[0].message.content


def post(server, path, body):
    request = urllib.request.Request(server["root"] + path, method="POST", data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + server["token"], "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())


def test_tokenize_and_detokenize_round_trip(server):
    tokens = post(server, "/tokenize", {"model": "smollm2", "prompt": "The capital of South Korea is"})
    assert tokens["tokens"] == [504, 3575, 282, 2582, 9096, 314] and tokens["count"] == 6
    assert post(server, "/detokenize", {"model": "smollm2", "tokens": tokens["tokens"]})["prompt"] == "The capital of South Korea is"
    request = urllib.request.Request(server["root"] + "/tokenizer_info?model=smollm2",
                                     headers={"Authorization": "Bearer " + server["token"]})
    info = json.loads(urllib.request.urlopen(request).read())
    assert info["vocab_size"] == 49152 and info["eos_token"] == "<|im_end|>"


def test_usage_is_recorded_for_plain_and_streamed_requests(server, client):
    before = usage(server)
    client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": "Hi"}], max_tokens=3)
    list(client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": "Hi"}], max_tokens=3, stream=True))
    after = usage(server)
    assert after["requests"] == before["requests"] + 2
    assert after["completion_tokens"] > before["completion_tokens"]


def usage(server):
    request = urllib.request.Request(server["root"] + "/api/usage?model=smollm2", headers={"Authorization": "Bearer " + server["token"]})
    rows = json.loads(urllib.request.urlopen(request).read())["data"]
    return {key: sum(row[key] for row in rows) for key in ("requests", "prompt_tokens", "completion_tokens")}


def test_usage_command_summarises_the_same_records(server, client):
    import subprocess
    from conftest import nuri_binary
    client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": "Hi"}], max_tokens=2)
    # The server writes usage records off the request path; GET /api/usage writes what is queued
    # before it reads, so afterwards the command, reading the database directly, sees the same.
    expected = usage(server)["requests"]
    out = subprocess.run([nuri_binary(), "usage", "--json", "--model", "smollm2", "--data-dir", server["data_dir"]],
                         check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)
    assert sum(row["requests"] for row in rows) >= 1
    assert sum(row["requests"] for row in rows) == expected


def test_a_client_that_gives_up_is_metered_with_status_499(server):
    """A client gives up on a plain request while the model is still writing (0.5 s into 400
    tokens, which take about 2 s here): the request is metered all the same, with status 499 (the client closed it) and
    the tokens generated until then. Before, it was not metered at all."""
    import subprocess
    from conftest import nuri_binary
    token = subprocess.run([nuri_binary(), "admin", "token", "create", "--user", "operator", "--scopes", "inference",
                            "--name", "impatient", "--data-dir", server["data_dir"]],
                           check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    impatient = openai.OpenAI(base_url=server["base_url"], api_key=token, max_retries=0, timeout=0.5)
    with pytest.raises(openai.APITimeoutError):
        impatient.chat.completions.create(model="smollm2", max_tokens=400, temperature=0,
                                          messages=[{"role": "user", "content": "Write the numbers from 1 to 300, separated by commas."}])

    def metered():
        usage(server)  # writes what is queued
        with sqlite3.connect(os.path.join(server["data_dir"], "nuri.sqlite")) as db:
            return db.execute("SELECT u.status, u.completion_tokens FROM usage_records u JOIN api_tokens t ON t.id = u.token_id "
                              "WHERE t.name = 'impatient'").fetchall()

    deadline = time.time() + 10
    while not metered() and time.time() < deadline:
        time.sleep(0.1)
    [(status, completion_tokens)] = metered()
    assert status == 499
    assert 0 < completion_tokens < 400


def test_rate_limit_gives_429_with_retry_after(server):
    import subprocess
    from conftest import nuri_binary
    def admin(*args):
        return subprocess.run([nuri_binary(), "admin", *args, "--data-dir", server["data_dir"]],
                              check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    token = admin("token", "create", "--user", "operator", "--scopes", "inference", "--name", "limited")
    admin("limits", "set", "--token", token[:13], "--rpm", "2")
    limited = openai.OpenAI(base_url=server["base_url"], api_key=token, max_retries=0)
    for _ in range(2):
        limited.completions.create(model="smollm2", prompt="Hi", max_tokens=1)
    with pytest.raises(openai.RateLimitError) as refused:
        limited.completions.create(model="smollm2", prompt="Hi", max_tokens=1)
    assert 1 <= int(refused.value.response.headers["retry-after"]) <= 60
    assert refused.value.code == "rate_limit_exceeded"


def test_metrics_report_tokens_and_latencies_per_model(server, client):
    list(client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": "Hi"}], max_tokens=4, stream=True))
    text = urllib.request.urlopen(server["root"] + "/metrics").read().decode()
    assert 'nuri_inference_requests_total{model="smollm2",endpoint="chat.completions"}' in text
    assert "nuri_inference_time_to_first_token_seconds_bucket" in text
    assert "nuri_inference_inter_token_latency_seconds_count" in text
    assert 'nuri_inference_completion_tokens_total{model="smollm2"' in text
