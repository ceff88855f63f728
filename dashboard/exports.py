"""Downloads: tables as CSV and charts as standalone HTML files.

The files are built only when a download button is clicked (Streamlit calls the
function then), so a page rerun never pays for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import altair as alt
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.cache import Walk


def _html(chart: go.Figure | alt.TopLevelMixin) -> Callable[[], bytes]:
    def build() -> bytes:
        if isinstance(chart, go.Figure):
            # The plotly library goes inside the file, so it opens offline.
            return chart.to_html(include_plotlyjs=True, full_html=True).encode()
        # Altair's page loads Vega from a public CDN: it needs a connection.
        return chart.to_html().encode()

    return build


def chart_download_ui(
    chart: go.Figure | alt.TopLevelMixin, file_stem: str, key: str
) -> None:
    """A small button that saves ``chart`` as a standalone HTML file."""
    st.download_button(
        "Save chart (HTML)",
        _html(chart),
        file_name=f"downhill-{file_stem}.html",
        mime="text/html",
        key=key,
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
    )


def csv_download_ui(frame: pd.DataFrame, label: str, file_stem: str, key: str) -> None:
    """A button that saves ``frame`` as CSV."""
    st.download_button(
        label,
        lambda: frame.to_csv(index=False).encode(),
        file_name=f"downhill-{file_stem}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def trajectory_table(
    walks: Mapping[str, Walk], titles: Mapping[str, str]
) -> pd.DataFrame:
    """Every walk step by step: ``optimizer, step, x, y, cost, status`` (one row
    per step up to where the walk stopped)."""
    frames = []
    for name, walk in walks.items():
        steps = walk.stopped_at + 1
        frames.append(
            pd.DataFrame(
                {
                    "optimizer": titles.get(name, name),
                    "step": range(steps),
                    "x": walk.positions[:steps, 0],
                    "y": walk.positions[:steps, 1],
                    "cost": walk.values[:steps],
                    "status": walk.status,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
