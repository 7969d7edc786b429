"""Tables of cohort matching runs: the run (the truth about a job) and its assignments."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from services.core.models import Base, TenantScoped


class MatchingRun(Base, TenantScoped):
    """One whole-program assignment: queued by an admin, computed by a worker.

    `attempts` counts the workers that took the run; each of them writes only while the run is
    still `running` at its own attempt, so a worker the sweeper gave up on cannot overwrite the
    work of the one that took over. `heartbeat_at` moves with every progress write: a running
    run whose heartbeat stopped has lost its worker."""

    __tablename__ = "runs"
    __table_args__ = (
        # The sweeper's look-up: only unfinished runs, across tenants.
        Index(
            "ix_runs_unfinished",
            "status",
            "updated_at",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        {"schema": "matching"},
    )

    program_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False, index=True)
    mode: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    created_by: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    # The weights the run scores with, as resolved when it was created (the program's, with
    # the request's on top), so a later change to the program does not change a queued run.
    weights: Mapped[dict[str, float]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(500))
    # Set once an admin applied the run's assignments (`POST .../apply`), with what it made:
    # the report a repeated apply answers again.
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    applied: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class MatchingAssignment(Base, TenantScoped):
    """One mentee's mentor in a run. `position` orders a run's assignments (best score
    first) and is the keyset the pages walk."""

    __tablename__ = "run_assignments"
    __table_args__ = (
        Index("uq_run_assignments_run_id_position", "run_id", "position", unique=True),
        {"schema": "matching"},
    )

    run_id: Mapped[uuid.UUID] = mapped_column(
        PgUUID(as_uuid=True), ForeignKey("matching.runs.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    mentee_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    mentor_id: Mapped[uuid.UUID] = mapped_column(PgUUID(as_uuid=True), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    factors: Mapped[dict[str, float]] = mapped_column(JSONB, nullable=False)
    reasons: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
