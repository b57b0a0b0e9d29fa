"""A loopback HTTP proxy that records what the real client sends and can cut a download short.

Server-agnostic on purpose: the tests that check protocol details (which requests carry the
Authorization header, that a resumed download asks for `Range: bytes=N-` and gets a 206) run
the client against this proxy (`endpoint=net.entry.url`) instead of the server, so they work
unchanged against the reference server and against Nuri.

Every absolute loopback URL the server hands out (a `Location`, a `Link`, any URL inside a JSON
body such as an LFS upload `href`) is rewritten to go through a proxy too: the server's own
origin maps to the entry proxy, any other origin (a blob host on another port) to a sibling
proxy of its own. Origins stay distinct, so the client sees the same same-origin /
different-origin structure as without the proxy.
"""
from __future__ import annotations

import http.client
import io
import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}
LOOPBACK_URL = re.compile(r"https?://(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?(?=[/?#]|$)")


@dataclass
class Record:
    origin: str  # the upstream origin this request went to
    method: str
    path: str
    request_headers: dict  # lower-cased names
    status: int = 0
    response_headers: dict = field(default_factory=dict)  # lower-cased names
    body_sent: int = 0  # bytes of response body the client actually received
    cut: bool = False


class ProxyNet:
    """A family of proxies, one per upstream origin, sharing one record list and one fault rule."""

    def __init__(self, upstream: str, fault=None):
        self.lock = threading.Lock()
        self.records: list[Record] = []
        self.fault = fault  # callable(Record) -> int | None: cut the body after that many bytes
        self.proxies: dict[str, _Proxy] = {}
        self.entry = self.proxy_for(upstream)

    def proxy_for(self, origin: str) -> "_Proxy":
        origin = origin.rstrip("/")
        with self.lock:
            if origin not in self.proxies:
                self.proxies[origin] = _Proxy(self, origin)
            return self.proxies[origin]

    def rewrite(self, url: str) -> str:
        m = LOOPBACK_URL.match(url)
        if not m:
            return url
        return self.proxy_for(m.group(0)).url + url[m.end():]

    def close(self):
        for p in list(self.proxies.values()):
            p.server.shutdown()
            p.server.server_close()

    def find(self, method=None, path_contains=None, origin=None) -> list[Record]:
        return [r for r in self.records
                if (method is None or r.method == method)
                and (path_contains is None or path_contains in r.path)
                and (origin is None or r.origin == origin)]


class _Proxy:
    def __init__(self, net: ProxyNet, origin: str):
        self.net, self.origin = net, origin
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        proxy = self
        net = self.net

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = io.BytesIO()
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return out.getvalue()
                        out.write(self.rfile.read(size))
                        self.rfile.readline()
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _forward(self):
                body = self._read_body()
                rec = Record(proxy.origin, self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
                rec.request_headers["x-proxy-request-chunked"] = str(
                    self.headers.get("Transfer-Encoding", "").lower() == "chunked")
                with net.lock:
                    net.records.append(rec)
                target = urlsplit(proxy.origin)
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["Host"] = target.netloc
                if body or self.command in ("POST", "PUT"):
                    headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body if body else None, headers=headers)
                resp = conn.getresponse()
                rec.status = resp.status
                rec.response_headers = {k.lower(): v for k, v in resp.getheaders()}
                out_headers = []
                for k, v in resp.getheaders():
                    if k.lower() in HOP_BY_HOP:
                        continue
                    if k.lower() == "location":
                        v = net.rewrite(v)
                    elif k.lower() == "link":
                        v = re.sub(r"<([^>]+)>", lambda m: "<" + net.rewrite(m.group(1)) + ">", v)
                    out_headers.append((k, v))
                self.send_response(resp.status)
                for k, v in out_headers:
                    self.send_header(k, v)
                if self.command == "HEAD" or resp.status in (204, 304):
                    if resp.getheader("Content-Length") is not None:
                        self.send_header("Content-Length", resp.getheader("Content-Length"))
                    self.end_headers()
                    resp.read()
                    conn.close()
                    return
                content_type = (resp.getheader("Content-Type") or "").lower()
                if "json" in content_type:
                    data = resp.read()
                    try:
                        data = json.dumps(_rewrite_json(json.loads(data), net.rewrite)).encode()
                    except ValueError:
                        pass
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    rec.body_sent = len(data)
                    conn.close()
                    return
                length = resp.getheader("Content-Length")
                if length is None:  # chunked upstream: buffer it
                    data = resp.read()
                    length = str(len(data))
                    stream = io.BytesIO(data)
                else:
                    stream = resp
                self.send_header("Content-Length", length)
                self.end_headers()
                limit = net.fault(rec) if net.fault else None
                sent = 0
                while True:
                    chunk = stream.read(256 * 1024)
                    if not chunk:
                        break
                    if limit is not None and sent + len(chunk) >= limit:
                        self.wfile.write(chunk[: limit - sent])
                        sent = limit
                        rec.cut = True
                        break
                    self.wfile.write(chunk)
                    sent += len(chunk)
                rec.body_sent = sent
                conn.close()
                if rec.cut:  # drop the connection mid-body, as a network failure would
                    self.wfile.flush()
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

            do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

        return Handler


def _rewrite_json(value, rewrite):
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [_rewrite_json(v, rewrite) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite_json(v, rewrite) for k, v in value.items()}
    return value
