"""Notifications to users behind one interface. The default writes to the notification log
table and needs no outside service; an SMS or email provider implements `Notifier` too."""
from services.notifications.service import (LogNotifier, Message, Notifier, configure,
                                           get_notifier, sent_to)

__all__ = ["LogNotifier", "Message", "Notifier", "configure", "get_notifier", "sent_to"]
