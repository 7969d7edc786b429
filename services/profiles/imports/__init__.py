"""Bulk import of users with profiles from an HR export (`POST /v1/admin/imports`).

- `formats`: the two file formats (JSON Lines and CSV, the CSV column scheme) and row numbers.
- `people`: one row checked with the rules of the API, then turned into table columns. Pure.
- `repository`: every SQL statement, set-based, one batch of rows at a time.
- `service`: the use cases (create, read, list, apply one batch); flushes, never commits.
- `router`: HTTP.
- `tasks`: the job that runs an import (`profiles.run_import`) and its sweeper.
"""

IMPORT_JOB = "profiles.run_import"


def import_job_id(import_id: object) -> str:
    """One queued job per import: arq refuses a second job with the same id while one waits."""
    return f"import:{import_id}"
