"""Learned skill extractor (MiniLM BIO token classifier): data, training, ONNX export, evaluation, peers."""
