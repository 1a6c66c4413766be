"""What happens in a circle's conversations that the apps above act on, and one question.

Sent by conversations.services inside its transaction, like circles/signals.py;
notifications (notifications/receivers.py) connects the receivers. Every
signal is sent with the model it is about as ``sender``.
"""

from __future__ import annotations

from django.dispatch import Signal

# reply: a new reply in a thread.
reply_posted = Signal()
# post, by, thanks: the asker thanked these replies (only the new Thanks rows).
thanks_given = Signal()
# introduction: an introducer asked two members to meet.
introduction_requested = Signal()
# introduction, answered_by: both accepted, or one declined.
introduction_closed = Signal()

# user: asked before a reply email goes to a post's author. Each receiver answers
# True or False; the email goes only when none answers False (so it goes when no
# app that keeps email preferences is installed). notifications answers from the
# person's notification settings.
reply_email_wanted = Signal()
