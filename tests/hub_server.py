"""A small Hugging Face hub look-alike on 127.0.0.1, and small GGUF files for it to serve.

It answers what huggingface_hub 2.4's metadata call and a plain download need:
  HEAD/GET /{owner}/{repo}/resolve/{revision}/{file}
      X-Repo-Commit, ETag, X-Linked-Etag (the LFS SHA-256), X-Linked-Size, Content-Length,
      Accept-Ranges; GET honours `Range: bytes=N-` with 206 and Content-Range.
      With cdn=True the hub answers 302 to /cdn/{sha256} on another host name ("localhost"),
      as the real hub does for LFS files, and the bytes come from there.
  /api/...  logged and answered 404, so a test can prove the client asked for nothing extra.
Unknown repos and files get 404 with the X-Error-Code the real hub sends. It also serves as an
HTTP forward proxy for any host name, to prove that HTTP(S)_PROXY is honoured.

`faults` switches: cut a body after N bytes, stall after N bytes, serve a tampered body while
advertising the true SHA-256, answer a status code, ignore Range, stall before answering HEAD, refuse a
CDN link as expired.
Every request is logged (method, path, headers, status, body bytes sent).
"""

from __future__ import annotations

import hashlib
import re
import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class HubFile:
    content: bytes
    commit: str = DEFAULT_COMMIT

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class Faults:
    #: Close the connection after sending this many body bytes, for the next `cut_times` GETs.
    cut_after: int | None = None
    cut_times: int = 0
    #: Send this many body bytes, then go silent for `stall_seconds`, for `stall_times` GETs.
    stall_after: int | None = None
    stall_times: int = 0
    stall_seconds: float = 30.0
    #: Serve a body with flipped bytes while advertising the true SHA-256 and size.
    tamper: bool = False
    #: Answer every request (HEAD and GET) with this status, `status_times` times (-1: always).
    status: int | None = None
    status_times: int = -1
    #: Answer 200 with the whole file even when asked for a range.
    ignore_range: bool = False
    #: Wait this long before answering a HEAD.
    head_delay: float = 0.0
    #: Refuse this many CDN downloads with 403, as when a signed link has expired.
    cdn_forbidden_times: int = 0


@dataclass
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0
    body_bytes: int = 0
    #: True when the request came as a forward proxy's (an absolute URL in the request line).
    proxied: bool = False


@dataclass
class HubServer:
    cdn: bool = False
    files: dict[tuple[str, str], HubFile] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    log: list[LoggedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    # -- control -------------------------------------------------------------------------------
    def start(self) -> "HubServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "HubServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def add_file(self, repo_id: str, filename: str, content: bytes, commit: str = DEFAULT_COMMIT) -> HubFile:
        self.files[(repo_id, filename)] = hub_file = HubFile(content, commit)
        return hub_file

    # -- inspection ----------------------------------------------------------------------------
    def requests(self, method: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.log if method is None or r.method == method]

    def bytes_served(self) -> int:
        return sum(r.body_bytes for r in self.requests("GET"))

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    # -- internals used by the handler ---------------------------------------------------------
    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.log.append(entry)

    def _take(self, name: str) -> bool:
        """Consume one use of a counted fault; True when it applies to this request."""
        with self._lock:
            remaining = getattr(self.faults, name)
            if remaining == 0:
                return False
            if remaining > 0:
                setattr(self.faults, name, remaining - 1)
            return True


_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<revision>[^/]+)/(?P<filename>.+)$")
_CDN = re.compile(r"^/cdn/(?P<sha>[0-9a-f]{64})$")


def _make_handler(hub: HubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet: the request log is the record
            pass

        def do_HEAD(self) -> None:
            self._handle(send_body=False)

        def do_GET(self) -> None:
            self._handle(send_body=True)

        def _handle(self, send_body: bool) -> None:
            # It also answers as a forward proxy (HTTP_PROXY pointing here): same files, any host.
            proxied = self.path.startswith("http://")
            if proxied:
                self.path = "/" + self.path.split("/", 3)[3] if self.path.count("/") >= 3 else "/"
            # Logged on arrival (and filled in as it is served), so a stalled request shows too.
            entry = LoggedRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                  proxied=proxied)
            hub._record(entry)
            try:
                self._route(entry, send_body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _route(self, entry: LoggedRequest, send_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            if hub.faults.status is not None and hub._take("status_times"):
                return self._reply(entry, hub.faults.status, {"Content-Length": "0"})
            if path.startswith("/api/"):
                return self._reply(entry, 404, {"Content-Length": "0", "X-Error-Code": "NotFound"})
            if match := _CDN.match(path):
                if hub._take("cdn_forbidden_times"):
                    return self._reply(entry, 403, {"Content-Length": "0"})
                found = next((f for f in hub.files.values() if f.sha256 == match["sha"]), None)
                if found is None:
                    return self._reply(entry, 404, {"Content-Length": "0"})
                return self._serve_file(entry, found, send_body)
            match = _RESOLVE.match(path)
            if match is None:
                return self._reply(entry, 404, {"Content-Length": "0"})
            if not self.command == "GET" and hub.faults.head_delay:
                hub._stopping.wait(hub.faults.head_delay)
            repo, filename = match["repo"], match["filename"]
            if not any(key[0] == repo for key in hub.files):
                return self._reply(entry, 404, {"Content-Length": "0", "X-Error-Code": "RepoNotFound"})
            hub_file = hub.files.get((repo, filename))
            if hub_file is None:
                return self._reply(entry, 404, {"Content-Length": "0", "X-Error-Code": "EntryNotFound",
                                                "X-Repo-Commit": DEFAULT_COMMIT})
            if hub.cdn:
                headers = self._file_headers(hub_file)
                headers["Location"] = f"http://localhost:{hub.port}/cdn/{hub_file.sha256}"
                headers["Content-Length"] = "0"
                return self._reply(entry, 302, headers)
            return self._serve_file(entry, hub_file, send_body)

        def _file_headers(self, hub_file: HubFile) -> dict[str, str]:
            return {
                "X-Repo-Commit": hub_file.commit,
                "ETag": f'"{hub_file.sha256}"',
                "X-Linked-Etag": f'"{hub_file.sha256}"',
                "X-Linked-Size": str(len(hub_file.content)),
                "Accept-Ranges": "bytes",
            }

        def _serve_file(self, entry: LoggedRequest, hub_file: HubFile, send_body: bool) -> None:
            body = hub_file.content
            if hub.faults.tamper:
                middle = len(body) // 2
                body = body[:middle] + bytes(b ^ 0xFF for b in body[middle:middle + 64]) + body[middle + 64:]
            total = len(body)
            headers = self._file_headers(hub_file)
            start, status = 0, 200
            wanted = self.headers.get("Range")
            if wanted and not hub.faults.ignore_range:
                range_match = re.match(r"bytes=(\d+)-(\d*)$", wanted.strip())
                if range_match:
                    start = int(range_match[1])
                    if start >= total:
                        headers.update({"Content-Range": f"bytes */{total}", "Content-Length": "0"})
                        return self._reply(entry, 416, headers)
                    status = 206
                    headers["Content-Range"] = f"bytes {start}-{total - 1}/{total}"
            chunk = body[start:]
            headers["Content-Length"] = str(len(chunk))
            self._reply(entry, status, headers, end=False)
            if not send_body:
                return
            limit, cut, stall = len(chunk), False, False
            if hub.faults.cut_after is not None and hub._take("cut_times"):
                limit, cut = min(limit, hub.faults.cut_after), True
            elif hub.faults.stall_after is not None and hub._take("stall_times"):
                limit, stall = min(limit, hub.faults.stall_after), True
            for offset in range(0, limit, 16384):
                piece = chunk[offset:min(offset + 16384, limit)]
                self.wfile.write(piece)
                entry.body_bytes += len(piece)
            self.wfile.flush()
            if stall:
                hub._stopping.wait(hub.faults.stall_seconds)
            if cut or stall:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def _reply(self, entry: LoggedRequest, status: int, headers: dict[str, str], end: bool = True) -> None:
            entry.status = status
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if end:
                self.wfile.flush()

    return Handler


# -- small GGUF files -----------------------------------------------------------------------------

def make_gguf(*, name: str = "Test Model", architecture: str = "llama", context_length: int = 2048,
              chat_template: str | None = "{% for m in messages %}{{ m.content }}{% endfor %}",
              file_type: int = 2, tensor_elements: int = 64 * 1024, vocab: int = 1000,
              version: int = 3) -> bytes:
    """A well-formed GGUF with real metadata and one F32 tensor (4 bytes per element)."""

    def string(text: str) -> bytes:
        raw = text.encode("utf-8")
        return struct.pack("<Q", len(raw)) + raw

    kv: list[bytes] = [
        string("general.architecture") + struct.pack("<I", 8) + string(architecture),
        string("general.name") + struct.pack("<I", 8) + string(name),
        string(f"{architecture}.context_length") + struct.pack("<I", 4) + struct.pack("<I", context_length),
        string("general.file_type") + struct.pack("<I", 4) + struct.pack("<I", file_type),
        string("tokenizer.ggml.tokens") + struct.pack("<I", 9) + struct.pack("<IQ", 8, vocab)
        + b"".join(string(f"tok{i}") for i in range(vocab)),
        string("tokenizer.ggml.scores") + struct.pack("<I", 9) + struct.pack("<IQ", 6, vocab) + b"\0" * 4 * vocab,
    ]
    if chat_template is not None:
        kv.append(string("tokenizer.chat_template") + struct.pack("<I", 8) + string(chat_template))
    tensor_info = string("token_embd.weight") + struct.pack("<I", 1) + struct.pack("<Q", tensor_elements) \
        + struct.pack("<I", 0) + struct.pack("<Q", 0)
    header = b"GGUF" + struct.pack("<I", version) + struct.pack("<QQ", 1, len(kv)) + b"".join(kv) + tensor_info
    padding = b"\0" * (-len(header) % 32)
    data = bytes(range(256)) * (tensor_elements * 4 // 256) + b"\x01" * (tensor_elements * 4 % 256)
    return header + padding + data
