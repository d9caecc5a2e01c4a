"""Fields shared by several resources' schemas."""
from __future__ import annotations

import marshmallow as ma

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
