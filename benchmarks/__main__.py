"""``python -m benchmarks``: run the speed benchmark (see ``benchmarks/run.py``)."""

from benchmarks.run import main

raise SystemExit(main())
