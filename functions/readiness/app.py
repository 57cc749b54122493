"""Lambda entry point of the readiness stage; models load at import, once per container (docs/api.md)."""

from careerready.core.initphase import init_phase

with init_phase():  # no garbage collection while the init allocates (careerready.core.initphase)
    from careerready.handlers import stage_lambda_handler

    lambda_handler = stage_lambda_handler("readiness")
