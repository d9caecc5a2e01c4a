"""What other domains use of data-wipe certificates: the gates a hand-over of a device passes
(listing publish, order capture, trade-in resale), and the certificate that covers a device
(`for_device`: trade-in resale)."""
from __future__ import annotations

from services.certificates.lookup import for_device
from services.certificates.verify import device_gate, listing_gate, needs_certificate, require_issued_since

__all__ = ["device_gate", "for_device", "listing_gate", "needs_certificate", "require_issued_since"]
