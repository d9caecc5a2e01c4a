"""Domain errors. The HTTP edge maps each to one problem+json status in marketplace/errors.py."""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad request"
    code = "bad_request"

    def __init__(self, detail: str = "", *, code: str | None = None, fields: dict | None = None,
                 extra: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra or {}


class ValidationFailed(DomainError):
    """Input that passed the schema but breaks a domain rule; `fields` maps field -> messages."""
    status = 422
    title = "Validation failed"
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"
    code = "unauthorized"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    code = "conflict"


class InvalidState(Conflict):
    """A forbidden state transition; names the transitions that are allowed from here."""
    code = "invalid_state"

    def __init__(self, current: str, attempted: str, allowed: list[str] | tuple[str, ...]):
        allowed = sorted(allowed)
        super().__init__(
            f"cannot go from '{current}' to '{attempted}'; allowed: {', '.join(allowed) or 'none'}",
            extra={"current": current, "attempted": attempted, "allowed": allowed},
        )


class PaymentFailed(DomainError):
    status = 402
    title = "Payment failed"
    code = "payment_failed"


class ServiceUnavailable(DomainError):
    status = 503
    title = "Service unavailable"
    code = "service_unavailable"

    def __init__(self, detail: str = "", *, retry_after: int = 5, **kw):
        super().__init__(detail, **kw)
        self.retry_after = retry_after


class TooManyRequests(DomainError):
    """A domain limit (not the HTTP rate limiter): answered 429 with Retry-After."""
    status = 429
    title = "Too many requests"
    code = "too_many_requests"

    def __init__(self, detail: str = "", *, retry_after: int = 60, **kw):
        super().__init__(detail, **kw)
        self.retry_after = retry_after
