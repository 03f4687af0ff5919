"""What the compose page uses: its findings slots, the check panel's parts and Submit, each rendered once per
distinct content.

The live check answers all of them on every keystroke (two dozen slots with twelve references), and nearly all
are the same from one keystroke to the next: typing in the prompt seldom changes a finding, the price or the
panel. Each of these partials of studio/compose.html reads one frozen value and nothing else (panel.FindingsSlot,
panel.LivePanel), so its HTML depends only on that value, whether it is swapped out of band, and where the URLs
it names point (the script prefix and URLconf): each distinct one is rendered once per process and then reused.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString

from seedance_studio.studio.panel import FindingsSlot, LivePanel

register = template.Library()


@register.simple_tag
def findings_slot(slot: FindingsSlot, oob: bool = False) -> SafeString:
    """A field's or a chip's findings list, marked for an out-of-band swap when `oob`."""
    return _rendered("findings-slot", "slot", slot, bool(oob), get_script_prefix(), get_urlconf())


@register.simple_tag
def findings_slots(slots: list[FindingsSlot], oob: bool = False) -> SafeString:
    """`findings_slot` for each of `slots`, one after the other (the live check's two dozen, in one tag)."""
    where = get_script_prefix(), get_urlconf()
    return SafeString("".join(_rendered("findings-slot", "slot", slot, bool(oob), *where) for slot in slots))


@register.simple_tag
def panel_facts(panel: LivePanel) -> SafeString:
    """The check panel's heading, mode and price."""
    return _rendered("panel-facts", "panel", panel, False, get_script_prefix(), get_urlconf())


@register.simple_tag
def panel_findings(panel: LivePanel) -> SafeString:
    """The check panel's findings, balance shortfall and "Ready to submit"."""
    return _rendered("panel-findings", "panel", panel, False, get_script_prefix(), get_urlconf())


@register.simple_tag
def submit_area(panel: LivePanel, oob: bool = False) -> SafeString:
    """Submit with its price, disabled with the reason while the job cannot be submitted."""
    return _rendered("submit-area", "panel", panel, bool(oob), get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=1024)
def _rendered(partial: str, name: str, value: Hashable, oob: bool, _prefix: str, _urlconf) -> SafeString:
    return SafeString(get_template(f"studio/compose.html#{partial}").render({name: value, "oob": oob}))


def forget_rendered_partials(**_signal) -> None:
    """Render every partial anew from here on: when a template changes under the development server (as Django's
    own template loaders are reset), and in benchmarks/live_check.py, which times the worst keystroke with it."""
    _rendered.cache_clear()


file_changed.connect(forget_rendered_partials, dispatch_uid="compose_partials_file_changed")
