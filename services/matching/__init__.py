"""The matching service: recommendations with reasons, and cohort assignment runs.

A cohort run is computed by the job `RUN_JOB` on the bulk lane (`services.matching.tasks`).
"""

RUN_JOB = "matching.run_cohort"


def run_job_id(run_id: object) -> str:
    """One queued job per run: arq refuses a second job with the same id while one waits."""
    return f"matching-run:{run_id}"
