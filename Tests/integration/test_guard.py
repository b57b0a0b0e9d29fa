"""The guard behind the gateway, end to end: a Nuri gateway in front of a small echo upstream
(written here, standing in for a third-party or overseas model vendor) that records exactly
what it received. The real openai client calls the gateway; consents are recorded over REST.

What a user relies on: a third party never sees personal data without the data subject's
consent (it sees pseudonyms, and the caller reads the real values back); with the consent it
does; a resident registration number never leaves; an organisation that chose `block` gets a
403 `pii_blocked`; streams are screened too; every decision is in the audit chain, which
verifies; personal values never reach the audit records.
"""
import hashlib
import json
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest
import urllib.request

from conftest import run, start, stop

PROMPT = "고객 김민수 님의 주민번호는 900101-1234567 이고 연락처는 010-1234-5678 입니다. 예약을 요약해 주세요."


class EchoUpstream(BaseHTTPRequestHandler):
    """An OpenAI-compatible upstream that answers with the last user message it received."""
    received = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        EchoUpstream.received.append(body)
        text = "echo: " + body["messages"][-1]["content"]
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            # A few characters per chunk, as tokens arrive: numbers get split across chunks.
            pieces = [text[i:i + 3] for i in range(0, len(text), 3)]
            for piece in pieces:
                chunk = {"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            last = {"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": body["model"],
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            usage = {"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": body["model"], "choices": [],
                     "usage": {"prompt_tokens": 10, "completion_tokens": len(pieces), "total_tokens": 10 + len(pieces)}}
            self.wfile.write(f"data: {json.dumps(last)}\n\ndata: {json.dumps(usage)}\n\ndata: [DONE]\n\n".encode())
            return
        answer = {"id": "up-1", "object": "chat.completion", "created": 1, "model": body["model"],
                  "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                  "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        data = b'{"object":"list","data":[]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def api(base, token, method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def guarded():
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), EchoUpstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{upstream.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="nuri-guard-")
    operator = run("admin", "init", data_dir=data_dir)
    run("admin", "org", "create", "seoul-clinic", "--sector", "public", data_dir=data_dir)
    run("admin", "user", "create", "doctor", "--org", "seoul-clinic", "--role", "admin", data_dir=data_dir)
    doctor = run("admin", "token", "create", "--user", "doctor", "--scopes", "read,write,inference", "--name", "clinic-app",
                 data_dir=data_dir)
    process, base = start(data_dir,
                          "--remote", f"name=vendor-kr;url={url};model=echo;jurisdiction=KR;relationship=third_party",
                          "--remote", f"name=vendor-us;url={url};model=echo;jurisdiction=US;relationship=entrusted")
    yield {"base": base, "operator": operator, "doctor": doctor, "data_dir": data_dir,
           "client": openai.OpenAI(base_url=base + "/v1", api_key=doctor, max_retries=0)}
    stop(process)
    upstream.shutdown()


def chat(guarded, model, stream=False, **headers):
    messages = [{"role": "user", "content": PROMPT}]
    extra = {"extra_headers": headers} if headers else {}
    client = guarded["client"]
    if stream:
        chunks = client.chat.completions.create(model=model, messages=messages, stream=True, **extra)
        return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return client.chat.completions.create(model=model, messages=messages, **extra).choices[0].message.content


def test_third_party_sees_pseudonyms_and_the_caller_reads_real_values(guarded):
    answer = chat(guarded, "vendor-kr")
    sent = EchoUpstream.received[-1]["messages"][-1]["content"]
    assert "김민수" not in sent and "010-1234-5678" not in sent and "900101-1234567" not in sent
    assert "[이름1]" in sent and "[전화번호1]" in sent and "[주민등록번호]" in sent
    # The echo comes back with the values restored, except the RRN, which never left.
    assert "김민수" in answer and "010-1234-5678" in answer and "900101-1234567" not in answer


def test_streamed_answers_are_screened_the_same_way(guarded):
    answer = chat(guarded, "vendor-kr", stream=True)
    assert answer.startswith("echo: ")
    assert "김민수" in answer and "010-1234-5678" in answer and "900101" not in answer.replace("[주민등록번호]", "")


def test_with_consent_the_data_goes_and_the_subject_sees_the_recipient(guarded):
    base, doctor = guarded["base"], guarded["doctor"]
    status, consent = api(base, doctor, "POST", "/api/consents", {
        "subject": "p-17", "kind": "third_party_provision", "purpose": "appointment-summary", "data_items": ["name", "phone"],
        "recipient": "vendor-kr", "recipient_purpose": "summarise appointments", "retention": "1y",
        "consent_text": "I agree that my name and phone number go to vendor-kr to summarise my appointments.", "channel": "app"})
    assert status == 201, consent
    assert consent["text_hash"] == hashlib.sha256(
        "I agree that my name and phone number go to vendor-kr to summarise my appointments.".encode()).hexdigest()
    chat(guarded, "vendor-kr", **{"X-Nuri-Data-Subject": "p-17", "X-Nuri-Purpose": "appointment-summary"})
    sent = EchoUpstream.received[-1]["messages"][-1]["content"]
    assert "김민수" in sent and "010-1234-5678" in sent and "900101-1234567" not in sent
    status, view = api(base, doctor, "GET", "/api/data-subjects/p-17")
    assert status == 200 and [r["recipient"] for r in view["recipients"]] == ["vendor-kr"]

    # Withdrawal takes effect at once.
    status, _ = api(base, doctor, "POST", f"/api/consents/{consent['id']}/withdraw")
    assert status == 200
    chat(guarded, "vendor-kr", **{"X-Nuri-Data-Subject": "p-17", "X-Nuri-Purpose": "appointment-summary"})
    assert "010-1234-5678" not in EchoUpstream.received[-1]["messages"][-1]["content"]


def test_overseas_without_consent_is_masked_even_when_entrusted(guarded):
    chat(guarded, "vendor-us")
    sent = EchoUpstream.received[-1]["messages"][-1]["content"]
    assert "010-1234-5678" not in sent and "[전화번호1]" in sent


def test_an_organisation_that_chose_block_gets_a_403(guarded):
    base, doctor = guarded["base"], guarded["doctor"]
    status, rules = api(base, doctor, "PUT", "/api/guard/policy", {"third_party": "block"})
    assert status == 200 and rules["third_party"] == "block" and rules["overseas"] == "mask"
    before = len(EchoUpstream.received)
    with pytest.raises(openai.PermissionDeniedError) as error:
        chat(guarded, "vendor-kr")
    assert error.value.code == "pii_blocked" and "/api/consents" in error.value.message
    assert len(EchoUpstream.received) == before  # nothing left
    status, _ = api(base, doctor, "PUT", "/api/guard/policy", {"third_party": "mask"})
    assert status == 200


def test_the_audit_chain_records_decisions_without_values_and_verifies(guarded):
    base, operator = guarded["base"], guarded["operator"]
    status, records = api(base, operator, "GET", "/api/audit")
    assert status == 200
    actions = {r["action"] for r in records["data"]}
    assert {"gateway.transfer", "consent.grant", "consent.withdraw", "guard.policy.set"} <= actions
    text = json.dumps(records, ensure_ascii=False)
    for value in ("김민수", "010-1234-5678", "01012345678", "900101-1234567", "p-17"):
        assert value not in text
    status, result = api(base, operator, "GET", "/api/audit/verify")
    assert status == 200 and result["intact"] and result["problem"] is None and result["records"] == len(records["data"])
    # The doctor is not an operator: the whole chain is not theirs to read.
    status, _ = api(base, guarded["doctor"], "GET", "/api/audit")
    assert status == 403
    status, own = api(base, guarded["doctor"], "GET", "/api/audit?organisation=seoul-clinic")
    assert status == 200 and own["data"] and all(r["organisation_id"] == own["data"][0]["organisation_id"] for r in own["data"])
