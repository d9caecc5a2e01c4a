"""Builders for shipping and notification tests: carrier secrets, signed webhook calls, the SMTP
handler that keeps what it receives."""
from __future__ import annotations

import json
import time
from email import message_from_bytes, policy

from services.shipping.signing import sign

CARRIER_SECRETS = {"CARRIER_SECRET_SF": "sf-test-secret", "CARRIER_SECRET_YTO": "yto-test-secret"}
SECRET = {"sf": "sf-test-secret", "yto": "yto-test-secret"}


class Inbox:
    """aiosmtpd handler: every message received, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "subject": str(msg["Subject"]),
                              "body": msg.get_body(("plain",)).get_content()})
        return "250 OK"


def tracking_event(tracking_number: str, status: str, at, event_id: str | None = None, **extra) -> dict:
    return {"event_id": event_id or f"{tracking_number}-{status}-{at.isoformat()}", "tracking_number": tracking_number,
            "status": status, "occurred_at": at.isoformat(), **extra}


def post_carrier_event(client, carrier: str, payload, *, secret: str | None = None, ts: int | None = None,
                       signature: str | None = None):
    """POST a tracking event to the carrier webhook, signed as the carrier would."""
    raw = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    ts = int(time.time()) if ts is None else ts
    sig = signature or sign(secret or SECRET[carrier], ts, raw)
    return client.post(f"/api/v1/webhooks/carriers/{carrier}", data=raw, content_type="application/json",
                       headers={"X-Carrier-Timestamp": str(ts), "X-Carrier-Signature": sig})


class SmsInbox:
    """The SMS sender a test app is given: keeps every text instead of sending it."""
    name = "test"

    def __init__(self):
        self.texts: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.texts.append((to, text))
