"""The trade-in flow's collaborators: the app's, built once by create_app (marketplace/container.py)."""
from __future__ import annotations

from marketplace import container
from services.tradeins.ports import Deps


def deps() -> Deps:
    return container.current().deps.tradeins
