"""The frame of every page: ``{% site_header %}`` and ``{% site_footer %}`` in base.html.

Written in Python, not included as templates: the frame is on every page, and as
templates its links, labels and language buttons cost about 0.8 ms a page, more than
some pages' own content. The links are reversed once per process (config/urlshapes.py);
the labels are translated on each page, in its language; every value is escaped.
tests/home/ keeps the templates they replaced, and test_frame.py checks both write the
same HTML for every kind of viewer and language.
"""

from __future__ import annotations

from html import escape

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from config.forms import csrf_input
from config.urlshapes import UrlShapes
from notifications.templatetags.bell import bell, bell_html

register = template.Library()

_URLS = UrlShapes(
    lambda: {
        name: escape(reverse(view))
        for name, view in {
            "home": "home",
            "directory": "circles:directory",
            "admin": "admin:index",
            "account": "members:account",
            "logout": "account_logout",
            "login": "account_login",
            "signup": "account_signup",
            "set_language": "set_language",
        }.items()
    }
)


def _labels(*texts: str) -> list[str]:
    return [escape(text) for text in texts]


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    """The brand, the directory, and the person's bell, name and sign-out (or sign in/up)."""
    urls = _URLS.shapes()
    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    current = ' aria-current="page"' if getattr(match, "url_name", None) == "directory" else ""
    main, find = _labels(gettext("Main"), gettext("Find a circle"))
    parts = [
        '<header class="site-header">\n  <div class="container header-row">\n'
        f'    <a class="brand" href="{urls["home"]}">PeerTables</a>\n'
        f'    <nav aria-label="{main}">\n      <ul class="nav-list">\n'
        f'        <li><a href="{urls["directory"]}"{current}>{find}</a></li>\n'
    ]
    if user is not None and user.is_authenticated:
        if user.is_staff:
            (staff,) = _labels(gettext("Staff"))
            parts.append(f'        <li><a href="{urls["admin"]}">{staff}</a></li>\n')
        account, sign_out = _labels(gettext("Your profile and account"), gettext("Sign out"))
        parts.append(
            f"        <li>{bell_html(bell(context))}</li>\n"
            f'        <li><a href="{urls["account"]}" class="nav-person"'
            f' title="{account}">{escape(user.name)}</a></li>\n'
            "        <li>\n"
            f'          <form method="post" action="{urls["logout"]}" class="inline-form">\n'
            f"            {csrf_input(context.get('csrf_token'))}\n"
            f'            <button type="submit" class="link-button">{sign_out}</button>\n'
            "          </form>\n        </li>\n"
        )
    else:
        sign_in, sign_up = _labels(gettext("Sign in"), gettext("Sign up"))
        parts.append(
            f'        <li><a href="{urls["login"]}">{sign_in}</a></li>\n'
            f'        <li><a class="button button-small" href="{urls["signup"]}">'
            f"{sign_up}</a></li>\n"
        )
    parts.append("      </ul>\n    </nav>\n  </div>\n</header>")
    return mark_safe("".join(parts))  # noqa: S308 - every value in it is escaped


@register.simple_tag(takes_context=True)
def site_footer(context) -> SafeString:
    """What PeerTables is, and the language switcher: one button per other language."""
    urls = _URLS.shapes()
    request = context.get("request")
    current = translation.get_language()
    buttons = []
    for code, _name in settings.LANGUAGES:
        code, name = escape(code), escape(translation.get_language_info(code)["name_local"])
        if code == current:
            buttons.append(
                f'<span class="language-current" lang="{code}" aria-current="true">{name}</span>'
            )
        else:
            buttons.append(
                f'<button type="submit" name="language" value="{code}" lang="{code}"'
                f' class="link-button">{name}</button>'
            )
    next_url = escape(request.get_full_path()) if request is not None else ""
    tagline, language, language_label = _labels(
        gettext("PeerTables — small circles, weekly tables, help between meetings. Open source."),
        gettext("Language"),
        gettext("Language:"),
    )
    html = (
        '<footer class="site-footer">\n  <div class="container footer-row">\n'
        f"    <p>{tagline}</p>\n"
        f'    <form method="post" action="{urls["set_language"]}" class="language-form"'
        f' aria-label="{language}">\n'
        f"      {csrf_input(context.get('csrf_token'))}\n"
        f'      <input type="hidden" name="next" value="{next_url}">\n'
        f'      <span class="language-label">{language_label}</span>\n'
        + "".join(f"      {button}\n" for button in buttons)
        + "    </form>\n  </div>\n</footer>"
    )
    return mark_safe(html)  # noqa: S308 - every value in it is escaped
