"""Downhill's entry script: ``streamlit run dashboard/app.py`` from the repository root.

Streamlit puts this file's folder on ``sys.path``, not the repository root, so the
root is added here; that is what lets every page import ``core`` and ``dashboard``
without an editable install or a ``PYTHONPATH``.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard.navigation import build_navigation  # noqa: E402

st.set_page_config(
    page_title="Downhill",
    page_icon=":material/landscape:",
    layout="wide",
    initial_sidebar_state="expanded",
)
build_navigation().run()
