"""Fields shared by several resources' schemas."""
from __future__ import annotations

import marshmallow as ma

from services.certificates import draft

MULTI = "Comma-separated values (or the parameter repeated)."


class MultiValue(ma.fields.List):
    """The one style of every multi-valued query parameter: `a,b`, `x=a&x=b` and a mix of both
    mean the same list (search filters, pickup items, ...)."""

    def __init__(self, inner, **kwargs):
        metadata = dict(kwargs.pop("metadata", {}) or {})
        metadata["description"] = f"{metadata.get('description', '').rstrip()} {MULTI}".strip()
        super().__init__(inner, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        values = value if isinstance(value, (list, tuple)) else [value]
        parts = [p.strip() for v in values for p in str(v).split(",") if p.strip()]
        return super()._deserialize(parts, attr, data, **kwargs)


class DeviceKindField(ma.fields.String):
    """A device kind in the shared vocabulary (`mobile_phone`, as in listings), the older
    certificate names (`phone`, `drive`) still accepted; loads the certificate domain's value."""

    def __init__(self, **kwargs):
        aliases = ", ".join(f"`{old}` for `{new}`" for old, new in draft.ALIASES.items())
        metadata = {"enum": draft.input_names(), "x-aliases": dict(draft.ALIASES),
                    "description": f"Kind of device, named as in listings; the older names {aliases} "
                                   "are still accepted.", **(kwargs.pop("metadata", {}) or {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        name = super()._deserialize(value, attr, data, **kwargs)
        try:
            return draft.device_kind(name).value
        except ValueError:
            raise ma.ValidationError(f"Must be one of: {', '.join(draft.input_names())}.") from None
