"""Offline sentence-embedding pipeline: ONNX export, parity check, int8 evaluation, catalog vectors."""
