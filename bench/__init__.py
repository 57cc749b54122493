"""Performance harness of the serving stack (``python -m bench.run``); see docs/benchmarks.md."""
