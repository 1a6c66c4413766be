from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from config.text import render_markdown, render_plain

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> SafeString:
    """{{ post.body|markdown }}: user markdown through the one sanitizer."""
    return render_markdown(value or "")


@register.filter(name="plaintext")
def plaintext_filter(value: str, limit: int | None = None) -> str:
    return render_plain(value or "", limit)
