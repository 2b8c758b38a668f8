"""The currency codes of ISO 4217, from the ``iso4217`` package (the published list, kept up to date).

Imported by the load only: reports never need the list, and start without it.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def iso_4217_codes() -> frozenset[str]:
    """Every alphabetic code of the current ISO 4217 list (``USD``, ``CAD``, ``EUR`` …)."""
    import iso4217

    return frozenset(currency.code for currency in iso4217.Currency)
