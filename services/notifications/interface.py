"""What other domains use of notifications: the in-app feed (`notify`, delivered to email and SMS
by the user's preferences after commit; `send_after_commit` starts that delivery regardless), the older one-message `Notifier` with its `Message`, and
how a message writes an amount of money (`money`)."""
from __future__ import annotations

from services.notifications.feed import notify, send_after_commit
from services.notifications.service import Message, Notifier
from services.notifications.templates import money

__all__ = ["Message", "Notifier", "money", "notify", "send_after_commit"]
