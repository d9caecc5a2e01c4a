"""The operators' allow-list of erasure tools and versions (abuse case 15)."""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock
from services.accounts.models import User
from services.errors import Conflict, Forbidden, NotFound

from .models import WipeTool


def _operator(actor: User) -> None:
    if not actor.is_operator:
        raise Forbidden("only operators keep the tool allow-list", code="role_required")


def allowed(session: Session) -> set[tuple[str, str]]:
    """The (name, version) pairs a certificate may name today."""
    return set(session.execute(select(WipeTool.name, WipeTool.version)
                               .where(WipeTool.active.is_(True))).all())


def list_tools(session: Session, *, include_retired: bool = False) -> list[WipeTool]:
    stmt = select(WipeTool).order_by(WipeTool.name, WipeTool.version)
    if not include_retired:
        stmt = stmt.where(WipeTool.active.is_(True))
    return list(session.scalars(stmt))


def add(session: Session, actor: User, *, name: str, version: str, assurance: str = "") -> WipeTool:
    """Allow a tool version; a retired one is re-activated rather than duplicated."""
    _operator(actor)
    tool = session.scalar(select(WipeTool).where(WipeTool.name == name,
                                                 WipeTool.version == version))
    if tool is not None and tool.active:
        raise Conflict(f"{name} {version} is already allowed", code="tool_already_allowed")
    if tool is None:
        tool = WipeTool(name=name, version=version, assurance=assurance, added_by=actor.id)
        session.add(tool)
    else:
        tool.active, tool.retired_at, tool.assurance = True, None, assurance or tool.assurance
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"{name} {version} is already allowed", code="tool_already_allowed") from None
    audit.record(session, actor.id, "wipe_tool.allow", "wipe_tool", tool.id,
                 after={"name": name, "version": version})
    return tool


def retire(session: Session, actor: User, tool_id: uuid.UUID) -> WipeTool:
    """Stop accepting a tool version for new certificates; issued ones are unaffected."""
    _operator(actor)
    tool = session.get(WipeTool, tool_id)
    if tool is None or not tool.active:
        raise NotFound("no such allowed tool")
    tool.active, tool.retired_at = False, clock.now(session)
    audit.record(session, actor.id, "wipe_tool.retire", "wipe_tool", tool.id,
                 before={"name": tool.name, "version": tool.version})
    session.flush()
    return tool
