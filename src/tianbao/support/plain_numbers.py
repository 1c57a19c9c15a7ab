"""Numbers as a clerk reads them in a prompt or a message: 10,000,000 or 1000万, never
1e+07 or 10000000.0."""

from __future__ import annotations


def plain_number(n: float) -> str:
    """A bound as a clerk reads it: 10,000,000 or 1000万, never 1e+07."""
    if n == int(n) and abs(n) >= 10_000:
        whole = int(n)
        if whole % 100_000_000 == 0:
            return f"{whole // 100_000_000:,}亿"
        if whole % 10_000 == 0:
            return f"{whole // 10_000:,}万"
        return f"{whole:,}"
    return f"{n:,.10f}".rstrip("0").rstrip(".")
