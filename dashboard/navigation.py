"""The list of pages, in one place, so the entry, the home page's cards and the
tests agree on titles, icons and files."""

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class PageInfo:
    """A page of the dashboard: its script, title, icon and one line for its card."""

    script: str
    title: str
    icon: str
    url_path: str
    blurb: str

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.script


HOME = PageInfo(
    "home.py", "Home", ":material/home:", "home", "What Downhill is and where to start."
)
PAGES = [
    PageInfo(
        "surface.py",
        "Surface",
        ":material/landscape:",
        "surface",
        "See the cost as a 3-D terrain and as contours, with a point, its downhill "
        "arrow and the minima marked.",
    ),
    PageInfo(
        "gradient.py",
        "Gradient calculator",
        ":material/calculate:",
        "gradient",
        "Work out the partial slopes, the gradient, the slope in every direction and "
        "the effect of one small step.",
    ),
    PageInfo(
        "descent.py",
        "Descent trajectories",
        ":material/route:",
        "descent",
        "Walk downhill step by step with gradient descent and its relatives, and "
        "compare their paths and costs.",
    ),
    PageInfo(
        "local_global.py",
        "Local vs global",
        ":material/scatter_plot:",
        "local-vs-global",
        "Run many descents from random starts and count how often each valley wins.",
    ),
    PageInfo(
        "basins.py",
        "Basins and learning rates",
        ":material/grid_on:",
        "basins",
        "Paint the map by which valley each start drains to, and sweep the learning "
        "rate from timid to explosive.",
    ),
    PageInfo(
        "many_knobs.py",
        "Many knobs",
        ":material/tune:",
        "many-knobs",
        "The same descent over thousands of knobs: no map to draw, but cost and "
        "gradient length still show every optimizer at work.",
    ),
]


def st_page(info: PageInfo, default: bool = False) -> st.Page:
    """The ``st.Page`` for one of our pages."""
    return st.Page(
        info.path,
        title=info.title,
        icon=info.icon,
        url_path=info.url_path,
        default=default,
    )


def build_navigation() -> st.Page:
    """Register every page with ``st.navigation`` and return the one to run."""
    pages = [st_page(HOME, default=True)] + [st_page(info) for info in PAGES]
    return st.navigation(pages, position="sidebar")
