"""Progress at scale: the nightly health recompute and the program's report over 100,000
mentorships.

`make bench ARGS=progress` (after the pure assessment's figure), or one part alone:
`.venv/bin/python -m deploy.local bench progress --part nightly|report [--mentorships N]`.

In a scratch database: one tenant, one program, 100,000 running mentorships (and 4,000 that
ended) with six months of history written by set-based SQL (not timed, its time printed): per
mentorship 13 meetings (12 past, mostly held, some missed, cancelled or rescheduled, and one
planned; a few mentorships fade, their last meetings missed), 4 check-ins, 2 goals (one of them
revised once), a milestone, both sides' evaluations of the last period and the requests for
them (a tenth of the mentors have not answered), and the accepted request that started it.
Users need not exist as rows for any of it.

- nightly: `progress.nightly_health` end to end in a process of its own (one worker), twice:
  the first night writes every mentorship's health, the second finds them all stored (the
  steady state). Its wall time, mentorships a second and peak memory, against < 120 s. Every
  0.5 s while it runs, this process times `GET /v1/mentorships/{id}/health` for a random
  mentorship through the gateway in-process (it reads the facts and assesses them: an
  interactive request that competes for the same tables); p50/p99 during the night against the
  same probe idle, before.
- report: `GET /v1/programs/{id}/report` through the gateway in-process as the tenant's admin,
  20 calls as JSON and 20 as CSV (the night's results vacuumed and analyzed first, as
  autovacuum would); p50 against < 1 s, and the statements of one call with their times. When
  the target is missed, the slowest statement is shown with EXPLAIN ANALYZE.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bench.matching import _gateway_client, _line, _percentile, _tenant

TARGET_NIGHT_SECONDS = 120.0
TARGET_REPORT_SECONDS = 1.0
MENTORSHIPS = 100_000
FINISHED = 4_000
MENTORS = 20_000
REPORT_CALLS = 20
PROBE_EVERY = 0.5
IDLE_PROBES = 30
NIGHTS = 2
PARTS = ("nightly", "report")

# A rating around the pair's level: one side in ten a point lower, one in ten a point higher.
_RATING = (
    "greatest(1, least(5, x.level + CASE WHEN random() < 0.1 THEN -1 "
    "WHEN random() < 0.1 THEN 1 ELSE 0 END))"
)
# Set-based history, oldest first. Mentorships start 150 to 210 days ago; a fading one (8 %)
# misses or cancels its last meetings and writes its check-ins early, a low-rated one (5 %)
# rates 2 and below; an overdue one (15 %) was last evaluated 40 to 70 days ago.
HISTORY: tuple[tuple[str, str], ...] = (
    (
        "mentorships",
        """
        INSERT INTO progress.mentorships (id, tenant_id, mentee_id, mentor_id, program_id,
            status, cadence, duration_months, created_at, updated_at, status_changed_at)
        SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), gen_random_uuid(),
            ('00000000-0000-4000-8000-' || lpad(to_hex(g % CAST(:mentors AS int)), 12, '0'))::uuid,
            CAST(:program_id AS uuid),
            CASE WHEN g <= CAST(:running AS int)
                     THEN CASE WHEN random() < 0.03 THEN 'paused' ELSE 'active' END
                 WHEN random() < 0.6 THEN 'completed' ELSE 'ended' END,
            jsonb_build_object('interval_days', CASE WHEN random() < 0.85 THEN 14 ELSE 7 END,
                               'session_minutes', 45),
            6, started, started, started
        FROM (SELECT g, now() - make_interval(days => 150 + (random() * 60)::int,
                                              hours => (random() * 10)::int) AS started
              FROM generate_series(1, CAST(:total AS int)) g) s
        """,
    ),
    (
        "meetings",
        """
        INSERT INTO progress.meetings (id, tenant_id, mentorship_id, starts_at, minutes, status,
            created_at, updated_at)
        SELECT gen_random_uuid(), m.tenant_id, m.id, x.at, 45,
            CASE WHEN x.at > now() THEN 'scheduled'
                 WHEN abs(hashtext(m.id::text)) % 100 < 8 AND k >= 8
                     THEN CASE WHEN x.r < 0.5 THEN 'missed' ELSE 'cancelled' END
                 WHEN x.r < 0.85 THEN 'held' WHEN x.r < 0.91 THEN 'missed'
                 WHEN x.r < 0.97 THEN 'cancelled' ELSE 'rescheduled' END,
            greatest(m.created_at, least(x.at, now()) - interval '10 days'),
            greatest(m.created_at, least(x.at, now()) - interval '10 days')
        FROM progress.mentorships m
        CROSS JOIN generate_series(0, 12) k
        CROSS JOIN LATERAL (
            SELECT m.created_at + (now() - m.created_at) * ((k + 1) / 12.5::float8)
                       + make_interval(hours => (random() * 6)::int - 3) AS at,
                   random() AS r
        ) x
        WHERE m.tenant_id = :tenant_id
        """,
    ),
    (
        "first held meetings",
        # What the meetings service keeps as meetings are held.
        """
        UPDATE progress.mentorships m SET first_held_at = f.at
        FROM (SELECT mentorship_id, min(starts_at) AS at FROM progress.meetings
              WHERE status = 'held' AND tenant_id = :tenant_id GROUP BY mentorship_id) f
        WHERE f.mentorship_id = m.id
        """,
    ),
    (
        "check-ins",
        """
        INSERT INTO progress.check_ins (id, tenant_id, mentorship_id, author_id, summary,
            next_steps, created_at, updated_at)
        SELECT gen_random_uuid(), m.tenant_id, m.id,
            CASE WHEN x.r < 0.6 THEN m.mentee_id ELSE m.mentor_id END,
            'Shipped the first part of the plan; next, the design review.', 'Book the review',
            x.at, x.at
        FROM progress.mentorships m
        CROSS JOIN generate_series(1, 4) k
        CROSS JOIN LATERAL (
            SELECT m.created_at + (now() - m.created_at) * random()
                       * CASE WHEN abs(hashtext(m.id::text)) % 100 < 8 THEN 0.6 ELSE 1 END
                       + k * interval '0' AS at,
                   random() AS r
        ) x
        WHERE m.tenant_id = :tenant_id
        """,
    ),
    (
        "goals",
        """
        INSERT INTO progress.goals (id, tenant_id, mentorship_id, title, success_criteria,
            progress, status, created_by, created_at, updated_at)
        SELECT gen_random_uuid(), m.tenant_id, m.id,
            (ARRAY['Lead the checkout migration', 'Run a design review',
                   'Speak at a meetup', 'Hire two engineers'])[k * 2 - (random() < 0.5)::int],
            'Done when the team agrees it is', (random() * 100)::int,
            CASE WHEN abs(hashtext(m.id::text || k)) % 100 < 80 THEN 'active'
                 WHEN abs(hashtext(m.id::text || k)) % 100 < 92 THEN 'achieved'
                 ELSE 'dropped' END,
            m.mentee_id, m.created_at, m.created_at
        FROM progress.mentorships m
        CROSS JOIN generate_series(1, 2) k
        WHERE m.tenant_id = :tenant_id
        """,
    ),
    (
        "goal revisions",
        """
        INSERT INTO progress.goal_revisions (id, tenant_id, goal_id, mentorship_id, changed_by,
            before, after, created_at, updated_at)
        SELECT gen_random_uuid(), g.tenant_id, g.id, g.mentorship_id, g.created_by,
            jsonb_build_object('title', g.title || ' (draft)'),
            jsonb_build_object('title', g.title),
            x.at, x.at
        FROM (SELECT DISTINCT ON (mentorship_id) * FROM progress.goals
              WHERE tenant_id = :tenant_id ORDER BY mentorship_id, id) g
        CROSS JOIN LATERAL (
            SELECT g.created_at + (now() - g.created_at) * random() AS at
        ) x
        """,
    ),
    (
        "milestones",
        """
        INSERT INTO progress.milestones (id, tenant_id, mentorship_id, goal_id, title,
            achieved_on, created_by, created_at, updated_at)
        SELECT gen_random_uuid(), g.tenant_id, g.mentorship_id,
            CASE WHEN random() < 0.5 THEN g.id END, 'Presented the plan to the team',
            x.at::date, g.created_by, x.at, x.at
        FROM (SELECT DISTINCT ON (mentorship_id) * FROM progress.goals
              WHERE tenant_id = :tenant_id ORDER BY mentorship_id, id DESC) g
        CROSS JOIN LATERAL (
            SELECT g.created_at + (now() - g.created_at) * random() AS at
        ) x
        """,
    ),
    (
        "evaluations",
        """
        INSERT INTO progress.evaluations (id, tenant_id, mentorship_id, author_id, side,
            period_start, goal_progress, ratings, comments, created_at, updated_at)
        SELECT gen_random_uuid(), m.tenant_id, m.id,
            CASE WHEN s.side = 'mentee' THEN m.mentee_id ELSE m.mentor_id END, s.side,
            (x.at - interval '30 days')::date,
            coalesce((SELECT jsonb_object_agg(g.id::text, g.progress) FROM progress.goals g
                      WHERE g.mentorship_id = m.id), '{}'::jsonb),
            jsonb_build_object(
                'communication', {rating},
                'engagement', {rating},
                'time_commitment', {rating},
                'goal_fit', {rating},
                'overall', {rating}),
            '', x.at, x.at
        FROM progress.mentorships m
        CROSS JOIN (VALUES ('mentee'), ('mentor')) s(side)
        CROSS JOIN LATERAL (
            SELECT CASE WHEN abs(hashtext(m.id::text || 'r')) % 100 < 5 THEN 2
                        ELSE 3 + abs(hashtext(m.id::text || 'l')) % 3 END AS level,
                   now() - make_interval(days =>
                       CASE WHEN abs(hashtext(m.id::text || 'o')) % 100 < 15
                            THEN 40 + abs(hashtext(m.id::text || 'd')) % 30
                            ELSE 1 + abs(hashtext(m.id::text || 'd')) % 25 END,
                       hours => (random() * 12)::int) AS at
        ) x
        WHERE m.tenant_id = :tenant_id
        """.replace("{rating}", _RATING),
    ),
    (
        "evaluation requests",
        """
        INSERT INTO progress.evaluation_requests (id, tenant_id, mentorship_id, user_id,
            period_start, answered_at, created_at, updated_at)
        SELECT gen_random_uuid(), e.tenant_id, e.mentorship_id, e.author_id, e.period_start,
            e.created_at, e.created_at - interval '3 days', e.created_at
        FROM progress.evaluations e WHERE e.tenant_id = :tenant_id
        """,
    ),
    (
        "unanswered requests",
        """
        WITH unanswered AS (
            DELETE FROM progress.evaluations
            WHERE tenant_id = :tenant_id AND side = 'mentor'
              AND abs(hashtext(mentorship_id::text || 'u')) % 100 < 10
            RETURNING mentorship_id, author_id, period_start
        )
        UPDATE progress.evaluation_requests r SET answered_at = NULL
        FROM unanswered u
        WHERE r.mentorship_id = u.mentorship_id AND r.user_id = u.author_id
          AND r.period_start = u.period_start
        """,
    ),
    (
        "requests",
        """
        INSERT INTO proposals.requests (id, tenant_id, mentee_id, mentor_id, program_id, status,
            message, cadence, duration_months, sent_at, responded_at, mentorship_id,
            created_at, updated_at)
        SELECT gen_random_uuid(), m.tenant_id, m.mentee_id, m.mentor_id, m.program_id,
            'accepted', 'Hello', m.cadence, 6, x.sent, m.created_at, m.id,
            x.sent - interval '1 hour', m.created_at
        FROM progress.mentorships m
        CROSS JOIN LATERAL (
            SELECT m.created_at - make_interval(hours => 1 + (random() * 96)::int) AS sent
        ) x
        WHERE m.tenant_id = :tenant_id
        UNION ALL
        SELECT gen_random_uuid(), CAST(:tenant_id AS uuid), gen_random_uuid(),
            ('00000000-0000-4000-8000-' || lpad(to_hex(g % CAST(:mentors AS int)), 12, '0'))::uuid,
            CAST(:program_id AS uuid),
            CASE WHEN g % 3 = 0 THEN 'expired' ELSE 'declined' END, 'Hello',
            NULL, 6, x.sent, x.sent + interval '2 days', NULL, x.sent - interval '1 hour',
            x.sent + interval '2 days'
        FROM generate_series(1, CAST(:total AS int) / 5) g
        CROSS JOIN LATERAL (
            SELECT now() - make_interval(days => 7 + (random() * 200)::int + g * 0) AS sent
        ) x
        """,
    ),
)
ANALYZED = (
    "progress.mentorships",
    "progress.meetings",
    "progress.check_ins",
    "progress.goals",
    "progress.goal_revisions",
    "progress.milestones",
    "progress.evaluations",
    "progress.evaluation_requests",
    "proposals.requests",
)

# The nightly job in a process of its own: one worker, its own event loop, its own memory.
NIGHT = """
import asyncio, json, resource, time
from services.progress.tasks import nightly_health
started, cpu = time.perf_counter(), time.process_time()
result = asyncio.run(nightly_health(None))
print(json.dumps({**result, "seconds": time.perf_counter() - started,
                  "cpu": time.process_time() - cpu,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


async def _history(tenant_id: uuid.UUID, program_id: uuid.UUID, running: int) -> list[str]:
    """Write the history; the seconds each kind of row took, as text."""
    from sqlalchemy import text

    from services.core.db import database

    params = {
        "tenant_id": tenant_id,
        "program_id": program_id,
        "running": running,
        "total": running + running * FINISHED // MENTORSHIPS,
        "mentors": MENTORS,
    }
    took = []
    async with database.transaction(all_tenants=True) as session:
        for name, sql in HISTORY:
            started = time.perf_counter()
            statement = text(sql)
            await session.execute(statement, {k: v for k, v in params.items() if f":{k}" in sql})
            took.append(f"{name} {time.perf_counter() - started:.0f} s")
    # What autovacuum would have done by the night: statistics and the visibility map.
    started = time.perf_counter()
    await _vacuum(ANALYZED)
    took.append(f"vacuum analyze {time.perf_counter() - started:.0f} s")
    return took


async def _vacuum(tables: tuple[str, ...]) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from services.core.db import async_url
    from services.core.settings import get_settings

    engine = create_async_engine(
        async_url(get_settings().database_url), isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as connection:
            for table in tables:
                vacuum = text(f"VACUUM ANALYZE {table}").execution_options(all_tenants=True)
                await connection.execute(vacuum)
    finally:
        await engine.dispose()


async def _counts(tenant_id: uuid.UUID) -> dict[str, int]:
    from sqlalchemy import text

    from services.core.db import database

    counts = {}
    async with database.session(readonly=True, all_tenants=True) as session:
        for table in ANALYZED:
            counts[table.split(".")[1]] = int(
                (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            )
    return counts


async def _running_ids(tenant_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    from sqlalchemy import text

    from services.core.db import database

    async with database.session(readonly=True, tenant_id=tenant_id) as session:
        rows = await session.execute(
            text(
                "SELECT id FROM progress.mentorships WHERE tenant_id = :tenant_id "
                "AND status IN ('active', 'paused') ORDER BY random() LIMIT :count"
            ),
            {"tenant_id": tenant_id, "count": count},
        )
        return [row[0] for row in rows]


async def _probe_once(client: Any, headers: dict[str, str], ids: list[uuid.UUID]) -> float:
    started = time.perf_counter()
    answer = await client.get(f"/v1/mentorships/{random.choice(ids)}/health", headers=headers)
    assert answer.status_code == 200, answer.text
    return (time.perf_counter() - started) * 1000


async def _probe_while(
    client: Any, headers: dict[str, str], ids: list[uuid.UUID], running: Callable[[], bool]
) -> list[float]:
    """Time a probe every PROBE_EVERY seconds while `running()`."""
    timings = []
    while running():
        started = time.perf_counter()
        timings.append(await _probe_once(client, headers, ids))
        await asyncio.sleep(max(0.0, PROBE_EVERY - (time.perf_counter() - started)))
    return timings


def _spread(timings: list[float]) -> str:
    ordered = sorted(timings)
    return (
        f"p50 {statistics.median(ordered):.1f} ms, p99 {_percentile(ordered, 0.99):.1f} ms "
        f"({len(ordered)} probes)"
    )


async def _night(
    client: Any, headers: dict[str, str], ids: list[uuid.UUID]
) -> tuple[dict[str, Any], float, list[float]]:
    """One night in a worker process of its own, probed from here: its own figures, the wall
    time seen from here (the interpreter's start included), the probes' timings."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", NIGHT, stdout=asyncio.subprocess.PIPE
    )
    communicate = asyncio.ensure_future(process.communicate())
    probes = await _probe_while(client, headers, ids, lambda: not communicate.done())
    out, _ = await communicate
    wall = time.perf_counter() - started
    assert process.returncode == 0, f"the nightly job failed ({process.returncode})"
    return json.loads(out.decode().strip().splitlines()[-1]), wall, probes


async def _nightly(
    client: Any, headers: dict[str, str], tenant_id: uuid.UUID, running: int, nights: int
) -> list[str]:
    ids = await _running_ids(tenant_id, 2_000)
    for _ in range(5):
        await _probe_once(client, headers, ids)
    idle = [await _probe_once(client, headers, ids) for _ in range(IDLE_PROBES)]
    lines = [f"    interactive probe idle (GET /v1/mentorships/{{id}}/health): {_spread(idle)}"]
    for night in range(1, nights + 1):
        figures, wall, probes = await _night(client, headers, ids)
        seconds = figures["seconds"]
        what = "first night, every result new" if night == 1 else "results stored, updated"
        lines += [
            _line(
                f"    nightly_health #{night} ({what})",
                f"{seconds:.1f} s wall ({figures['cpu']:.1f} s CPU)",
                f"< {TARGET_NIGHT_SECONDS:.0f} s",
                seconds < TARGET_NIGHT_SECONDS and figures["assessed"] == running,
            ),
            f"      {figures['assessed']:,} assessed ({figures['assessed'] / seconds:,.0f} a "
            f"second), {figures['changed']:,} changed flags; peak RSS {figures['rss_mb']:.0f} MB; "
            f"{wall:.1f} s with the process's start",
            f"      interactive probe meanwhile: {_spread(probes)}",
        ]
    return lines


def _capture_statements() -> tuple[list[tuple[float, str, Any]], Callable[[], None]]:
    """Every statement the engine runs from now on, with its seconds; and how to stop."""
    from sqlalchemy import event

    from services.core.db import database

    engine = database.engine.sync_engine
    seen: list[tuple[float, str, Any]] = []

    def before(_conn: Any, _cursor: Any, _sql: str, _params: Any, context: Any, _many: Any) -> None:
        context._bench_started = time.perf_counter()

    def after(_conn: Any, _cursor: Any, sql: str, params: Any, context: Any, _many: Any) -> None:
        seen.append((time.perf_counter() - context._bench_started, sql, params))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)

    def stop() -> None:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)

    return seen, stop


async def _explain(sql: str, params: Any) -> list[str]:
    from services.core.db import database

    async with database.session(readonly=True, all_tenants=True) as session:
        connection = await session.connection()
        rows = await connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS) {sql}", tuple(params or ())
        )
        return [f"        {row[0]}" for row in rows]


async def _timed(call: Callable[[], Awaitable[Any]], times: int) -> list[float]:
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return timings


async def _report(client: Any, headers: dict[str, str], program_id: uuid.UUID) -> list[str]:
    path = f"/v1/programs/{program_id}/report"
    csv_headers = {**headers, "Accept": "text/csv"}

    async def as_json() -> None:
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 200, answer.text

    async def as_csv() -> None:
        answer = await client.get(path, headers=csv_headers)
        assert answer.status_code == 200 and answer.text.startswith("metric,value"), answer.text

    await as_json()
    lines = []
    for label, call in (("JSON", as_json), ("CSV", as_csv)):
        timings = sorted(await _timed(call, REPORT_CALLS))
        p50 = statistics.median(timings)
        lines.append(
            _line(
                f"    GET .../report as {label}, {REPORT_CALLS} calls",
                f"p50 {p50 * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms",
                f"< {TARGET_REPORT_SECONDS * 1000:.0f} ms",
                p50 < TARGET_REPORT_SECONDS,
            )
        )
    seen, stop = _capture_statements()
    try:
        await as_json()
    finally:
        stop()
    report = (await client.get(path, headers=headers)).json()
    lines.append(
        f"      {report['health']['assessed']:,} assessed, mean {report['health']['mean_score']}, "
        f"bands {report['health']['distribution']}; {len(report['at_risk'])} at risk listed"
    )
    timed = sorted(seen, key=lambda s: s[0], reverse=True)
    total = sum(seconds for seconds, _, _ in seen)
    lines.append(
        f"      one call's {len(seen)} statements take {total * 1000:.0f} ms; the slowest: "
        + ", ".join(f"{seconds * 1000:.0f} ms" for seconds, _, _ in timed[:4])
    )
    slowest_seconds, slowest_sql, slowest_params = timed[0]
    if any(line.endswith("MISSED") for line in lines):
        lines.append(f"      EXPLAIN ANALYZE of the slowest ({slowest_seconds * 1000:.0f} ms):")
        lines.append("        " + " ".join(slowest_sql.split()))
        lines += await _explain(slowest_sql, slowest_params)
    return lines


async def _bench(parts: list[str], running: int, nights: int) -> list[str]:
    from services.core.auth import Principal
    from services.core.db import database
    from services.profiles.programs import service as programs
    from services.profiles.programs.schemas import ProgramCreate

    tenant_id, admin_id, token = await _tenant("progress")
    async with database.transaction(tenant_id=tenant_id) as session:
        principal = Principal(tenant_id, admin_id, "", frozenset({"admin"}))
        program = await programs.create_program(
            session, principal, ProgramCreate(name="Engineering 2026", self_enrol=False)
        )
    started = time.perf_counter()
    took = await _history(tenant_id, program.id, running)
    seconds = time.perf_counter() - started
    counts = await _counts(tenant_id)
    lines = [
        f"progress at scale: {running:,} running mentorships of one program written in "
        f"{seconds:.0f} s (not timed below: {', '.join(took)})",
        "    rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()),
    ]
    for line in lines:
        print(line, flush=True)
    headers = {"Authorization": f"Bearer {token}"}
    gateway, client = _gateway_client()
    try:
        if "nightly" in parts:
            part = await _nightly(client, headers, tenant_id, running, nights)
            print("\n".join(part), flush=True)
            lines += part
        if "report" in parts:
            if "nightly" not in parts:
                from services.progress.tasks import nightly_health

                await nightly_health(None)  # the report reads stored results
            # What autovacuum does after a night's upserts: the dead rows' space back, and
            # statistics for the results.
            await _vacuum(("progress.mentorship_health",))
            part = await _report(client, headers, program.id)
            print("\n".join(part), flush=True)
            lines += part
    finally:
        await client.aclose()
        await gateway.close()
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench progress", description=__doc__)
    parser.add_argument("--part", choices=PARTS, action="append")
    parser.add_argument("--mentorships", type=int, default=MENTORSHIPS)
    parser.add_argument("--nights", type=int, default=NIGHTS)
    args = parser.parse_args(argv)
    # The probe's calls are the point here, not the limiter; request logs would drown the
    # figures.
    os.environ.setdefault("RATE_LIMIT_USER_PER_MINUTE", "1000000000")
    os.environ.setdefault("RATE_LIMIT_TENANT_PER_MINUTE", "1000000000")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from bench.scratch import in_scratch_database
    from services.core.settings import get_settings

    get_settings.cache_clear()
    lines = in_scratch_database(
        f"bench_progress_{uuid.uuid4().hex[:8]}",
        lambda: asyncio.run(_bench(args.part or list(PARTS), args.mentorships, args.nights)),
    )
    return 1 if any(line.endswith("MISSED") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
