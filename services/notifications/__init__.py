"""Notifications to users behind one interface. The default writes to the notification log
table and needs no outside service; an SMS or email provider implements `Notifier` too."""
from services.notifications.service import (LogNotifier, Message, Notifier,
                                           build, sent_to)

__all__ = ["LogNotifier", "Message", "Notifier", "build", "sent_to"]
