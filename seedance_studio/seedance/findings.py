"""What the core says about a composition: one `Finding` per broken rule or thing worth knowing.

A finding points at what the creative must change (a form field, or a reference by its mention label such
as "@video2") so the live panel can show it right there. `code` is stable: templates, tests and analytics
key on it, the wording of `message` may improve over time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the provider would reject it (or the studio refuses it): Submit stays disabled
    WARNING = "warning"  # it will run, but probably not the way the creative thinks


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    field: str | None = None
    reference: str | None = None  # mention label, e.g. "@video2"
    reference_id: str | None = None  # the reference's stable id, for the chip in the UI
    source: str = ""  # where the rule comes from, "000:304" = shared/seeds/000_*.txt line 304

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(code: str, message: str, *, field: str | None = None, ref=None, source: str = "") -> Finding:
    return _finding(Severity.ERROR, code, message, field, ref, source)


def warning(code: str, message: str, *, field: str | None = None, ref=None, source: str = "") -> Finding:
    return _finding(Severity.WARNING, code, message, field, ref, source)


def _finding(severity, code, message, field, ref, source) -> Finding:
    # `ref` is a LabeledReference (duck-typed to keep this module free of imports).
    return Finding(
        severity=severity,
        code=code,
        message=message,
        field=field if field is not None else ("references" if ref is not None else None),
        reference=ref.label if ref is not None else None,
        reference_id=ref.id if ref is not None else None,
        source=source,
    )
