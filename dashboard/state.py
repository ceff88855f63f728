"""Choices shared between pages: the landscape and the "you are here" point.

Streamlit drops the state of a widget that is not drawn in a run, so a value kept
only under a widget key is lost when the learner switches pages. The shared choices
therefore live under keys of our own (``SHARED``); each page's widgets start from
them and write back to them when changed.
"""

from collections.abc import Callable
from typing import Any

import streamlit as st

SHARED = "downhill_shared"


def shared() -> dict[str, Any]:
    """The dict of shared choices for this session, created on first use."""
    if SHARED not in st.session_state:
        st.session_state[SHARED] = {}
    return st.session_state[SHARED]


def get_shared(name: str, default: Any) -> Any:
    """A shared choice, or ``default`` when it has not been made yet."""
    return shared().get(name, default)


def set_shared(name: str, value: Any) -> None:
    """Record a shared choice for the other pages to pick up."""
    shared()[name] = value


def seed_widget(key: str, value: Any) -> None:
    """Give a widget its starting value unless it already holds one this run.

    Used instead of the widget's ``value=`` argument so that a value set by a
    callback (a new landscape resets the point) is not fought over.
    """
    if key not in st.session_state:
        st.session_state[key] = value


def sync_to_shared(key: str, name: str) -> Callable[[], None]:
    """An ``on_change`` callback copying widget ``key`` into shared choice ``name``."""

    def callback() -> None:
        set_shared(name, st.session_state[key])

    return callback
