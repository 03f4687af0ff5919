"""What the gallery's cards use: a prompt with its @-mentions highlighted, durations in words, and job URLs."""

from __future__ import annotations

import uuid

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from seedance_studio.seedance import parse_mentions

register = template.Library()

PLACEHOLDER = str(uuid.UUID(int=0))


@register.simple_tag(takes_context=True)
def job_url(context, name: str, job) -> str:
    """reverse(name, args=[job.public_id]), for the job URLs every card carries (a page has some 150 of them, and
    reverse costs ~25 µs each): each name is reversed once per render, for a placeholder id, and each card's
    URL is that with its own id in place. Remembered in the render context, so never across requests."""
    patterns = context.render_context.setdefault("job_url_patterns", {})
    if name not in patterns:
        patterns[name] = reverse(name, args=[PLACEHOLDER])
    return patterns[name].replace(PLACEHOLDER, str(job.public_id))


@register.filter
def mentions(prompt, limit=None) -> SafeString:
    """The prompt, escaped, with each mention the Seedance core reads (@image1, @图片1, 【@视频2】, ...) wrapped in
    <mark class="mention mention-image">; a mention of a removed reference is marked "removed" too. `limit`: at
    most that many characters, then "…" (a card shows three lines; the whole prompt is on the job's page)."""
    text = str(prompt or "")
    if limit is not None and len(text) > int(limit):
        text = text[: int(limit) - 1].rstrip() + "…"
    pieces, cursor = [], 0
    for mention in parse_mentions(text):
        kind = mention.kind.value if mention.kind else "removed"  # a removed name's kind went with it
        css = f"mention mention-{kind}{' removed' if mention.removed else ''}"
        pieces += [escape(text[cursor : mention.start]), format_html('<mark class="{}">{}</mark>', css, mention.text)]
        cursor = mention.end
    pieces.append(escape(text[cursor:]))
    return mark_safe("".join(pieces))


@register.filter
def seconds(value) -> str:
    """A duration in words a creative reads at a glance: 42 -> "42 s", 95 -> "1 min 35 s", 750 -> "13 min",
    4000 -> "1 h 7 min"."""
    try:
        total = max(0, round(float(value)))
    except (TypeError, ValueError):
        return ""
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 10:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@register.filter
def ago(moment) -> str:
    """ "just now" for the last minute (timesince would say "0 minutes"), else "3 hours ago"."""
    if not moment:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, depth=1)} ago"
