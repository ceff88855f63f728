"""Downhill's Streamlit layer: the entry script and the helpers its pages share."""
