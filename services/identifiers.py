"""Check digits and keyed hashes for the identifiers we must never store raw.

VIN: ISO 3779 / GB 16735 check digit in position 9. IMEI: 14 digits + Luhn (3GPP TS 23.003).
Resident ID: GB 11643, ISO 7064 MOD 11-2. Raw values are hashed with HMAC-SHA256 under
ID_HASH_KEY; only the hash and the last four characters are kept.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date

from sqlalchemy.orm import Session

from services import deps


class IdHasher:
    """HMAC-SHA256 of normalised identifiers under one key (ID_HASH_KEY); one per app."""

    __slots__ = ("_key",)

    def __init__(self, key: str | bytes):
        if not key:
            raise ValueError("an IdHasher needs a key (ID_HASH_KEY)")
        self._key = key.encode() if isinstance(key, str) else key

    def hash(self, value: str, *, purpose: str = "id") -> str:
        """Keyed hash of a normalised identifier; `purpose` separates ID numbers from IMEIs."""
        msg = f"{purpose}:{normalise(value)}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()

    def matches(self, stored_hash: str, value: str, *, purpose: str = "id") -> bool:
        return hmac.compare_digest(stored_hash, self.hash(value, purpose=purpose))


def hasher(session: Session) -> IdHasher:
    """The id hasher of the app that made `session`."""
    return deps.of(session).ids


def normalise(value: str) -> str:
    """One spelling per identifier: ASCII digits and capitals, no spaces or hyphens.

    Full-width characters (what Chinese input methods type) and other scripts' digits (٤, ४) pass
    `\\d`, `isdigit()` and `int()`, so without this an IMEI or resident ID typed that way passed its
    check digit yet hashed apart from its ASCII twin: past the blocklist and the per-person limits."""
    v = unicodedata.normalize("NFKC", value)
    v = "".join(str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c for c in v)
    return re.sub(r"[\s\-]", "", v).upper()


def hmac_hash(session: Session, value: str, *, purpose: str = "id") -> str:
    """Keyed hash (under the session's app's ID_HASH_KEY) of a normalised identifier."""
    return deps.of(session).ids.hash(value, purpose=purpose)


def hashes_match(session: Session, stored_hash: str, value: str, *, purpose: str = "id") -> bool:
    return deps.of(session).ids.matches(stored_hash, value, purpose=purpose)


def last4(value: str) -> str:
    return normalise(value)[-4:]


def mask(last_four: str | None) -> str | None:
    return None if not last_four else "****" + last_four


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def imei_ok(value: str) -> bool:
    v = normalise(value)
    return len(v) == 15 and luhn_ok(v)


_VIN_VALUES = {**{str(d): d for d in range(10)},
               **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))), "P": 7,
               "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS))
    r = total % 11
    return "X" if r == 10 else str(r)


def vin_ok(value: str) -> bool:
    v = normalise(value)
    return bool(VIN_RE.match(v)) and vin_check_digit(v) == v[8]


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_ok(value: str) -> bool:
    """GB 11643 18-character resident ID: 17 digits, a valid birth date, MOD 11-2 check."""
    v = normalise(value)
    if not re.fullmatch(r"\d{17}[\dX]", v):
        return False
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(v[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == v[17]


# GB 32100-2015 unified social credit code (统一社会信用代码): 18 characters from a 31-character
# set (digits and capitals without I, O, S, V, Z). Positions: 1 registration authority, 2 entity
# category, 3-8 GB/T 2260 administrative division (digits), 9-17 the GB 11714 organisation code,
# 18 the check character. Weight i is 3^i mod 31; the check character's value is
# 31 - (sum mod 31), with 31 written as 0.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters (already upper case)."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_ok(value: str) -> bool:
    """A well-formed unified social credit code whose 18th character is its GB 32100 check."""
    v = normalise(value)
    return bool(_USCC_RE.match(v)) and uscc_check_char(v[:17]) == v[17]


# Mainland China mobile numbers: 11 digits, "1" then a network digit 3-9 (the MIIT numbering plan:
# 13x-19x are mobile segments; 10x/11x/12x are service and special numbers). "+86"/"86" and
# spaces or dashes are what people type around them.
_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_mobile(value: str) -> str:
    """13812345678 from "+86 138-1234-5678" (no check: see mobile_ok)."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def mobile_ok(value: str) -> bool:
    """True for a mainland mobile number (after normalise_mobile)."""
    return bool(_MOBILE.fullmatch(normalise_mobile(value)))


def mask_phone(value: str | None) -> str | None:
    """138****5678: the first three and last four digits, as Chinese apps show a number."""
    if not value:
        return None
    digits = normalise_mobile(value)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"
