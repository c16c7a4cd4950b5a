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
        self.fail_next = 0  # how many next calls answer 500

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def messages(self) -> list[dict]:
        return [c for c in self.calls if c["method"] in {"sendMessage", "/messages"}]

    def texts(self) -> list[str]:
        return [c["fields"].get("text", "") for c in self.messages()]


def _fields(handler) -> dict:
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length)
    kind = handler.headers.get("Content-Type", "")
    if kind.startswith("application/json"):
        return json.loads(body or b"{}")
    if kind.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + kind.encode() + b"\r\n\r\n" + body)
        return {
            part.get_param("name", header="content-disposition"): part.get_content() for part in message.iter_parts()
        }
    return {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        parts = urllib.parse.urlsplit(self.path)
        method = parts.path.rsplit("/", 1)[-1] if parts.path.startswith("/bot") else parts.path
        call = {"method": method, "query": dict(urllib.parse.parse_qsl(parts.query)), "fields": _fields(self),
                "headers": dict(self.headers)}  # fmt: skip
        self.server.calls.append(call)
        status, answer = 200, self.server.answer(call)
        if self.server.fail_next:
            self.server.fail_next -= 1
            status, answer = 500, {"ok": False, "description": "Internal Server Error"}
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
    return {"ok": True, "result": True}  # answerCallbackQuery and the like


def max_answer(call: dict) -> dict:
    if call["method"] == "/messages":
        chat = int(call["query"].get("chat_id", 0))
        body = {"mid": "mid.out", "seq": 1, "text": call["fields"].get("text", "")}
        return {"message": {"recipient": {"chat_id": chat, "chat_type": "dialog"}, "timestamp": 0, "body": body}}
    return {"success": True}  # /answers (a pressed button's answer)


def start(answer) -> Recorder:
    server = Recorder(answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
