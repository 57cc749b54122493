"""Importers that enrich the authored taxonomy from external public data sets (see docs/data.md)."""
