"""Derived target figures: a growth rate on the base-year actual gives a level.

Computed in decimal so 72.53 亿元 × 1.23 is exactly 89.2119 → 89.21, never a
binary-float artefact. The plan types the rate; the level is derived, not typed.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def decimals_of(value: float | int | None) -> int:
    if value is None:
        return 0
    exp = Decimal(str(value)).normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def derived_level(base: float | None, rate_pct: float | None) -> Decimal | None:
    """base × (1 + rate/100), rounded half-up to max(2, decimals of base) places."""
    if base is None or rate_pct is None:
        return None
    exact = Decimal(str(base)) * (1 + Decimal(str(rate_pct)) / 100)
    places = max(2, decimals_of(base))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _num(value: Decimal | float | int) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def target_values(target: dict[str, Any], base: float | None, unit: str) -> dict[str, Any]:
    """The derived view of one indicator target, as flat values for forms.

    target_level: the figure to compare the year's actual with (None when the
    target is given later); target_level_from_rate: the rate applied to the base.
    target_direction: 'min' (reach at least) or 'max' (ceiling).
    """
    kind = target["kind"]
    rate = target.get("rate_pct")
    level = target.get("level")
    from_rate = derived_level(base, rate) if kind in ("growth", "growth_and_level") else None
    if kind == "growth":
        final = from_rate
    elif kind in ("level", "ceiling", "growth_and_level"):
        final = Decimal(str(level)) if level is not None else None
    else:
        final = None
    text = target.get("text") or _default_text(kind, rate, level, unit, target.get("strict", False))
    shown = text
    if kind == "growth" and from_rate is not None:
        shown = f"{text}（≈{_num(from_rate)}{unit}）"
    elif kind == "growth_and_level" and from_rate is not None and level is not None:
        shown = f"{text}（按增速≈{_num(from_rate)}{unit}）"
    return {
        "target_kind": kind,
        "target_rate": rate,
        "target_level": float(final) if final is not None else None,
        "target_level_from_rate": float(from_rate) if from_rate is not None else None,
        "target_direction": "max" if kind == "ceiling" else ("min" if final is not None else None),
        "target_text": shown,
    }


def _default_text(kind: str, rate: Any, level: Any, unit: str, strict: bool) -> str:
    if kind == "growth":
        return f"增长{_num(rate)}%以上"
    if kind == "level":
        return f"{'超' if strict else '达到'}{_num(level)}{unit}{'' if strict else '以上'}"
    if kind == "ceiling":
        return f"控制在{_num(level)}{unit}以{'下' if strict else '内'}"
    if kind == "growth_and_level":
        return f"增长{_num(rate)}%，达到{_num(level)}{unit}"
    return "另行下达"
