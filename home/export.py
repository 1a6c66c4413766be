"""A person's own data, as JSON they can download (their right to a copy).

Only what they wrote or chose; other people's words (replies to their
posts) are not theirs to take, so they appear only as counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress

from circles.models import Membership
from conversations.models import Introduction, Post, Reply, Thanks
from meetings.models import AgendaTopic, Commitment, Rsvp
from members.models import Profile, User
from moderation.models import Flag

FORMAT_VERSION = 1


def _when(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_for(user: User) -> dict[str, Any]:
    """Everything below is filtered by ``user``: nobody else's rows are read out."""
    profile = (
        Profile.objects.filter(user=user).prefetch_related("can_help_with", "looking_for").first()
    )
    data: dict[str, Any] = {
        "format": "peertables-export",
        "version": FORMAT_VERSION,
        "exported_at": _when(dt.datetime.now(dt.UTC)),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
        "profile": None,
    }
    if profile is not None:
        data["profile"] = {
            "headline": profile.headline,
            "industry": profile.industry,
            "role": profile.role,
            "experience": profile.experience,
            "city": profile.city,
            "bio": profile.bio,
            "can_help_with": [t.name for t in profile.can_help_with.all()],
            "looking_for": [t.name for t in profile.looking_for.all()],
            "has_avatar": bool(profile.avatar),
        }
    data["memberships"] = [
        {
            "circle": m.circle.name,
            "circle_slug": m.circle.slug,
            "role": m.role,
            "status": m.status,
            "joined_at": _when(m.joined_at),
            "note": m.note,
        }
        for m in Membership.objects.filter(user=user).select_related("circle").order_by("pk")
    ]
    data["posts"] = [
        {
            "id": p.pk,
            "circle": p.circle.name,
            "kind": p.kind,
            "title": p.title,
            "body": p.body,
            "status": p.status,
            "in_the_room": p.in_the_room,
            "created_at": _when(p.created_at),
            "edited_at": _when(p.edited_at),
            "deleted_at": _when(p.deleted_at),
        }
        for p in Post.objects.filter(author=user).select_related("circle").order_by("pk")
    ]
    data["replies"] = [
        {
            "id": r.pk,
            "post_id": r.post_id,
            "post_title": r.post.title,
            "body": r.body,
            "created_at": _when(r.created_at),
            "edited_at": _when(r.edited_at),
            "deleted_at": _when(r.deleted_at),
        }
        for r in Reply.objects.filter(author=user).select_related("post").order_by("pk")
    ]
    data["thanks_given"] = [
        {"reply_id": t.reply_id, "note": t.note, "created_at": _when(t.created_at)}
        for t in Thanks.objects.filter(given_by=user).order_by("pk")
    ]
    data["thanks_received"] = Thanks.objects.filter(reply__author=user).count()
    data["introductions_made"] = [
        {
            "circle": i.circle.name,
            "status": i.status,
            "note_for_a": i.note_for_a,
            "note_for_b": i.note_for_b,
            "created_at": _when(i.created_at),
        }
        for i in Introduction.objects.filter(introducer=user).select_related("circle")
    ]
    data["rsvps"] = [
        {
            "circle": r.meeting.circle.name,
            "meeting_starts_at": _when(r.meeting.starts_at),
            "answer": r.answer,
            "waitlisted": r.waitlisted,
        }
        for r in Rsvp.objects.filter(user=user).select_related("meeting__circle").order_by("pk")
    ]
    data["agenda_topics"] = [
        {
            "circle": t.meeting.circle.name,
            "meeting_starts_at": _when(t.meeting.starts_at),
            "title": t.title,
            "details": t.details,
            "status": t.status,
        }
        for t in AgendaTopic.objects.filter(author=user)
        .select_related("meeting__circle")
        .order_by("pk")
    ]
    data["commitments"] = [
        {
            "circle": c.meeting.circle.name,
            "meeting_starts_at": _when(c.meeting.starts_at),
            "text": c.text,
        }
        for c in Commitment.objects.filter(user=user).select_related("meeting__circle")
    ]
    data["flags_filed"] = _flags_filed(user)
    return data


def _flags_filed(user: User) -> list[dict[str, Any]]:
    return [
        {
            "circle": f.circle.name,
            "item": "post" if f.post_id else "reply",
            "item_id": f.post_id or f.reply_id,
            "reason": f.reason,
            "note": f.note,
            "created_at": _when(f.created_at),
        }
        for f in Flag.objects.filter(flagged_by=user).select_related("circle").order_by("pk")
    ]
