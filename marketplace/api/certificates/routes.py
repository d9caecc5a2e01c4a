"""Data-wipe certificates: request, validate and sign, correct, revoke, verify, PDF; the tool
allow-list and chain-of-custody events."""
from __future__ import annotations

from flask import Response, current_app, url_for

from marketplace.api.certificates import schemas as s
from marketplace.api.certificates.pages import keyring
from marketplace.auth import public, require_operator, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import PageArgs, page, page_of
from marketplace.uow import unit_of_work
from services.certificates import custody, keys, lookup, pdf, presentation, service, tools, verify
from services.certificates.models import CustodyKind
from services.certificates.service import ISSUER_ROLES

blp = Blueprint("certificates", __name__, description="Data-wipe certificates for electronics")


@blp.route("/certificates/requests", methods=["POST"])
@idempotent
@blp.arguments(s.CertificateRequestCreateSchema)
@blp.response(201, s.CertificateRequestSchema)
def submit_request(data):
    """Submit a wipe report for its named validator. Refusals are 422 naming each rule code."""
    user = require_user(*ISSUER_ROLES)
    with unit_of_work() as session:
        submitted = service.check_and_submit(session, user, data)
    # Raised only now: inside the unit of work the refusal would roll back its credit record.
    req = submitted.result()
    return req, 201, {"Location": f"/api/v1/certificates/requests/{req.id}"}


@blp.route("/certificates/<uuid:certificate_id>/corrections", methods=["POST"])
@idempotent
@blp.arguments(s.CertificateRequestCreateSchema)
@blp.response(201, s.CertificateRequestSchema)
def submit_correction(data, certificate_id):
    """Submit a corrected report for the same device; once approved it supersedes this one."""
    user = require_user(*ISSUER_ROLES)
    with unit_of_work() as session:
        submitted = service.check_and_submit(session, user, data, supersedes_id=certificate_id)
    req = submitted.result()  # a refusal is raised after its credit record is committed
    return req, 201, {"Location": f"/api/v1/certificates/requests/{req.id}"}


@blp.route("/certificates/mine", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(s.OwnedCertificateSchema))
def my_certificates(args):
    """Certificates of the devices you list for sale or asked a recycler to wipe, newest first."""
    items, nxt = lookup.mine(db.session, require_user(), cursor=args["cursor"], limit=args["limit"])
    return page(items, nxt)


@blp.route("/certificates/lookup", methods=["POST"])
@public
@blp.arguments(s.LookupSchema)
@blp.response(200, s.LookupResultSchema)
def lookup_certificate(data):
    """Public and rate limited (`RATE_LIMIT_LOOKUP`): the current certificate of the device with
    this IMEI or serial (status re-verified, verification link); the identifier is not echoed."""
    return lookup.lookup(db.session, imei=data["imei"], serial=data["serial"])


@blp.route("/certificates/requests/<uuid:request_id>", methods=["GET"])
@blp.response(200, s.CertificateRequestSchema)
def get_request(request_id):
    """A request, for its technician, its validator, their organisation and operators."""
    return service.get_request(db.session, require_user(), request_id)


@blp.route("/certificates/requests/<uuid:request_id>/approve", methods=["POST"])
@blp.response(201, s.CertificateSchema)
def approve_request(request_id):
    """The named validator approves: the certificate is signed and appended to the registry."""
    user = require_user(*ISSUER_ROLES)
    with unit_of_work() as session:
        cert = service.approve(session, user, request_id, keyring())
    return cert, 201, {"Location": f"/api/v1/certificates/{cert.id}"}


@blp.route("/certificates/requests/<uuid:request_id>/reject", methods=["POST"])
@blp.arguments(s.ReasonSchema)
@blp.response(200, s.CertificateRequestSchema)
def reject_request(data, request_id):
    """The named validator (or an operator) rejects the request, with a reason."""
    user = require_user(*ISSUER_ROLES)
    with unit_of_work() as session:
        return service.reject(session, user, request_id, data["reason"])


@blp.route("/certificates/<uuid:certificate_id>", methods=["GET"])
@blp.response(200, s.CertificateSchema)
def get_certificate(certificate_id):
    """The signed record, for the issuing organisation and operators (buyers use /verify)."""
    return service.get_certificate(db.session, require_user(), certificate_id)


@blp.route("/certificates/<uuid:certificate_id>/revocations", methods=["POST"])
@blp.arguments(s.ReasonSchema)
@blp.response(200, s.CertificateSchema)
def revoke_certificate(data, certificate_id):
    """Revoke a certificate with a reason (operators); the device needs a new one to sell."""
    user = require_operator()
    with unit_of_work() as session:
        return service.revoke(session, user, certificate_id, data["reason"])


@blp.route("/certificates/<uuid:certificate_id>/verify", methods=["GET"])
@public
@blp.arguments(s.VerifyArgs, location="query")
@blp.response(200, s.VerificationSchema)
def verify_certificate(args, certificate_id):
    """Public: does the signature hold, with which key, the status, a masked device summary,
    and whether a given `imei` or `serial` is this device (keyed-hash comparison)."""
    return verify.verify(db.session, certificate_id, imei=args["imei"], serial=args["serial"])


@blp.route("/certificates/<uuid:certificate_id>/pdf", methods=["GET"])
@public
@blp.response(200, content_type="application/pdf")
def certificate_pdf(certificate_id):
    """Public: the certificate as a PDF with a QR code to its verify page (a view, not the record)."""
    result = verify.verify(db.session, certificate_id)
    cert = db.session.get(verify.WipeCertificate, certificate_id)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    url = base + url_for("certificate_pages.verify_page", certificate_id=certificate_id)
    view = presentation.view(cert.payload, status=result["status"], status_reason=result["status_reason"],
                             issued_by=presentation.issuer(db.session, presentation.issuing_org_id(cert.payload)))
    body = pdf.render(cert.envelope(), view, verify_url=url)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="wipe-certificate-{certificate_id}.pdf"'})


@blp.route("/certificates/keys", methods=["GET"])
@public
@blp.response(200, s.SigningKeySchema(many=True))
def list_keys():
    """Public: every key that signed certificates, with its status, for offline verification."""
    return keys.published(db.session)


@blp.route("/certificates/keys/<string:kid>/revocations", methods=["POST"])
@blp.arguments(s.ReasonSchema)
@blp.response(200, s.SigningKeySchema)
def revoke_key(data, kid):
    """Revoke a signing key (operators): its certificates then verify as revoked."""
    user = require_operator()
    with unit_of_work() as session:
        return keys.revoke(session, user, kid, data["reason"])


@blp.route("/certificates/tools", methods=["GET"])
@blp.response(200, s.ToolSchema(many=True))
def list_tools():
    """The erasure tools and versions certificates may name."""
    require_user()
    return tools.list_tools(db.session)


@blp.route("/certificates/tools", methods=["POST"])
@idempotent
@blp.arguments(s.ToolCreateSchema)
@blp.response(201, s.ToolSchema)
def add_tool(data):
    """Allow an erasure tool version (operators), with its assurance evidence."""
    user = require_operator()
    with unit_of_work() as session:
        return tools.add(session, user, **data)


@blp.route("/certificates/tools/<uuid:tool_id>", methods=["DELETE"])
@blp.response(204)
def retire_tool(tool_id):
    """Stop accepting a tool version for new certificates (operators)."""
    user = require_operator()
    with unit_of_work() as session:
        tools.retire(session, user, tool_id)


@blp.route("/certificates/custody-events", methods=["POST"])
@idempotent
@blp.arguments(s.CustodyCreateSchema)
@blp.response(201, s.CustodySchema)
def record_custody(data):
    """Record intake, transfer, wipe, QC, dispatch or return of a device (staff, operators)."""
    user = require_user(*ISSUER_ROLES)
    with unit_of_work() as session:
        return custody.record(session, user, kind=CustodyKind(data["kind"]), at=data["at"],
                              imei=data["imei"], serial=data["serial"], note=data["note"],
                              org_id=data["org_id"])
