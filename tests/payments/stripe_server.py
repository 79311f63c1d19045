"""A stand-in for Stripe's API on 127.0.0.1 that records what the SDK sends it, and real
Stripe-format signatures for notifications."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

WEBHOOK_SECRET = "whsec_test_secret"
SECRET_KEY = "sk_test_key"


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<unix time>,v1=HMAC-SHA256(secret, "t.payload")."""
    moment = int(time.time()) if timestamp is None else timestamp
    signed = f"{moment}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def event(kind: str, session: dict[str, Any], *, event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "data": {"object": session},
        }
    ).encode()


def session(session_id: str, *, amount: int, status: str = "paid") -> dict[str, Any]:
    return {
        "id": session_id,
        "object": "checkout.session",
        "amount_total": amount,
        "currency": "eur",
        "payment_status": status,
        "status": "complete",
    }


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    form: list[tuple[str, str]]


@dataclass
class FakeStripe:
    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 200
    sessions: dict[str, str] = field(default_factory=dict)  # idempotency key -> session id


@contextmanager
def fake_stripe() -> Iterator[FakeStripe]:
    state = FakeStripe(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            state.requests.append(
                Received(
                    "POST", self.path, dict(self.headers), parse_qsl(body, keep_blank_values=True)
                )
            )
            number = len(state.requests)
            # Like Stripe: the same idempotency key brings back the same session.
            key = self.headers.get("Idempotency-Key", str(number))
            session_id = state.sessions.setdefault(key, f"cs_test_{number}")
            if state.status != 200:
                answer: dict[str, Any] = {"error": {"type": "api_error", "message": "down"}}
            else:
                answer = {
                    "id": session_id,
                    "object": "checkout.session",
                    "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                    "payment_status": "unpaid",
                    "amount_total": int(
                        dict(state.requests[-1].form).get(
                            "line_items[0][price_data][unit_amount]", "0"
                        )
                    ),
                    "currency": "eur",
                }
            data = json.dumps(answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
