"""Shareable links: each page keeps its settings in the URL's query string.

A page declares its settings as ``Param`` objects and calls, in order:

1. ``restore_landscape(page)`` before the landscape picker, so a link can choose the
   landscape (and a typed formula with its domain);
2. ``restore(page, landscape, params)`` once the landscape is known, so values
   that depend on it (a point inside its domain) are checked against it;
3. ``publish(page, landscape, params)`` after every widget is drawn, so the URL
   always shows what is on screen.

A URL is only read when it differs from the one the app itself last wrote: that
is a link being opened, an address typed by hand, or the back button. Every value
is checked with the readers in ``core.params``, against the same limits as the
widgets; a bad value is replaced by the page's own value and named in a notice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.formula import MAX_DOMAIN_BOUND
from core.landscapes import LANDSCAPES, FormulaError, Landscape, from_formula
from core.params import read_choice, read_float
from dashboard.state import get_shared, set_shared
from dashboard.text import plain
from dashboard.widgets import (
    CUSTOM,
    DEFAULT_DOMAIN,
    DEFAULT_FORMULA,
    reset_point,
)

PUBLISHED = "downhill_link_published"
ECHO_SECONDS = 3.0
PENDING = "downhill_link_pending"
LANDSCAPE_NAMES = ("landscape", "formula", "xmin", "xmax", "ymin", "ymax")


def _write(value: Any) -> str:
    """A value as URL text: the shortest text that reads back to the same value."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # Twelve digits: a step button's 1.2000000000000002 is written 1.2.
        return f"{value:.12g}"
    if isinstance(value, list | tuple):
        return ",".join(_write(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Param:
    """One setting kept in the URL.

    Attributes
    ----------
    name : str
        Its name in the query string, e.g. ``lr``.
    key : str
        The session-state key of the widget that shows it.
    read : callable
        ``read(text, landscape) -> value``; raises ``ValueError`` with a reason.
    shared : str, optional
        The shared choice (see ``dashboard.state``) it also sets, e.g. ``x``.
    write : callable
        How the value is written back into the URL.
    """

    name: str
    key: str
    read: Callable[[str, Landscape], Any]
    shared: str | None = None
    write: Callable[[Any], str] = _write


def _incoming() -> dict[str, str] | None:
    """The query string, when it is not simply what this app wrote.

    A rerun can start before the browser has shown the address the previous run
    wrote (the learner clicked again quickly); its query string is then one we
    wrote a moment ago, and reading it as a link would undo their click. So any
    address written in the last ``ECHO_SECONDS`` counts as ours; an older one
    (the back button) is read as a link.
    """
    current = st.query_params.to_dict()
    history = st.session_state.get(PUBLISHED, [])
    if history and history[-1][1] == current:
        return None
    now = time.monotonic()
    if any(values == current and now - at < ECHO_SECONDS for at, values in history):
        return None
    return current


def stage() -> dict[str, str] | None:
    """Read the address once per run, for ``restore`` (pages without a 2-D
    landscape call this instead of ``restore_landscape``)."""
    incoming = _incoming()
    st.session_state[PENDING] = incoming
    return incoming


def write_url(values: dict[str, str]) -> None:
    """Put ``values`` in the address bar and remember that we wrote them."""
    if st.query_params.to_dict() != values:
        st.query_params.from_dict(values)
    history = st.session_state.get(PUBLISHED, [])
    st.session_state[PUBLISHED] = [*history[-4:], (time.monotonic(), values)]


def restore_landscape(page: str) -> list[str]:
    """Apply a link's landscape (and typed formula) before the picker is drawn.

    Returns notices about values that could not be used.
    """
    incoming = stage()
    if not incoming or "landscape" not in incoming:
        return []

    notices = []
    try:
        name = read_choice(incoming["landscape"], [*LANDSCAPES, CUSTOM])
    except ValueError as error:
        notices.append(f"landscape: {error}; keeping {get_shared('landscape', 'bowl')}")
        return notices

    if name == CUSTOM:
        formula, domain = _custom_from(incoming, notices)
        set_shared("custom", (formula, domain))
        set_shared("custom_error", "")
        st.session_state[f"{page}_formula"] = formula
        for (low, high), axis in zip(domain, ("x", "y"), strict=True):
            st.session_state[f"{page}_{axis}_min"] = low
            st.session_state[f"{page}_{axis}_max"] = high
        landscape = from_formula(formula, domain)
    else:
        landscape = LANDSCAPES[name]

    set_shared("landscape", name)
    st.session_state[f"{page}_landscape"] = name
    reset_point(page, landscape)
    return notices


def _custom_from(
    incoming: dict[str, str], notices: list[str]
) -> tuple[str, tuple[tuple[float, float], tuple[float, float]]]:
    """The typed formula and domain of a link, or the defaults where unusable."""
    bounds = []
    for name, default in zip(
        ("xmin", "xmax", "ymin", "ymax"),
        (*DEFAULT_DOMAIN[0], *DEFAULT_DOMAIN[1]),
        strict=True,
    ):
        text = incoming.get(name)
        if text is None:
            bounds.append(default)
            continue
        try:
            bounds.append(read_float(text, -MAX_DOMAIN_BOUND, MAX_DOMAIN_BOUND))
        except ValueError as error:
            notices.append(f"{name}: {error}; using {default:g}")
            bounds.append(default)
    domain = ((bounds[0], bounds[1]), (bounds[2], bounds[3]))
    formula = incoming.get("formula", DEFAULT_FORMULA)
    try:
        from_formula(formula, domain)
    except FormulaError as error:
        notices.append(
            f"formula or domain: {error}; using {DEFAULT_FORMULA} on its own domain"
        )
        return DEFAULT_FORMULA, DEFAULT_DOMAIN
    return formula, domain


def restore(page: str, landscape: Landscape, params: list[Param]) -> list[str]:
    """Apply a link's other settings, checked against ``landscape``.

    Returns notices about values that could not be used (the widget keeps its
    own value) and about names this page does not know.
    """
    incoming = st.session_state.get(PENDING)
    if not incoming:
        return []

    notices = []
    known = set(LANDSCAPE_NAMES)
    for param in params:
        known.add(param.name)
        text = incoming.get(param.name)
        if text is None:
            continue
        try:
            value = param.read(text, landscape)
        except ValueError as error:
            notices.append(f"{param.name}: {error}; keeping the page's own value")
            continue
        st.session_state[param.key] = value
        if param.shared:
            set_shared(param.shared, value)
    for name in sorted(set(incoming) - known):
        notices.append(f"{name}: this page has no such setting")
    return notices


def show_notices(notices: list[str]) -> None:
    """One warning listing what a link asked for that could not be used."""
    if notices:
        items = "\n".join(f"- {plain(n)}" for n in notices)
        st.warning(f"Some settings in this link could not be used:\n{items}")


def publish(
    page: str,
    landscape: Landscape,
    params: list[Param],
    extra: dict[str, str] | None = None,
) -> None:
    """Write the page's current settings (and ``extra`` names) into the URL, so it
    can be shared."""
    values = {"landscape": get_shared("landscape", landscape.name)}
    if landscape.formula:
        (x_min, x_max), (y_min, y_max) = landscape.domain
        values.update(
            formula=landscape.formula,
            xmin=_write(float(x_min)),
            xmax=_write(float(x_max)),
            ymin=_write(float(y_min)),
            ymax=_write(float(y_max)),
        )
    for param in params:
        if param.key in st.session_state:
            values[param.name] = param.write(st.session_state[param.key])
    values.update(extra or {})
    write_url(values)


def point_params(page: str, prefix: str = "") -> list[Param]:
    """The shared "you are here" point (or a page's own start, with ``prefix``),
    checked against the landscape's domain."""

    def reader(axis: int) -> Callable[[str, Landscape], float]:
        def read(text: str, landscape: Landscape) -> float:
            low, high = landscape.domain[axis]
            return read_float(text, float(low), float(high))

        return read

    return [
        Param("x", f"{page}_{prefix}x", reader(0), shared=None if prefix else "x"),
        Param("y", f"{page}_{prefix}y", reader(1), shared=None if prefix else "y"),
    ]


def number_param(name: str, key: str, low: float, high: float) -> Param:
    """A number checked against ``[low, high]``."""
    return Param(name, key, lambda text, _: read_float(text, low, high))


def choice_param(name: str, key: str, choices: list) -> Param:
    """One of ``choices`` (numbers or names), compared as text."""
    as_text = [_write(c) for c in choices]

    def read(text: str, _: Landscape) -> Any:
        return choices[as_text.index(read_choice(text, as_text))]

    return Param(name, key, read)
