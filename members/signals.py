"""What members asks the apps built on it, without importing them.

members is the ground floor: it knows no circle, meeting or post. Where a
rule of a higher app decides something about a person's account, members
sends a signal and that app answers from a receiver connected in its
``AppConfig.ready()``.
"""

from __future__ import annotations

from django.dispatch import Signal

# user: asked before a person deletes their account (its page shows the answers, and
# members.services.account_delete refuses while there are any). Each receiver
# answers None, or a sentence for the person saying why the account cannot go yet
# (circles: "You are the only host of …").
account_delete_blockers = Signal()
