"""Downhill's computing core: landscapes, optimizers and experiments.

Plain numpy and pandas only. Nothing here imports Streamlit, so every function can be
tested, cached and benchmarked on its own.
"""
