"""Notifications to users. `Notifier` (the notification log) is the older one-message interface;
the in-app feed (`feed.notify`) is what domains call for events a user must act on or would want
to know, with deliveries to email and SMS by the user's preferences, sent after commit by
`delivery.deliver_due`."""
from services.notifications.service import (LogNotifier, Message, Notifier,
                                           build, sent_to)

__all__ = ["LogNotifier", "Message", "Notifier", "build", "sent_to"]
