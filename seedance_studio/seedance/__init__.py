"""The pure Seedance core: rules, prices and request bodies as data plus small functions. No Django here.

from seedance_studio.seedance import Composition, Reference, evaluate
result = evaluate(Composition(provider="piapi", tier="seedance-2-fast", prompt="@image1 walks",
                              references=(Reference("r1", "image", url=..., format="png", ...),),
                              duration=5, resolution="720p"), pricing_config=settings.SEEDANCE_PRICING)
result.mode, result.findings, result.quote.summary, result.request_body, result.is_valid
"""

from .composition import (
    AUTO,
    MODE_LABELS,
    Composition,
    Frame,
    Kind,
    LabeledReference,
    Mode,
    Reference,
    frame_images,
    label_references,
)
from .engine import Evaluation, evaluate
from .findings import Finding, Severity
from .mentions import (
    NAME_MAX_CHARS,
    Mention,
    MentionStyle,
    name_problem,
    parse_mentions,
    renumber_mentions,
    resolve_mentions,
    shot_order,
    write_mentions,
)
from .pricing import DEFAULT_PRICING, PriceLine, PriceQuote, PricingConfig
from .registry import ProviderInfo, TierInfo, get_provider, providers

__all__ = [
    "AUTO",
    "DEFAULT_PRICING",
    "MODE_LABELS",
    "NAME_MAX_CHARS",
    "Composition",
    "Evaluation",
    "Finding",
    "Frame",
    "Kind",
    "LabeledReference",
    "Mention",
    "MentionStyle",
    "Mode",
    "PriceLine",
    "PriceQuote",
    "PricingConfig",
    "ProviderInfo",
    "Reference",
    "Severity",
    "TierInfo",
    "evaluate",
    "frame_images",
    "get_provider",
    "label_references",
    "name_problem",
    "parse_mentions",
    "providers",
    "renumber_mentions",
    "resolve_mentions",
    "shot_order",
    "write_mentions",
]
