"""Numbers written for people: short, and never a minus sign on zero."""

import math


def number(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant figures; "not a number" for NaN."""
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = f"{value:.{digits}g}"
    if text in ("-0", "0", "-0.0"):
        return "0"
    return text.replace("-", "−")


def vector(a: float, b: float, digits: int = 4) -> str:
    """A pair as ``(a, b)``."""
    return f"({number(a, digits)}, {number(b, digits)})"


def latex_number(value: float, digits: int = 4) -> str:
    """A number for LaTeX, with a plain hyphen minus that LaTeX typesets itself."""
    return number(value, digits).replace("−", "-")


def plural(count: int, word: str) -> str:
    """``"1 optimizer"``, ``"3 optimizers"``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def plain(text: str) -> str:
    """``text`` with every Markdown character escaped, so text from a link or a
    formula box is shown as typed and can never become a link or formatting."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~$&:" else c for c in text)
