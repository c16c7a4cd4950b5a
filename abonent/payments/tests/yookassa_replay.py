"""A local server replaying recorded YooKassa API exchanges (no network), and the fixture pointing the SDK at it.

POST /v3/payments answers by what was asked (a saved method → a recurring charge, СБП → the QR confirmation,
else the redirect one); GET /v3/payments/{id} the current `state`; GET /v3/payments the day's list; GET
/v3/receipts the fiscal data of the payment's or the refund's receipt; POST /v3/refunds a succeeded refund."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

RECORDED = Path(__file__).parent / "yookassa"
PAYMENT_ID = "2c7a5f1e-000f-5000-8000-1a2b3c4d5e6f"


def _created(body: dict) -> str:
    if body.get("payment_method_id"):
        return "payment_recurring_succeeded"
    if (body.get("payment_method_data") or {}).get("type") == "sbp":
        return "payment_pending_sbp"
    return "payment_pending"


class Replay:
    def __init__(self):
        self.state = "payment_pending"
        self.requests = []
        self.refund_answer = "refund_succeeded"
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, name):
                body = (RECORDED / f"{name}.json").read_bytes()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                replay.requests.append(("POST", self.path, dict(self.headers), body))
                if self.path == "/v3/refunds":
                    self._send(200 if replay.refund_answer == "refund_succeeded" else 400, replay.refund_answer)
                else:
                    self._send(200, _created(body))

            def do_GET(self):
                replay.requests.append(("GET", self.path, dict(self.headers), None))
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                if url.path == f"/v3/payments/{PAYMENT_ID}":
                    self._send(200, replay.state)
                elif url.path == "/v3/payments":
                    self._send(200, "payments_list")
                elif url.path == "/v3/receipts":
                    self._send(200, "receipts_refund" if "refund_id" in query else "receipts_payment")
                else:
                    self._send(404, "not_found")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v3"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def posted(self, path: str) -> list[dict]:
        return [body for method, p, _, body in self.requests if method == "POST" and p == path]


@pytest.fixture
def yookassa(settings):
    replay = Replay()
    settings.PAYMENTS_PROVIDER = "yookassa"
    settings.PAYMENTS_YOOKASSA_SHOP_ID = "100500"
    settings.PAYMENTS_YOOKASSA_SECRET_KEY = "test_secret"
    settings.PAYMENTS_YOOKASSA_API_URL = replay.url
    yield replay
    replay.server.shutdown()
    replay.server.server_close()
