"""The bridge between the studio's models and the pure Seedance core.

Everyone who needs to know whether a composition is valid, what it costs or what to send calls `evaluate_fields`
(the live panel, the submit path, the worker), so the price a creative sees is the price stored on the job.
Labels and choices for the select boxes are not the bridge's business: they are in `studio.choices`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings

from seedance_studio import seedance
from seedance_studio.references.models import Reference, public_url_maker
from seedance_studio.studio.models import RECIPE_FIELDS

# The fields of a composition the core reads; the same names on the model and in the form.
COMPOSITION_FIELDS = RECIPE_FIELDS


def core_reference(
    reference: Reference, public_url: Callable[[Reference], str] = Reference.public_url
) -> seedance.Reference:
    """The core's view of a reference as a composition uses it: `frame` is the pin and `mention_name` the name
    that `Composition.ordered_references()` and `draft_references()` put on each (absent on a bare file). The core's
    Reference makes the kind and frame its own enums itself (doing it here too cost every check twice)."""
    return seedance.Reference(
        id=str(reference.public_id),
        kind=reference.kind,  # type: ignore[arg-type]  # "image", made Kind.IMAGE by the core
        url=public_url(reference),
        format=reference.format,
        width=reference.width,
        height=reference.height,
        duration=reference.duration,
        fps=reference.fps,
        size_bytes=reference.size_bytes,
        has_audio=reference.has_audio if reference.kind == "video" else None,
        name=reference.original_name,
        frame=reference.frame or None,  # type: ignore[arg-type]  # "first", made Frame.FIRST by the core
        mention_name=reference.mention_name or "",
    )


def core_references(references: Iterable[Reference]) -> tuple[seedance.Reference, ...]:
    """`core_reference` for each, their public URLs made under settings read once."""
    public_url = public_url_maker()
    return tuple(core_reference(reference, public_url) for reference in references)


def evaluate_fields(fields: Mapping[str, Any], references: Iterable[Reference]) -> seedance.Evaluation:
    return seedance.evaluate(core_composition(fields, references), settings.SEEDANCE_PRICING)


def core_composition(fields: Mapping[str, Any], references: Iterable[Reference]) -> seedance.Composition:
    """The core's view of recipe fields (COMPOSITION_FIELDS) with these references in this order."""
    return seedance.Composition(
        provider=fields["provider"],
        tier=fields["tier"],
        prompt=fields.get("prompt") or "",
        references=core_references(references),
        mode=fields.get("mode") or seedance.AUTO,
        duration=fields.get("duration"),
        aspect_ratio=fields.get("aspect_ratio"),
        resolution=fields.get("resolution"),
        generate_audio=bool(fields.get("generate_audio")),
        seed=fields.get("seed"),
        extras=dict(fields.get("extras") or {}),
    )


def evaluate_composition(composition, references: Iterable[Reference] | None = None) -> seedance.Evaluation:
    fields = {name: getattr(composition, name) for name in COMPOSITION_FIELDS}
    return evaluate_fields(fields, composition.ordered_references() if references is None else references)


def quote_as_json(quote: seedance.PriceQuote | None) -> dict:
    """The quote as stored on a job: exact decimals as strings, so nothing is rounded on the way."""
    if quote is None:
        return {}
    return {
        "currency": quote.currency,
        "amount": str(quote.amount),
        "studio_credits": quote.studio_credits,
        "summary": quote.summary,
        "source": quote.source,
        "estimated": quote.estimated,
        "estimated_because": quote.estimated_because,
        "lines": [line.text for line in quote.lines],
    }
