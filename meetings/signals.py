"""What happens at a meeting that the apps above meetings act on.

Sent by meetings.rsvp_services inside its transaction, like circles/signals.py;
notifications (notifications/receivers.py) connects the receivers.
"""

from __future__ import annotations

from django.dispatch import Signal

# meeting, rsvps: seats opened and these waitlisted RSVPs were seated, all at once.
waitlist_promoted = Signal()
