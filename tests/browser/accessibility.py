"""axe-core (pinned in tests/browser/axe/package.json) run inside a page, and what a page must never do at any
width: scroll sideways."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

AXE_DIR = Path(__file__).parent / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: the rules the studio promises to pass.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def axe_script() -> Path:
    """axe.min.js, installed with `npm ci` from the lock file on first use; the tests skip when npm is absent."""
    if AXE_SCRIPT.exists():
        return AXE_SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(
            "The accessibility checks need axe-core from npm, and npm is not installed (apt-get install npm, "
            "or `npm ci` in tests/browser/axe on a machine that has it)."
        )
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0 or not AXE_SCRIPT.exists():
        pytest.skip(f"`npm ci` in {AXE_DIR} could not install axe-core: {result.stderr.strip()[-500:]}")
    return AXE_SCRIPT


def axe_violations(page) -> list[dict]:
    """The serious and critical WCAG 2 A/AA violations axe finds in the page as it is now."""
    page.add_script_tag(path=str(axe_script()))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [violation for violation in results["violations"] if violation["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """Each violation with the elements it was found on, the way a person fixing them wants to read it."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:6]:
            lines.append(f"    at {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
            lines.append(f"       {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found serious or critical violations on {where}:\n{describe(violations)}"


def assert_no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " window: document.documentElement.clientWidth})"
    )
    assert max(widths["page"], widths["body"]) <= widths["window"], f"{where} scrolls sideways: {widths}"
