"""Wiring beyond the API blueprint: the signing keyring and the public /verify/<id> page that a
certificate's QR code opens (Chinese and English, no JavaScript)."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, render_template, request

from marketplace import container
from marketplace.extensions import db
from services.certificates import presentation, verify
from services.certificates.signing import Keyring
from services.errors import NotFound

log = logging.getLogger(__name__)
KEYRING = "huanxin.cert_keyring"

pages = Blueprint("certificate_pages", __name__)


def keyring() -> Keyring:
    return current_app.extensions[KEYRING]


def init_app(app: Flask) -> None:
    # The settings loader filled in a throwaway development key when CERT_SIGNING_KEYS is unset.
    s = container.of(app).settings
    app.extensions[KEYRING] = Keyring.from_env({"CERT_SIGNING_KEYS": s.cert_signing_keys or "",
                                                "CERT_SIGNING_ACTIVE_KID": s.cert_signing_active_kid or ""})
    app.register_blueprint(pages)


# verdict code on the page (data-verdict) and its mark; the words come from presentation.VERDICTS
_MARK = {"valid": ("valid", "✔"), "invalid": ("tampered", "✘"), "revoked": ("revoked", "✘"),
         "superseded": ("superseded", "⚠")}


@pages.route("/verify/<uuid:certificate_id>")
def verify_page(certificate_id):
    imei = (request.args.get("imei") or "").strip()[:32] or None
    try:
        result = verify.verify(db.session, certificate_id, imei=imei)
    except NotFound:
        return _html(render_template("certificates/verify.html", result=None,
                                     certificate_id=certificate_id), 404)
    payload = db.session.get(verify.WipeCertificate, certificate_id).payload
    view = presentation.view(payload, status=result["status"], status_reason=result["status_reason"],
                             issued_by=presentation.issuer(db.session, presentation.issuing_org_id(payload)))
    return _html(render_template("certificates/verify.html", result=result, view=view,
                                 mark=_MARK[result["status"]], certificate_id=certificate_id,
                                 imei_given=imei is not None), 200)


@pages.route("/verify/<path:mistyped>")
def verify_page_mistyped(mistyped):
    """A person who mistypes the link from a paper certificate gets the page that says no such
    certificate exists, not an API error."""
    return _html(render_template("certificates/verify.html", result=None,
                                 certificate_id=mistyped[:64]), 404)


def _html(body: str, status: int):
    resp = current_app.response_class(body, status=status, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                               "form-action 'self'")
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["Cache-Control"] = "no-store"
    return resp
