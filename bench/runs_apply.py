"""Applying a cohort run: `POST /v1/matching/runs/{id}/apply` over 20,000 assignments.

`make bench ARGS=apply` (or `.venv/bin/python -m deploy.local bench apply [--mode mentorships]`),
in a scratch database: 20,000 mentees and 4,000 mentors (deploy/population.py, every mentor
accepting with 5 places, so every assignment may be made) imported and enrolled in a program,
then a succeeded run with one assignment per mentee written straight into its tables (what the
run computes is measured by `bench matching --part cohort`; here only the apply is timed). The
apply goes through the gateway in-process, as a client would call it, and is timed from the POST
to its answer, the whole transaction included; then a second apply, which answers the stored
report. Target: 20,000 assignments well under 30 s.
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from typing import Any

from bench.matching import SEED, _gateway_client, _line, _seed, _tenant

TARGET_SECONDS = 30.0


async def _succeeded_run(
    tenant_id: uuid.UUID, admin_id: uuid.UUID, program_id: uuid.UUID, pairs: list[Any]
) -> uuid.UUID:
    """A run of the program that succeeded with these (mentee, mentor) assignments."""
    from services.core.db import database
    from services.core.models import utcnow
    from services.matching.runs import repository
    from services.matching.runs.models import MatchingRun
    from services.matching.runs.repository import AssignmentRow

    now = utcnow()
    async with database.transaction(tenant_id=tenant_id) as session:
        run = MatchingRun(
            tenant_id=tenant_id,
            program_id=program_id,
            mode="greedy",
            status="succeeded",
            progress=1.0,
            stats={"mentees": len(pairs), "matched": len(pairs), "unmatched": 0},
            weights={},
            created_by=admin_id,
            attempts=1,
            started_at=now,
            finished_at=now,
        )
        session.add(run)
        await session.flush()
        rows = [
            AssignmentRow(position, mentee, mentor, 0.5, {}, ["benchmark"])
            for position, (mentee, mentor) in enumerate(pairs)
        ]
        for start in range(0, len(rows), 5_000):
            await repository.insert_assignments(
                session, tenant_id, run.id, rows[start : start + 5_000]
            )
        return run.id


async def _bench(n_mentors: int, n_mentees: int, mode: str) -> list[str]:
    from deploy.population import people

    persons = people(n_mentors, n_mentees, SEED)
    for person in persons[:n_mentors]:
        person.profile["mentor"] |= {"capacity": 5, "accepting_requests": True}
    tenant_id, admin_id, token = await _tenant("apply")
    ids, program_id, seconds = await _seed(tenant_id, admin_id, persons, "Cohort")
    assert program_id is not None
    mentors = [ids[p.email] for p in persons[:n_mentors]]
    pairs = [(ids[p.email], mentors[i % n_mentors]) for i, p in enumerate(persons[n_mentors:])]
    del persons, ids
    run_id = await _succeeded_run(tenant_id, admin_id, program_id, pairs)
    headers = {"Authorization": f"Bearer {token}"}
    gateway, client = _gateway_client()
    try:
        if mode != "requests":
            changed = await client.patch(
                f"/v1/programs/{program_id}", json={"apply_runs_as": mode}, headers=headers
            )
            assert changed.status_code == 200, changed.text
        path = f"/v1/matching/runs/{run_id}/apply"
        started, cpu = time.perf_counter(), time.process_time()
        applied = await client.post(path, headers=headers, timeout=600)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert applied.status_code == 200, applied.text
        report = applied.json()
        started = time.perf_counter()
        again = await client.post(path, headers=headers, timeout=600)
        replay = time.perf_counter() - started
        assert again.status_code == 200 and again.json() == report
    finally:
        await client.aclose()
        await gateway.close()
    reasons: dict[str, int] = {}
    for skipped in report["skipped"]:
        reasons[skipped["reason"]] = reasons.get(skipped["reason"], 0) + 1
    why = f" ({', '.join(f'{k} {v}' for k, v in sorted(reasons.items()))})" if reasons else ""
    size = len(applied.content) / 1e6
    return [
        f"apply: {n_mentees:,} mentees x {n_mentors:,} mentors imported and enrolled in "
        f"{seconds:.0f} s, a succeeded run of {len(pairs):,} assignments (not timed below)",
        _line(
            f"    POST .../apply as {mode}, {len(pairs):,} assignments",
            f"{wall:.1f} s wall ({cpu:.1f} s CPU of this process)",
            f"< {TARGET_SECONDS:.0f} s",
            wall < TARGET_SECONDS and report["created"] > 0,
        ),
        f"    created {report['created']:,}, skipped {len(report['skipped']):,}{why}; "
        f"withdrawn {report['withdrawn_requests']:,}; report {size:.1f} MB",
        f"    applied again (the stored report): {replay * 1000:.0f} ms",
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench apply", description=__doc__)
    parser.add_argument("--mentors", type=int, default=4_000)
    parser.add_argument("--mentees", type=int, default=20_000)
    parser.add_argument("--mode", choices=("requests", "mentorships"), default="requests")
    args = parser.parse_args(argv)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from bench.scratch import in_scratch_database
    from services.core.settings import get_settings

    get_settings.cache_clear()
    lines = in_scratch_database(
        f"bench_apply_{uuid.uuid4().hex[:8]}",
        lambda: asyncio.run(_bench(args.mentors, args.mentees, args.mode)),
    )
    print("\n".join(lines), flush=True)
    return 1 if any(line.endswith("MISSED") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
