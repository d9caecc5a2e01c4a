"""The operator-kept catalogue of recognised remanufacturers and product models, and the check a
remanufactured listing must pass against it.

Recognition rests on MIIT's 《再制造产品目录》 announcements (工信部节〔2010〕303号 Art. 3), the 2015
以旧换再 pilot list, or the 2021 auto-parts rules (汽车零部件再制造规范管理暂行办法 Art. 2 and 5:
quality not below new, a public commitment on warranty and labelling, lawful sourcing of old
parts). Sources: ../shared/domain/remanufacturing.md §1.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock, identifiers, pagination
from services.errors import Conflict, NotFound, ValidationFailed
from services.remanufacturing.models import Basis, CatalogueEntry


@dataclass(frozen=True)
class RemanClaim:
    """What a listing shows of the catalogue entry it names."""
    entry_id: uuid.UUID
    enterprise_name: str
    announcement_no: str
    product_name: str
    model: str
    warranty_months: int          # the listing's promise
    committed_warranty_months: int  # the enterprise's public commitment


def add_entry(session: Session, operator, data: dict) -> CatalogueEntry:
    """Add a recognised remanufacturer and model. Refuses (422, field by field) an entry whose
    quality is below new (it is not remanufacturing), an invalid 统一社会信用代码, or, under the
    2021 auto-parts rules, one without a public warranty commitment or lawful core sourcing.
    409 when the same enterprise and model is already live. Audited."""
    errors: dict[str, list[str]] = {}
    code = identifiers.normalise(data["credit_code"])
    if not identifiers.uscc_ok(code):
        errors["credit_code"] = ["Not a valid 统一社会信用代码 (18 characters with its check character)."]
    if not data.get("quality_not_below_new"):
        errors["quality_not_below_new"] = [
            "A remanufactured product's quality and performance must not be below new (原型新品); "
            "otherwise it is not remanufactured."]
    basis = Basis(data["basis"])
    if basis is Basis.AUTO_PARTS_2021:
        if not data.get("lawful_core_sourcing"):
            errors["lawful_core_sourcing"] = [
                "Old parts must come from licensed scrapped-vehicle dismantlers or other lawful channels (2021 rules)."]
        if not data.get("commitment_url"):
            errors["commitment_url"] = [
                "The 2021 auto-parts rules require a public commitment on quality, warranty and labelling: link it."]
    if errors:
        raise ValidationFailed("the catalogue entry is refused", fields=errors)
    entry = CatalogueEntry(
        enterprise_name=data["enterprise_name"].strip(), credit_code=code, category=data["category"].strip(),
        product_name=data["product_name"].strip(), model=data["model"].strip(), basis=basis,
        announcement_no=data["announcement_no"].strip(), batch=data.get("batch"),
        warranty_months=data["warranty_months"], commitment_url=data.get("commitment_url"),
        quality_not_below_new=True, lawful_core_sourcing=bool(data.get("lawful_core_sourcing")),
        added_by=operator.id)
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        raise Conflict("this enterprise and model are already in the catalogue",
                       code="already_in_catalogue") from None
    audit.record(session, operator.id, "reman_catalogue.add", "reman_catalogue", entry.id,
                 after={"enterprise": entry.enterprise_name, "model": entry.model,
                        "announcement_no": entry.announcement_no})
    return entry


def withdraw_entry(session: Session, operator, entry_id, reason: str) -> CatalogueEntry:
    """Take an entry out of the catalogue (new remanufactured listings can no longer name it;
    the entry stays as history). Audited."""
    entry = session.scalar(select(CatalogueEntry).where(CatalogueEntry.id == entry_id).with_for_update())
    if entry is None:
        raise NotFound("no such catalogue entry")
    if entry.withdrawn_at is not None:
        raise Conflict("this entry was already withdrawn", code="already_withdrawn")
    entry.withdrawn_at, entry.withdrawn_reason = clock.now(session), reason
    audit.record(session, operator.id, "reman_catalogue.withdraw", "reman_catalogue", entry.id, reason=reason)
    session.flush()
    return entry


def browse(session: Session, *, q: str | None, cursor: str | None, limit: int, include_withdrawn: bool = False):
    """Catalogue entries (live ones unless asked), filtered by enterprise, product or model text."""
    stmt = select(CatalogueEntry)
    if not include_withdrawn:
        stmt = stmt.where(CatalogueEntry.withdrawn_at.is_(None))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(CatalogueEntry.enterprise_name.ilike(like), CatalogueEntry.model.ilike(like),
                              CatalogueEntry.product_name.ilike(like)))
    return pagination.page(session, stmt, CatalogueEntry, cursor, limit)


def get_entry(session: Session, entry_id) -> CatalogueEntry:
    entry = session.get(CatalogueEntry, entry_id)
    if entry is None:
        raise NotFound("no such catalogue entry")
    return entry


def claim_for_listing(session: Session, entry_id, warranty_months: int | None,
                      model: str | None = None) -> RemanClaim:
    """The verified remanufacturing claim of a listing, or 422 naming the field and the reason:
    no entry named, an entry not in the catalogue (unknown or withdrawn), no warranty, a warranty
    shorter than the enterprise's public commitment, or a listing model that is not the entry's."""
    errors: dict[str, list[str]] = {}
    entry = None
    if entry_id is None:
        errors["reman_entry_id"] = ["A remanufactured (再制造) listing must name its entry in the catalogue "
                                    "of recognised remanufacturers."]
    else:
        entry = session.get(CatalogueEntry, entry_id)
        if entry is None:
            errors["reman_entry_id"] = ["Unknown remanufacturer: this entry is not in the catalogue of "
                                        "recognised remanufacturers (再制造产品目录)."]
        elif entry.withdrawn_at is not None:
            errors["reman_entry_id"] = [f"This catalogue entry was withdrawn: {entry.withdrawn_reason or 'no reason given'}."]
    if warranty_months is None:
        errors["warranty_months"] = ["A remanufactured listing states its warranty in months."]
    elif entry is not None and warranty_months < entry.warranty_months:
        errors["warranty_months"] = [f"Shorter than the remanufacturer's public warranty commitment of "
                                     f"{entry.warranty_months} months."]
    if entry is not None and model and identifiers.normalise(model) != identifiers.normalise(entry.model):
        errors["attributes.model"] = [f"The catalogue entry is for model {entry.model}, not {model}."]
    if errors:
        raise ValidationFailed("the remanufacturing claim cannot be verified", fields=errors)
    return RemanClaim(entry.id, entry.enterprise_name, entry.announcement_no, entry.product_name, entry.model,
                      warranty_months, entry.warranty_months)
