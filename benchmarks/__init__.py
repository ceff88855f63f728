"""Benchmarks for Downhill: ``python -m benchmarks`` (see ``benchmarks/run.py``)."""
