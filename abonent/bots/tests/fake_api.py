"""A local stand-in for a messenger's Bot API: a real HTTP server on 127.0.0.1 that records every call the bot
makes through its library (aiogram, maxapi) and answers as the messenger documents, so the tests see exactly what
a subscriber would receive. Nothing leaves the machine."""

from __future__ import annotations

import json
import threading
import urllib.parse
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer  # (method path, query, fields) → the JSON the messenger returns
        self.calls: list[dict] = []
        self.fail_next = 0  # how many next calls answer `fail_status`
        self.fail_status = 500
        self.pending: list[dict] = []  # updates the next getUpdates (Telegram) or GET /updates (MAX) hands out

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def messages(self) -> list[dict]:
        return [c for c in self.calls if c["method"] in {"sendMessage", "sendDocument", "/messages"}]

    def uploads(self) -> list[bytes]:
        """The files the bot sent: Telegram's document field, MAX's upload's data field."""
        documents = [c["fields"] for c in self.calls if c["method"] == "sendDocument"]
        sent = [f[f["document"].removeprefix("attach://")] for f in documents]  # aiogram attaches by name
        sent += [c["fields"].get("data") for c in self.calls if c["method"] == "/upload-target"]
        return [s for s in sent if s]


def _body(handler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() != "chunked":  # aiohttp streams multipart in chunks
        return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    body = b""
    while size := int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16):
        body += handler.rfile.read(size)
        handler.rfile.readline()
    handler.rfile.readline()
    return body


def _fields(handler) -> dict:
    body = _body(handler)
    kind = handler.headers.get("Content-Type", "")
    if kind.startswith("application/json"):
        return json.loads(body or b"{}")
    if kind.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + kind.encode() + b"\r\n\r\n" + body)
        return {
            part.get_param("name", header="content-disposition"): (
                part.get_payload(decode=True) if part.get_filename() else part.get_content()
            )
            for part in message.iter_parts()
        }
    return {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}


# What the recorder serves for a GET: Telegram's file downloads and MAX's picture links.
FILES = {"/file/bot123456:TEST-token/photos/one.jpg": b"", "/images/one.jpg": b""}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        content = FILES.get(urllib.parse.urlsplit(self.path).path)
        if content is None and not self.path.startswith("/file/"):  # MAX's GET methods: /updates, /subscriptions
            return self.do_POST()
        self.send_response(200 if content is not None else 404)
        self.send_header("Content-Length", str(len(content or b"")))
        self.end_headers()
        self.wfile.write(content or b"")

    def do_POST(self):
        parts = urllib.parse.urlsplit(self.path)
        method = parts.path.rsplit("/", 1)[-1] if parts.path.startswith("/bot") else parts.path
        fields = _fields(self) if self.command == "POST" else {}
        call = {"method": method, "query": dict(urllib.parse.parse_qsl(parts.query)), "fields": fields,
                "headers": dict(self.headers), "http": self.command}  # fmt: skip
        self.server.calls.append(call)
        call["base"], call["pending"] = self.server.url, self.server.pending
        status, answer = 200, self.server.answer(call)
        if self.server.fail_next:
            self.server.fail_next -= 1
            status = self.server.fail_status
            answer = {"ok": False, "error_code": status, "description": "Internal Server Error" if status >= 500
                      else "Forbidden: bot was blocked by the user"}  # fmt: skip
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def telegram_answer(call: dict) -> dict:
    if call["method"] == "sendMessage":
        chat = int(call["fields"]["chat_id"])
        message = {"message_id": len(call), "date": 0, "chat": {"id": chat, "type": "private"},
                   "text": call["fields"].get("text", "")}  # fmt: skip
        return {"ok": True, "result": message}
    if call["method"] == "sendDocument":
        chat = int(call["fields"]["chat_id"])
        message = {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"},
                   "document": {"file_id": "d1", "file_unique_id": "u1"}}  # fmt: skip
        return {"ok": True, "result": message}
    if call["method"] == "getFile":
        return {"ok": True, "result": {"file_id": call["fields"]["file_id"], "file_unique_id": "u",
                                       "file_path": "photos/one.jpg"}}  # fmt: skip
    if call["method"] == "getUpdates":
        handed, call["pending"][:] = list(call["pending"]), []
        return {"ok": True, "result": handed}
    return {"ok": True, "result": True}  # answerCallbackQuery, setWebhook, deleteWebhook and the like


def max_answer(call: dict) -> dict:
    if call["method"] == "/messages":
        chat = int(call["query"].get("chat_id", 0))
        body = {"mid": "mid.out", "seq": 1, "text": call["fields"].get("text", "")}
        return {"message": {"recipient": {"chat_id": chat, "chat_type": "dialog"}, "timestamp": 0, "body": body}}
    if call["method"] == "/uploads":  # where to upload a file; the upload's answer carries its token
        return {"url": f"{call['base']}/upload-target"}
    if call["method"] == "/upload-target":
        return {"token": "file-token-1"}
    if call["method"] == "/updates":
        handed, call["pending"][:] = list(call["pending"]), []
        return {"updates": handed, "marker": len(handed) + 1}
    if call["method"] == "/subscriptions" and call["http"] == "GET":
        return {"subscriptions": []}
    return {"success": True}  # /answers, POST /subscriptions (a pressed button's answer)


def start(answer) -> Recorder:
    server = Recorder(answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
