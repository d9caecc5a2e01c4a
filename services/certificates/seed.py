"""Demo certificates: the seed's phones are taken in, wiped, reported, validated by a second
person and signed through the real services, so demo listings obey the data-wipe publish gate
(verify.listing_gate) like any seller's listing."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from sqlalchemy.orm import Session

from services import clock
from services.accounts.models import User

from . import custody, service, tools
from .models import CustodyKind
from .signing import Keyring

# A mobile erasure suite that crypto-erases phones (NIST Purge on encrypted-from-first-use
# flash); the demo operator puts it on the allow-list, as an operator would for a real tool.
TOOL_NAME, TOOL_VERSION = "Blancco Mobile Diagnostics & Erasure", "7.4.1"


@dataclass(frozen=True)
class Team:
    """A recycler's technician and a colleague who validates (a second person, same org)."""
    org_id: uuid.UUID
    technician: User
    validator: User
    place: str

    def independent_of(self, seller_id: uuid.UUID, seller_org_id: uuid.UUID | None) -> bool:
        """Neither member is the seller or works for the seller's organisation."""
        members = (self.technician, self.validator)
        return seller_id not in {m.id for m in members} and \
            (seller_org_id is None or all(seller_org_id not in m.org_ids() for m in members))


@dataclass(frozen=True)
class Device:
    imei: str
    kind: str            # a draft.DeviceKind value: phone, tablet, other (a smartwatch)
    make: str
    model: str
    storage_gb: int
    seller_id: uuid.UUID
    seller_org_id: uuid.UUID | None


def allow_tool(session: Session, operator: User) -> None:
    if (TOOL_NAME, TOOL_VERSION) not in tools.allowed(session):
        tools.add(session, operator, name=TOOL_NAME, version=TOOL_VERSION,
                  assurance="demo data: mobile crypto erase with completion report")


def wipe_report(device: Device, team: Team, *, wiped_at: datetime) -> dict[str, Any]:
    """The report a technician submits for a crypto-erased phone going to resale."""
    medium = {"media_type": "flash_embedded",
              "interface": "apple-nand" if device.make == "Apple" else "ufs",
              "capacity_bytes": device.storage_gb * 10**9, "level": "purge",
              "technique": "crypto_erase", "encrypted_from_first_use": True,
              "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
              "verification": {"method": "command_status", "result": "passed"},
              "started_at": wiped_at, "completed_at": wiped_at + timedelta(minutes=4),
              "outcome": "erased"}
    return {"device": {"kind": device.kind, "make": device.make, "model": device.model,
                       "imeis": [device.imei], "serial": None},
            "media": [medium],
            "locks": {"activation_lock": "removed", "frp": "not_present", "mdm": "not_present"},
            "destination": "resale", "place": team.place, "validator_id": team.validator.id}


def team_for(device: Device, teams: list[Team], n: int) -> Team:
    """Round-robin over the teams independent of the device's seller."""
    fit = [t for t in teams if t.independent_of(device.seller_id, device.seller_org_id)]
    if not fit:
        raise ValueError(f"no demo team is independent of seller {device.seller_id}")
    return fit[n % len(fit)]


def certify_all(session: Session, ring: Keyring, devices: Iterable[Device], teams: list[Team],
                progress: Callable[[int], None] | None = None) -> int:
    """Intake, submit and approve a certificate for each device; returns how many were issued.
    Refusals propagate: demo data that breaks a rule is a bug in the demo."""
    now = clock.now(session)
    n = 0
    for n, device in enumerate(devices, 1):
        team = team_for(device, teams, n)
        custody.record(session, team.technician, kind=CustodyKind.INTAKE,
                       at=now - timedelta(days=2, minutes=n % 600), imei=device.imei,
                       org_id=team.org_id, note="demo intake")
        req = service.submit(session, team.technician,
                             wipe_report(device, team, wiped_at=now - timedelta(days=1, minutes=n % 600)))
        service.approve(session, team.validator, req.id, ring)
        if progress and n % 100 == 0:
            progress(100)
    if progress:
        progress(n % 100)
    return n
