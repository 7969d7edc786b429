"""People and drafts the request tests share: a mentor with a full profile, and a careful
draft to them that the review scores 100."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import TenantHandle

MENTOR_PROFILE = {
    "headline": "Staff engineer building payment systems",
    "timezone": "Europe/Berlin",
    "languages": ["en"],
    "industries": ["FinTech"],
    "availability": {
        "weekly": [{"weekday": day, "start": "09:00", "end": "17:00"} for day in range(4)],
        "hours_per_month": 4,
    },
    "skills": [{"name": "k8s", "level": 5, "kind": "expertise"}],
    "career_history": [
        {"title": "Staff engineer", "organisation": "Acme Pay", "start": "2019-01-01"}
    ],
    "achievements": [{"title": "Led the payments rewrite"}],
    "mentor": {"capacity": 3, "accepting_requests": True, "openness": 0.8},
}


def next_monday_at(hour_utc: int) -> datetime:
    """A Monday at least a week ahead, at this UTC hour (Berlin is UTC+1 or +2)."""
    today = datetime.now(UTC).replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


def option(start: datetime, minutes: int = 45) -> dict[str, str]:
    return {"start": start.isoformat(), "end": (start + timedelta(minutes=minutes)).isoformat()}


def careful_draft(mentor_id: str) -> dict[str, object]:
    monday = next_monday_at(10)  # 11:00 or 12:00 in Berlin
    message = (
        "Hello, I am a backend engineer at Beta Bank and look after our checkout. I read how "
        "you led the payments rewrite at Acme Pay without downtime, which is the migration my "
        "team faces this year. I would value your view on sequencing it and on bringing a "
        "sceptical team along. I know your time is precious: I have kept the ask small and "
        "can fit around your schedule."
    )
    return {
        "mentor_id": mentor_id,
        "message": message,
        "goals": ["Lead the migration of our checkout to Kubernetes by Q3"],
        "objectives": ["Draft a migration plan for checkout", "Run two design reviews"],
        "questions": ["How did you decide the order in which services moved?"],
        "cadence": {"interval_days": 14, "session_minutes": 45},
        "duration_months": 6,
        "meeting_options": [option(monday), option(monday + timedelta(days=1))],
        "contribution": "I can share what we learn about PCI compliance in checkout",
    }


async def put_mentor(
    client: httpx.AsyncClient,
    tenant: TenantHandle,
    email: str = "dev@example.com",
    **mentor: Any,
) -> tuple[dict[str, str], str]:
    """A mentor with MENTOR_PROFILE (`mentor` changes its mentor section): headers and id."""
    headers = await tenant.headers(email, ["mentor"])
    profile = {**MENTOR_PROFILE, "mentor": {**MENTOR_PROFILE["mentor"], **mentor}}
    put = await client.put("/v1/profiles/me", json=profile, headers={**headers, "If-Match": '"0"'})
    assert put.status_code == 200, put.text
    return headers, (await client.get("/v1/users/me", headers=headers)).json()["id"]
