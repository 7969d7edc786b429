"""The inactivity policy, pure: what to do about a running mentorship that has had no held
meeting and no check-in for a while.

- After `WARN_AFTER_DAYS` (45) without either, the participants are warned once
  (`mentorship.inactive`, stage "warned").
- Where the program closes inactive mentorships (`close_inactive_after_days`, e.g. 90), a week
  before that they are told it will close (`mentorship.closing_soon`, stage "notice"), and on
  the day it ends (status `ended`, reason "inactive"), giving the mentor's place back.

The stage is cleared by the next activity (`mentorships.service.note_activity`), so a
mentorship that found its rhythm again starts counting from zero. Each step is taken once: the
stage says which were taken already, and a late sweep takes only the step now due (a notice is
never skipped: a mentorship is closed no sooner than `NOTICE_DAYS` after its notice).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

WARN_AFTER_DAYS: Final = 45
NOTICE_DAYS: Final = 7

Stage = Literal["warned", "notice"]
Step = Literal["warn", "notice", "close"]


@dataclass(frozen=True, slots=True)
class Due:
    step: Step
    closes_at: datetime | None  # for a notice: when it will close


def step_due(
    *,
    last_activity_at: datetime,
    now: datetime,
    stage: str | None,
    close_after_days: int | None,
    notice_at: datetime | None = None,
) -> Due | None:
    """The step due now, if any. `notice_at`: when the notice was given (for the week's grace)."""
    quiet = now - last_activity_at
    if close_after_days is not None:
        close_at = last_activity_at + timedelta(days=close_after_days)
        if stage == "notice":
            given = notice_at or now
            if now >= max(close_at, given + timedelta(days=NOTICE_DAYS)):
                return Due("close", None)
            return None
        if quiet >= timedelta(days=close_after_days - NOTICE_DAYS):
            return Due("notice", max(close_at, now + timedelta(days=NOTICE_DAYS)))
    if stage is None and quiet >= timedelta(days=WARN_AFTER_DAYS):
        return Due("warn", None)
    return None
