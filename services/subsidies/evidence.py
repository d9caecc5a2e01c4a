"""Evidence owned by other domains, read through small functions that return None when the
record (or the domain itself) does not exist yet."""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session


def wipe_certificate(session: Session, *, certificate_id: str | None = None,
                     old_device_hash: str | None = None) -> dict | None:
    """The data-wipe certificate of the old device: by id, else the device's current one."""
    try:
        from services.certificates.models import CertificateIdentifier, WipeCertificate
    except ImportError:  # the certificates domain is optional for claims
        return None
    cert = None
    if certificate_id:
        try:
            cert = session.get(WipeCertificate, uuid.UUID(str(certificate_id)))
        except ValueError:
            cert = None
    elif old_device_hash:
        cert_id = session.scalar(select(CertificateIdentifier.certificate_id).where(
            CertificateIdentifier.id_hash == old_device_hash, CertificateIdentifier.current.is_(True)))
        cert = session.get(WipeCertificate, cert_id) if cert_id else None
    if cert is None:
        return None
    return {"id": str(cert.id), "status": getattr(cert.status, "value", str(cert.status)),
            "issued_at": cert.issued_at.isoformat() if cert.issued_at else None}


def recycling_voucher(session: Session, *, voucher_no: str | None, recycler_name: str | None) -> dict | None:
    """The old item's recycling voucher. The pickups domain keeps no vouchers yet, so this is the
    voucher the retailer recorded at the till; None when there is none."""
    if not voucher_no and not recycler_name:
        return None
    return {"voucher_no": voucher_no, "recycler": recycler_name}
