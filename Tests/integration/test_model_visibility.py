"""A model restricted to an organisation, served by a real `nuri serve --model "NAME=PATH;org=ORG"`:
the real openai client lists it only to members, and a non-member gets the same NotFoundError as
for a model that does not exist."""
import tempfile

import openai
import pytest

from conftest import MODEL, run, start, stop


@pytest.fixture(scope="module")
def restricted():
    data_dir = tempfile.mkdtemp(prefix="nuri-visibility-")
    operator = run("admin", "init", data_dir=data_dir)
    run("admin", "org", "create", "seoul-city", "--sector", "public", data_dir=data_dir)
    run("admin", "org", "create", "naver", "--sector", "private", data_dir=data_dir)
    run("admin", "user", "create", "minji", "--org", "seoul-city", data_dir=data_dir)
    run("admin", "user", "create", "jun", "--org", "naver", data_dir=data_dir)
    member = run("admin", "token", "create", "--user", "minji", "--scopes", "inference", data_dir=data_dir)
    outsider = run("admin", "token", "create", "--user", "jun", "--scopes", "inference", data_dir=data_dir)
    process, base = start(data_dir, "--model", f"smollm2={MODEL}", "--model", f"civic={MODEL};org=seoul-city")
    clients = {name: openai.OpenAI(base_url=base + "/v1", api_key=token, max_retries=0)
               for name, token in (("operator", operator), ("member", member), ("outsider", outsider))}
    yield clients
    stop(process)


def test_models_are_listed_to_those_who_may_use_them(restricted):
    assert [m.id for m in restricted["operator"].models.list().data] == ["civic", "smollm2"]
    assert [m.id for m in restricted["member"].models.list().data] == ["civic", "smollm2"]
    assert [m.id for m in restricted["outsider"].models.list().data] == ["smollm2"]


def test_a_member_is_answered_by_the_restricted_model(restricted):
    reply = restricted["member"].chat.completions.create(
        model="civic", messages=[{"role": "user", "content": "What is the capital of South Korea?"}], temperature=0, max_tokens=10)
    assert "Seoul" in reply.choices[0].message.content


def test_an_outsider_cannot_tell_the_restricted_model_from_a_missing_one(restricted):
    errors = {}
    for model in ("civic", "no-such-model"):
        with pytest.raises(openai.NotFoundError) as refused:
            restricted["outsider"].chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=2)
        errors[model] = refused.value
    assert errors["civic"].code == errors["no-such-model"].code == "model_not_found"
    assert errors["civic"].message.replace("civic", "X") == errors["no-such-model"].message.replace("no-such-model", "X")
    with pytest.raises(openai.NotFoundError):
        restricted["outsider"].models.retrieve("civic")
