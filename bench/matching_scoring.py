"""Scoring speed, in-process: top-10 recommendations among 100,000 mentors, every factor and
the reasons for the ten, against a plain numpy scan of the same dense feature matrix.

The population is generated here from a seed (no database): mentors with 5-15 skills from the
vocabulary, 2-6 weekly windows in one of 30 zones, bios of 40-120 words drawn with a Zipf-like
frequency from a word list (so common words are in most bios, as in real text), languages,
industries, values, channels, styles; 200 mentees with 1-5 targets and a few goal sentences.

Figures (each next to its target):
- build: MentorArrays for all mentors, from nothing (upsert in batches), and one mentor's update;
- top-10 with all factors and reasons: p50/p95 ms over the 200 mentees (target p50 < 20 ms);
- plain scan: one weighted dot product over the dense columns (as float32 matrix), one
  AND/popcount pass over the availability masks, the eligibility AND and a top-10 partition:
  p50 ms in the same run, and the ratio (target <= 2.5x);
- wall-clock and CPU time (time.thread_time) both: on a shared machine a wall-clock figure
  includes other processes' time slices, the CPU figure does not;
- bytes per mentor (everything `nbytes` counts: columns, masks, postings, text index, maps)
  and MB per 100,000.

Run alone: .venv/bin/python -m bench.matching_scoring [--mentors N] [--mentees N]
"""

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from services.matching import scoring
from services.matching.features import Goal, MatchProfile, Skill, Window
from services.profiles import queries as profiles
from services.profiles.skills import vocabulary

MENTORS = 100_000
MENTEES = 200
SEED = 7
AS_OF = datetime(2026, 3, 18, 12, tzinfo=UTC)  # between the US and EU switches
ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "America/Bogota",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Asia/Jakarta",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "UTC",
)
LANGUAGES = ("en", "de", "fr", "es", "pt", "pt-br", "it", "nl", "pl", "ja", "zh", "hi", "ar")
INDUSTRIES = ("fintech", "healthcare", "retail", "logistics", "energy", "media", "public sector")
VALUES = (
    "integrity",
    "collaboration",
    "innovation",
    "craftsmanship",
    "impact",
    "autonomy",
    "continuous learning",
    "inclusion",
)
CHANNELS = ("video", "voice", "chat", "email", "in_person")
STYLES = (None, "direct", "supportive", "socratic", "structured")
_CONTENT_TEXT = (
    "platform scaling reliability design systems leadership coaching growth product strategy "
    "analytics pipelines security cloud migration payments onboarding research hiring "
    "architecture mobile testing delivery roadmap negotiation budgeting storytelling "
    "observability latency compliance audit forecasting pricing retention churn funnels "
    "experimentation accessibility typography branding campaigns partnerships procurement "
    "logistics warehouse inventory contracts litigation privacy governance mentoring feedback "
    "facilitation workshops interviewing recruiting compensation benefits payroll wellbeing "
    "teams engineers managers startups enterprise customers users data models machine "
    "learning backend frontend infrastructure operations finance marketing sales support "
    "quality process automation integration services microservices databases performance "
    "career transition promotion presentation writing communication conflict culture values "
    "remote distributed planning prioritisation stakeholders executives board fundraising "
    "led built shipped grew launched managed scaled designed mentored coached hired taught"
)
_CONTENT = _CONTENT_TEXT.split()
_FILLER_TEXT = "the and of to in for with on at from by as an a my our we i have been years"
_FILLER = _FILLER_TEXT.split()


def _word_pool(rng: random.Random) -> tuple[list[str], list[float]]:
    """Zipf's law over a word list: the filler (mostly stop words) is the most frequent, as in
    real prose; then content words and skill names in a seeded order."""
    content = _CONTENT + [skill.name.lower() for skill in vocabulary.vocabulary()]
    rng.shuffle(content)
    words = _FILLER + content
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    return words, weights


def _windows(rng: random.Random) -> tuple[Window, ...]:
    windows = []
    for _ in range(rng.randint(2, 6)):
        start = rng.randrange(6 * 4, 20 * 4) * 15
        windows.append(
            Window(rng.randrange(7), start, min(start + rng.choice((60, 90, 120, 180)), 1440))
        )
    return tuple(windows)


def _languages(rng: random.Random) -> tuple[str, ...]:
    chosen = {"en"} if rng.random() < 0.8 else set()
    chosen |= set(rng.sample(LANGUAGES, rng.randint(0, 2)))
    if not chosen:
        chosen = {rng.choice(LANGUAGES)}
    keys = profiles.language_keys(sorted(chosen))
    return tuple(keys)


def generate(
    mentors: int = MENTORS, mentees: int = MENTEES, seed: int = SEED
) -> tuple[list[MatchProfile], list[MatchProfile]]:
    """Mentors and mentees, the same for the same seed."""
    rng = random.Random(seed)
    skills = [(vocabulary.normalise_key(s.name), s.name) for s in vocabulary.vocabulary()]
    skills = [(profiles.skill_key(name), name) for _, name in skills]
    words, weights = _word_pool(rng)
    people = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(mentors // 50 + 1)]
    programs = [uuid.UUID(int=i + 1) for i in range(3)]
    mentor_list = []
    for index in range(mentors):
        capacity = rng.randint(1, 5)
        mentor_list.append(
            MatchProfile(
                user_id=uuid.UUID(int=(index + 1) << 64),
                display_name=f"Mentor {index}",
                active=True,
                roles=("mentor",),
                headline=" ".join(rng.choices(words, weights, k=rng.randint(3, 8))),
                bio=" ".join(rng.choices(words, weights, k=rng.randint(40, 120))),
                timezone=rng.choice(ZONES),
                languages=_languages(rng),
                industries=tuple(rng.sample(INDUSTRIES, rng.randint(0, 2))),
                values=tuple(rng.sample(VALUES, rng.randint(0, 3))),
                channels=tuple(rng.sample(CHANNELS, rng.randint(0, 3))),
                style=rng.choice(STYLES),
                response_time_hours=rng.choice((None, 4, 12, 24, 48, 72)),
                weekly=_windows(rng),
                expertise=tuple(
                    Skill(key, name, rng.randint(2, 5))
                    for key, name in rng.sample(skills, rng.randint(5, 15))
                ),
                years_experience=rng.randint(2, 30),
                seniority=rng.choice(scoring.SENIORITY),
                is_mentor=True,
                accepting_requests=rng.random() < 0.9,
                capacity=capacity,
                active_mentees=rng.randint(0, capacity),
                openness=rng.random(),
                mentor_programs=frozenset(rng.sample(programs, rng.randint(0, 2))),
                manager_id=rng.choice(people) if rng.random() < 0.3 else None,
            )
        )
    mentee_list = []
    for index in range(mentees):
        targets = rng.sample(skills, rng.randint(1, 5))
        split = rng.randint(0, len(targets))
        mentee_list.append(
            MatchProfile(
                user_id=uuid.UUID(int=(index + 1) << 32),
                display_name=f"Mentee {index}",
                active=True,
                roles=("mentee",),
                timezone=rng.choice(ZONES),
                languages=_languages(rng),
                industries=tuple(rng.sample(INDUSTRIES, rng.randint(0, 2))),
                values=tuple(rng.sample(VALUES, rng.randint(0, 3))),
                channels=tuple(rng.sample(CHANNELS, rng.randint(1, 3))),
                style=rng.choice(STYLES),
                weekly=_windows(rng),
                learning=tuple(Skill(k, n, rng.randint(0, 3)) for k, n in targets[:split]),
                goals=(
                    Goal(
                        " ".join(rng.choices(words, weights, k=rng.randint(3, 6))),
                        " ".join(rng.choices(words, weights, k=rng.randint(10, 30))),
                        tuple(Skill(k, n, 0) for k, n in targets[split:]),
                        rng.choice((None, 6, 12)),
                    ),
                ),
                manager_id=rng.choice(people) if rng.random() < 0.3 else None,
            )
        )
    return mentor_list, mentee_list


def _recommend(
    arrays: scoring.MentorArrays, by_id: dict[uuid.UUID, MatchProfile], mentee: MatchProfile
) -> list[tuple[uuid.UUID, float, dict[str, float], list[str]]]:
    """What `GET /v1/matching/recommendations` computes in-process: top 10, factors, reasons."""
    scores = scoring.score(arrays, mentee, None, as_of=AS_OF)
    results = []
    for row in scoring.top(scores, 10):
        mentor = by_id[arrays.user_id_at(row)]
        factors = scoring.factor_map(scores, row)
        said = scoring.reasons(mentee, mentor, factors, as_of=AS_OF)
        results.append((mentor.user_id, float(scores.total[row]), factors, said))
    return results


def _dense_matrix(arrays: scoring.MentorArrays) -> np.ndarray:
    n = arrays.n_rows
    columns = [column[:n].astype(np.float32) for column in arrays.columns.values()]
    return np.ascontiguousarray(np.stack(columns, axis=1))


def _plain_scan(
    dense: np.ndarray, masks: np.ndarray, live: np.ndarray, weights: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    """The floor: one weighted dot product over the dense columns, one AND/popcount pass over
    the availability words (laid out as MentorArrays lays them out, word by word), one AND
    with the live column, a top-10 partition."""
    total = dense @ weights
    slots = np.zeros(total.shape[0], dtype=np.uint16)
    for word in range(masks.shape[0]):
        slots += np.bitwise_count(masks[word] & mask[word])
    total += slots * np.float32(0.01)
    total = np.where(live, total, np.float32(-1))
    best = np.argpartition(-total, 10)[:10]
    result: np.ndarray = best[np.argsort(-total[best])]
    return result


def _percentile(samples: Sequence[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(mentors: int = MENTORS, mentees: int = MENTEES) -> list[str]:
    generated = time.perf_counter()
    mentor_list, mentee_list = generate(mentors, mentees)
    generated = time.perf_counter() - generated
    by_id = {mentor.user_id: mentor for mentor in mentor_list}

    started = time.perf_counter()
    arrays = scoring.MentorArrays()
    for start in range(0, len(mentor_list), 5_000):
        arrays.upsert(mentor_list[start : start + 5_000])
    build = time.perf_counter() - started
    updates = []
    for mentor in mentor_list[:20]:
        started = time.perf_counter()
        arrays.upsert([mentor])
        updates.append(time.perf_counter() - started)

    for mentee in mentee_list[:5]:  # warm: zone tables of the week, caches
        _recommend(arrays, by_id, mentee)
    timings, cpu = [], []
    for mentee in mentee_list:
        started, started_cpu = time.perf_counter(), time.thread_time()
        _recommend(arrays, by_id, mentee)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        timings.append((time.perf_counter() - started) * 1000)

    dense = _dense_matrix(arrays)
    rng = np.random.default_rng(SEED)
    weights = rng.random(dense.shape[1], dtype=np.float32)
    live = arrays.columns["live"][: arrays.n_rows]
    masks = np.ascontiguousarray(arrays.masks[:, : arrays.n_rows])
    scans, scans_cpu = [], []
    for index in range(len(mentee_list)):
        mask = masks[:, index % masks.shape[1]]
        started, started_cpu = time.perf_counter(), time.thread_time()
        _plain_scan(dense, masks, live, weights, mask)
        scans_cpu.append((time.thread_time() - started_cpu) * 1000)
        scans.append((time.perf_counter() - started) * 1000)

    p50, p95 = _percentile(timings, 0.5), _percentile(timings, 0.95)
    scan = _percentile(scans, 0.5)
    p50_cpu, scan_cpu = _percentile(cpu, 0.5), _percentile(scans_cpu, 0.5)
    per_mentor = arrays.nbytes() / max(len(arrays), 1)
    return [
        f"matching scoring: {len(arrays):,} mentors, {len(mentee_list)} mentees "
        f"(generated in {generated:.1f} s)",
        f"  build MentorArrays: {build:.1f} s; one mentor's update p50 "
        f"{statistics.median(updates) * 1000:.2f} ms",
        f"  top-10 with all factors and reasons: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(target p50 < 20 ms); CPU time p50 {p50_cpu:.1f} ms",
        f"  plain numpy scan of the same dense matrix: p50 {scan:.1f} ms; ratio {p50 / scan:.2f}x "
        f"(target <= 2.5x); CPU time p50 {scan_cpu:.1f} ms, ratio {p50_cpu / scan_cpu:.2f}x",
        f"  memory: {per_mentor:,.0f} bytes per mentor, {per_mentor * 100_000 / 1e6:.0f} MB "
        f"per 100,000 mentors",
    ]


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="bench.matching_scoring")
    parser.add_argument("--mentors", type=int, default=MENTORS)
    parser.add_argument("--mentees", type=int, default=MENTEES)
    args = parser.parse_args(list(argv))
    for line in figures(args.mentors, args.mentees):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
