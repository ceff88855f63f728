"""Reading settings from text, such as a shared link's query string, with the same
limits the widgets enforce.

A link is typed by whoever shares it, so every value is checked here exactly as a
widget would check it: numbers must parse and fall inside their range, names must
be known, lists must be short. Each reader raises ``ValueError`` with a message a
learner can act on; the caller falls back to a safe value and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_TEXT = 400
"""Longer values are refused before any parsing: no setting needs more."""


def _check_length(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise ValueError(f"is {len(text)} characters long; at most {MAX_TEXT}")
    return text.strip()


def read_float(text: str, low: float, high: float) -> float:
    """A finite number in ``[low, high]``."""
    text = _check_length(text)
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    if not low <= value <= high:
        raise ValueError(f"{value:g} is outside {low:g} to {high:g}")
    return value


def read_int(text: str, low: int, high: int) -> int:
    """A whole number in ``[low, high]``."""
    text = _check_length(text)
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low} to {high}")
    return value


def read_choice(text: str, choices: Sequence[str]) -> str:
    """One of ``choices``, exactly."""
    text = _check_length(text)
    if text not in choices:
        raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
    return text


def read_choices(text: str, choices: Sequence[str]) -> tuple[str, ...]:
    """A comma-separated selection from ``choices``, without repeats, in the order
    of ``choices``; an empty selection is allowed."""
    text = _check_length(text)
    picked = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [p for p in picked if p not in choices]
    if unknown:
        raise ValueError(
            f"{', '.join(map(repr, unknown))} not among {', '.join(choices)}"
        )
    return tuple(c for c in choices if c in picked)


def read_floats(
    text: str, choices: Sequence[float], max_count: int | None = None
) -> tuple[float, ...]:
    """A comma-separated selection of numbers from ``choices`` (compared to 1e-12
    relative), sorted and without repeats."""
    text = _check_length(text)
    picked = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        value = read_float(part, -math.inf, math.inf)
        match = [c for c in choices if math.isclose(c, value, rel_tol=1e-12)]
        if not match:
            raise ValueError(f"{value:g} is not one of the offered values")
        picked.append(match[0])
    picked = sorted(set(picked))
    if max_count is not None and len(picked) > max_count:
        raise ValueError(f"has {len(picked)} values; at most {max_count}")
    return tuple(picked)


def read_flag(text: str) -> bool:
    """``1``/``true``/``on`` or ``0``/``false``/``off``."""
    text = _check_length(text).lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    raise ValueError(f"{text!r} is not on or off (use 1 or 0)")


MAX_PATH_STEPS = 2_000
"""Most steps of a walk recorded step by step for drawing. Statistics keep only
end points and allow more (``core.experiments.MAX_STEPS``)."""
