"""Catalog compiler: authored YAML (data/) -> build/catalog/ (see docs/data.md)."""
