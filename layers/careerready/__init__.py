"""Career Readiness Analyzer: the shared serving package (installed into every Lambda image)."""

__version__ = "0.1.0"
