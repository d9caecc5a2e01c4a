"""Photo uploads and downloads at the HTTP edge, the same for every resource: the multipart
`file` part (a 422 naming it when missing), stored files from the app's storage, and the
headers a stored image is served with."""
from __future__ import annotations

from flask import Response, request

from services.errors import ValidationFailed
from marketplace import container
from services.storage import Storage


def storage() -> Storage:
    """The app's storage (STORAGE_DIR), built once by create_app."""
    return container.current().deps.storage


def uploaded_bytes(field: str = "file") -> bytes:
    f = request.files.get(field)
    if f is None:
        raise ValidationFailed("file missing", fields={field: ["Missing data for required field."]})
    return f.read()


def image_response(data: bytes, mimetype: str, *, public: bool) -> Response:
    """A stored image: cached a day when anyone may see it, an hour and privately otherwise;
    never sniffed into another type."""
    resp = Response(data, mimetype=mimetype)
    resp.headers["Cache-Control"] = "public, max-age=86400" if public else "private, max-age=3600"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
