"""Hook points for notifications and live timelines (portal/notifications, portal/live).

`timeline_changed` is sent after the commit of every public line added to a complaint's timeline
(a state change or a reply): sender=Complaint, complaint=..., event=ComplaintEvent.
"""

from django.dispatch import Signal

timeline_changed = Signal()
