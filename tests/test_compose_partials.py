"""The compose page's panel, Submit and findings slots are rendered once per distinct content
(studio/templatetags/compose.py): whatever changes what they show must change what is sent."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template.loader import get_template
from django.urls import reverse, set_script_prefix

from seedance_studio.credits.balance import Balance
from seedance_studio.seedance import Finding, Severity
from seedance_studio.seedance.pricing import PriceQuote
from seedance_studio.studio.panel import LivePanel, findings_slot
from seedance_studio.studio.templatetags.compose import findings_slots, submit_area

QUOTE = PriceQuote(
    currency="USD",
    amount=Decimal("0.80"),
    studio_credits=80,
    lines=(),
    summary="5 s x $0.16 = $0.80 -> 80 credits",
    source="document",
    studio_credits_per_unit=Decimal(100),
)


def live_panel(panel: LivePanel, oob: bool = False, sent_prompt: str = "") -> str:
    """The check panel as the compose page renders it."""
    context = {"panel": panel, "oob": oob, "sent_prompt": sent_prompt, "sent_to": "PiAPI" if sent_prompt else ""}
    return get_template("studio/compose.html#live-panel").render(context)


def _disabled(button_html: str) -> bool:
    return re.search(r"\sdisabled[\s>]", button_html) is not None  # the attribute, not hx-disabled-elt


def _panel(**changes) -> LivePanel:
    values = {
        "mode_label": "Omni reference",
        "quote": QUOTE,
        "balance": Balance(100, 0),
        "findings": (),
        "unavailable": None,
        "evaluated": True,
    }
    return LivePanel(**{**values, **changes})


def test_it_shows_a_ready_panel_and_an_enabled_submit():
    html, button = live_panel(_panel()), submit_area(_panel())
    assert "80 credits" in html and "Ready to submit" in html
    assert "Submit · 80 credits" in button and not _disabled(button)


def test_it_shows_each_change_of_what_a_panel_holds():
    ready = live_panel(_panel())
    short = _panel(balance=Balance(30, 0))
    assert "50 more credits" in live_panel(short) and "50 more credits needed to submit" in submit_area(short)
    error = _panel(findings=(Finding(Severity.ERROR, "prompt.empty", "Write a prompt."),))
    assert "Write a prompt." in live_panel(error) and "1 error" in live_panel(error)
    assert _disabled(submit_area(error))
    assert "Provider not set up" in live_panel(_panel(unavailable="Provider not set up"))
    assert "No price until" in live_panel(_panel(quote=None, evaluated=False))
    assert live_panel(_panel()) == ready  # and the same panel again is the same HTML
    typed = live_panel(_panel(), sent_prompt="@image1 <b>walks</b>")  # changes with every keystroke
    assert (
        "As PiAPI receives it" in typed and "@image1 &lt;b&gt;walks&lt;/b&gt;" in typed and "Ready to submit" in typed
    )


def test_it_marks_out_of_band_copies_only():
    assert 'hx-swap-oob="true"' in live_panel(_panel(), oob=True)
    assert "hx-swap-oob" not in live_panel(_panel())
    slot = findings_slot("slot-prompt", [Finding(Severity.WARNING, "w", "Mind the gap.")])
    html = findings_slots([slot, findings_slot("slot-mode")], oob=True)
    assert html.count('hx-swap-oob="true"') == 2 and "Mind the gap." in html and 'id="slot-mode"' in html


def test_it_names_urls_under_the_script_prefix_in_force():
    try:
        set_script_prefix("/studio/")
        prefixed = submit_area(_panel())
    finally:
        set_script_prefix("/")
    assert 'hx-post="/studio/compose/submit/"' in prefixed
    assert f'hx-post="{reverse("submit")}"' in submit_area(_panel()) and "/studio/" not in submit_area(_panel())


@pytest.mark.parametrize("oob", [False, True])
def test_it_escapes_what_a_finding_says(oob):
    finding = Finding(Severity.ERROR, "x", "<script>alert(1)</script> & more")
    for html in (live_panel(_panel(findings=(finding,)), oob=oob), findings_slots([findings_slot("s", [finding])])):
        assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.django_db
def test_it_leaves_no_template_comment_on_the_compose_page(owner_client):
    """A {# #} comment spans one line only; one over two lines is shown to the creative as text."""
    html = owner_client.get(reverse("compose")).content.decode()
    assert "{#" not in html and "#}" not in html and "{%" not in html


def test_it_renders_anew_when_the_development_server_sees_a_file_change(tmp_path):
    from django.utils.autoreload import file_changed

    from seedance_studio.studio.templatetags import compose

    submit_area(_panel())
    assert compose._rendered.cache_info().currsize
    file_changed.send(sender=None, file_path=tmp_path / "compose.html")
    assert compose._rendered.cache_info().currsize == 0
