"""What the conversation views share: who gets past the door, and the thread page's template."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from config.forms import parse_id

# Views that answer htmx with a fragment and plain requests with a page.
vary_on_htmx = vary_on_headers("HX-Request")
# The thread page; its partials are the fragments the thread's htmx requests get.
DETAIL = "conversations/post_detail.html"


def members_only(view):
    """Signed-out people get a 404, like anyone who is not an active member (and for made-up
    URLs alike, so nothing is confirmed to exist). A plain page's 404 offers to sign in and
    come back, so a member following an email link while signed out still gets there;
    htmx requests (a poll whose session ended) get a bare 404 with nothing to swap in.
    Who is a member is the access helpers' call, inside the view.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx or request.method != "GET":
            raise Http404
        login = f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
        return render(request, "conversations/signed_out.html", {"login_url": login}, status=404)

    return wrapped


def reply_cursor(request: HttpRequest, source: QueryDict) -> int | None:
    """The last reply id the page has (``after``), 0 for none, None when it is not an id."""
    return parse_id(source.get("after") or "0", zero=True)
