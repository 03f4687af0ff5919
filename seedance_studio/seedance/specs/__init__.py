"""One module per provider: its tables, its rules, its request body and its price."""

from __future__ import annotations

from ..capabilities import ProviderSpec
from . import evolink, goapi, hiapi, local_preview, piapi, seedance2

# Display order of the select box: the zero-config preview first, then the documents' order (seeds/README.md).
PROVIDERS: dict[str, ProviderSpec] = {
    spec.id: spec
    for spec in (
        local_preview.PROVIDER,
        piapi.PROVIDER,
        goapi.PROVIDER,
        seedance2.PROVIDER,
        hiapi.PROVIDER,
        evolink.PROVIDER,
    )
}
