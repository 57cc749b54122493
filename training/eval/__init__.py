"""Offline evaluations of the serving pipelines on real, labelled data (see docs/role-matching.md)."""
