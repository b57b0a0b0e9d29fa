"""HTTP/1.1 on a raw socket, as clients other than `openai` use it: pipelined requests answered
in order whichever path serves them (the inference routes are answered inside the connection's
channel, everything else by Hummingbird's request loop), `Connection: close`, HTTP/1.0, a chunked
request body, and a stream in flight finishing when the server is asked to stop.
"""
import json
import os
import signal
import socket
import tempfile

from conftest import MODEL, run, start


def chat(token, stream=False, max_tokens=2, close=False, version="1.1"):
    body = json.dumps({"model": "smollm2", "messages": [{"role": "user", "content": "Say hi."}],
                       "max_tokens": max_tokens, "temperature": 0, "stream": stream}).encode()
    head = (f"POST /v1/chat/completions HTTP/{version}\r\nHost: test\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n")
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + body


def health():
    return b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"


class Reader:
    """Reads HTTP/1.1 responses one after another from a socket."""

    def __init__(self, sock):
        self.sock, self.buffer = sock, b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buffer += data

    def until(self, marker):
        while marker not in self.buffer:
            self.fill()
        index = self.buffer.index(marker) + len(marker)
        text, self.buffer = self.buffer[:index], self.buffer[index:]
        return text

    def take(self, count):
        while len(self.buffer) < count:
            self.fill()
        text, self.buffer = self.buffer[:count], self.buffer[count:]
        return text

    def response(self):
        lines = self.until(b"\r\n\r\n").decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines[1:] if line)}
        if "content-length" in headers:
            body = self.take(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int(self.until(b"\r\n").strip(), 16)
                body += self.take(size)
                self.until(b"\r\n")
                if size == 0:
                    break
        else:
            body = b""
            try:
                while True:
                    self.fill()
            except EOFError:
                body, self.buffer = self.buffer, b""
        return status, headers, body

    def closed(self):
        try:
            self.fill()
        except (EOFError, ConnectionResetError):
            return True
        return False


def connect(server):
    host, port = server["root"].removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=60)
    return sock, Reader(sock)


def test_pipelined_requests_are_answered_in_order_whichever_path_serves_them(server):
    token = server["token"]
    sock, reader = connect(server)
    with sock:
        # Sent at once: inference (answered in the channel), health (Hummingbird), a stream, health.
        sock.sendall(chat(token) + health() + chat(token, stream=True) + health())
        status, headers, body = reader.response()
        assert status == 200 and json.loads(body)["object"] == "chat.completion"
        assert headers["server"] == "nuri" and headers["date"].endswith(" GMT")
        status, _, body = reader.response()
        assert status == 200 and json.loads(body)["status"] == "ok"
        status, headers, body = reader.response()
        assert status == 200 and headers["content-type"] == "text/event-stream"
        events = [line for line in body.decode().split("\n\n") if line]
        assert json.loads(events[0].removeprefix("data: "))["object"] == "chat.completion.chunk"
        assert events[-1] == "data: [DONE]"
        status, _, body = reader.response()
        assert status == 200 and json.loads(body)["status"] == "ok"
        # The connection stays open for the next request.
        sock.sendall(chat(token))
        assert reader.response()[0] == 200


def test_a_burst_of_pipelined_requests_answered_at_once_comes_back_whole_and_in_order(server):
    # A request whose answer needs no waiting (a refused token, a body that is not JSON) is
    # answered while the request is still being read; the end of each answer hands over the
    # next request. Hundreds of them in one send, with answers that do wait among them.
    token = server["token"]
    bad_json = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n"
                "Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{oops").encode()
    expected, burst = [], b""
    for index in range(600):
        if index % 150 == 75:
            burst += chat(token)
            expected.append(200)
        elif index % 2:
            burst += bad_json
            expected.append(400)
        else:
            burst += chat("nuri_wrong")
            expected.append(401)
    sock, reader = connect(server)
    with sock:
        sock.sendall(burst)
        statuses = []
        for want in expected:
            status, _, body = reader.response()
            statuses.append(status)
            if status == 200:
                assert json.loads(body)["object"] == "chat.completion"
            else:
                assert json.loads(body)["error"]["message"]
        assert statuses == expected
        sock.sendall(chat(token))
        assert reader.response()[0] == 200


def test_connection_close_and_http_1_0_end_the_connection_after_the_answer(server):
    for request in (chat(server["token"], close=True), chat(server["token"], version="1.0")):
        sock, reader = connect(server)
        with sock:
            sock.sendall(request)
            status, _, body = reader.response()
            assert status == 200 and json.loads(body)["object"] == "chat.completion"
            assert reader.closed()


def test_a_chunked_request_body_is_served_too(server):
    body = json.dumps({"model": "smollm2", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}).encode()
    half = len(body) // 2
    chunks = b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:half], body[half:])) + b"0\r\n\r\n"
    sock, reader = connect(server)
    with sock:
        sock.sendall(f"POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {server['token']}\r\n"
                     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode() + chunks)
        status, _, answer = reader.response()
        assert status == 200 and json.loads(answer)["usage"]["completion_tokens"] == 1
        # A direct request after it on the same connection: errors look the same on either path.
        sock.sendall(chat("nuri_wrong"))
        status, headers, answer = reader.response()
        assert status == 401 and json.loads(answer)["error"]["code"] == "invalid_api_key"


def test_a_body_over_the_limit_is_refused_with_413():
    data_dir = tempfile.mkdtemp(prefix="nuri-it-limit-")
    token = run("admin", "init", data_dir=data_dir)
    process, base = start(data_dir, "--model", f"smollm2={MODEL}", "--max-body-size", "1000")
    try:
        sock, reader = connect({"root": base})
        with sock:
            padding = "x" * 2000
            body = json.dumps({"model": "smollm2", "messages": [{"role": "user", "content": padding}]}).encode()
            sock.sendall(f"POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n"
                         f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            status, _, answer = reader.response()
            assert status == 413 and "1000" in json.loads(answer)["error"]["message"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_stream_in_flight_finishes_when_the_server_is_stopped():
    data_dir = tempfile.mkdtemp(prefix="nuri-it-stop-")
    token = run("admin", "init", data_dir=data_dir)
    process, base = start(data_dir, "--model", f"smollm2={MODEL}")
    try:
        sock, reader = connect({"root": base})
        with sock:
            sock.sendall(chat(token, stream=True, max_tokens=48))
            reader.until(b"chat.completion.chunk")  # the answer has begun
            process.send_signal(signal.SIGTERM)
            rest = b""
            try:
                while True:
                    reader.fill()
            except (EOFError, ConnectionResetError):
                rest = reader.buffer
            assert b"data: [DONE]" in rest and rest.endswith(b"0\r\n\r\n")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
