"""The difference of two recipes, as a creative compares two takes: only the fields that differ, references
compared by file (the same file is the same reference, whatever its position or name)."""

from __future__ import annotations

from dataclasses import dataclass

from seedance_studio import seedance
from seedance_studio.studio.evaluation import core_reference
from seedance_studio.studio.models import Composition


@dataclass(frozen=True)
class Difference:
    field: str
    a: str
    b: str


def _settings(composition: Composition) -> dict[str, str]:
    extras = ", ".join(f"{name}={value}" for name, value in sorted((composition.extras or {}).items()))
    return {
        "Model": composition.model_label,
        "Mode": composition.get_mode_display(),
        "Prompt": composition.prompt or "(no prompt)",
        "Duration": f"{composition.duration} s",
        "Aspect ratio": composition.get_aspect_ratio_display(),
        "Resolution": composition.resolution,
        "Audio": "generated" if composition.generate_audio else "none",
        "Seed": "none (the provider picks)" if composition.seed is None else str(composition.seed),
        "Provider options": extras or "none",
    }


def _references(composition: Composition) -> list[tuple[tuple, str]]:
    """Each reference as (which file and pin, "@image1 cat.png (first frame)"), numbered as the core numbers them."""
    references = composition.ordered_references()
    labels = seedance.label_references(tuple(core_reference(reference, lambda r: "") for reference in references))
    return [
        (
            (reference.public_id, reference.frame),
            f"{labeled.label} {reference.original_name}" + (f" ({reference.frame} frame)" if reference.frame else ""),
        )
        for reference, labeled in zip(references, labels, strict=True)
    ]


def recipe_difference(a: Composition, b: Composition) -> list[Difference]:
    """The fields whose values differ, in the recipe's order; the references last, when they differ by file,
    order or pin."""
    left, right = _settings(a), _settings(b)
    rows = [Difference(name, left[name], right[name]) for name in left if left[name] != right[name]]
    refs_a, refs_b = _references(a), _references(b)
    if [key for key, _ in refs_a] != [key for key, _ in refs_b]:
        rows.append(
            Difference(
                "References",
                "; ".join(text for _, text in refs_a) or "none",
                "; ".join(text for _, text in refs_b) or "none",
            )
        )
    return rows
