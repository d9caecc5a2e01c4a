"""The outside channels behind interfaces: email over SMTP (or a log stand-in without SMTP_HOST)
and SMS (a log stand-in until a provider is contracted), and where a user's address comes from
(a port the caller passes: accounts sit above this domain)."""
from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy.orm import Session

from services.identifiers import mask_phone

log = logging.getLogger(__name__)


class SendFailed(Exception):
    """The provider refused or could not be reached; the delivery is retried later."""


class NoAddress(SendFailed):
    """The user has no address on this channel: not retried (the delivery is `failed` at once)."""


class Mailer(Protocol):
    name: str

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text email or raise SendFailed."""


class SmsSender(Protocol):
    name: str

    def send(self, to: str, text: str) -> None:
        """Send one text message or raise SendFailed."""


class Addresses(Protocol):
    def email_of(self, session: Session, user_id: uuid.UUID) -> str | None: ...

    def phone_of(self, session: Session, user_id: uuid.UUID) -> str | None: ...


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int = 25
    sender: str = "noreply@huanxin.example"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0
    name: str = "smtp"

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg.set_content(body, charset="utf-8")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as e:
            raise SendFailed(f"smtp: {type(e).__name__}: {e}"[:200]) from e


class LogMailer:
    """Without SMTP_HOST: the email is written to the log, body included (development, `make
    run`: a registration's confirmation code is read there)."""
    name = "log"

    def send(self, to: str, subject: str, body: str) -> None:
        log.info("email (not sent: SMTP_HOST unset)", extra={"to": to, "subject": subject, "body": body})


class LogSms:
    """SMS stand-in: the text is written to the log."""
    name = "log"

    def send(self, to: str, text: str) -> None:
        log.info("sms (stand-in)", extra={"to": mask_phone(to), "text": text})


def mailer_for(host: str | None, **kw) -> Mailer:
    return SmtpMailer(host, **kw) if host else LogMailer()
