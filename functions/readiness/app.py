"""Lambda entry point of the readiness stage; models load at import, once per container (docs/api.md)."""

from careerready.handlers import stage_lambda_handler

lambda_handler = stage_lambda_handler("readiness")
