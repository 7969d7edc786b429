"""A generated population with one planted ideal mentor per mentee, for matching's quality figure.

The ordinary people come from `deploy.population` (decent matches: the same families, zones and
languages as anyone's). Each mentee then gets a mentor made for them, best on every factor of
domain.md's "Matching factors":

- expertise: every skill the mentee wants to learn (rated skills and goals' targets) at level 5,
  in the mentee's industries, and a headline, bio and career that speak of the goals;
- accessibility: the same time zone and the same weekly windows, a quick response, places left;
- values: all of the mentee's values, in their order;
- communication: all of the mentee's channels, their style, their languages;
- adaptability: high openness, and nothing the mentee wants lies outside their skills.

Pure and seeded, like the generator it builds on.
"""

import copy
from dataclasses import dataclass
from typing import Any

from deploy.population import Person, people

PLANTED_DOMAIN = "planted.example"


@dataclass(frozen=True, slots=True)
class Planted:
    mentors: list[Person]  # the generated mentors, then the planted ones
    mentees: list[Person]
    ideal: dict[str, str]  # mentee email -> their planted mentor's email


def targets_of(mentee: Person) -> list[str]:
    """What the mentee wants to learn: rated skills, then goals' target skills (one each)."""
    wanted = [s["name"] for s in mentee.profile["skills"] if s["kind"] == "wants_to_learn"]
    for goal in mentee.profile.get("mentee", {}).get("goals", []):
        wanted += goal["target_skills"]
    return list(dict.fromkeys(wanted))


def ideal_for(mentee: Person, index: int) -> Person:
    """The mentor who is best for this mentee on every factor."""
    body = mentee.profile
    targets = targets_of(mentee)
    goals = body.get("mentee", {}).get("goals", [])
    goal_words = "; ".join(f"{g['title']}: {g['description']}" for g in goals)
    skills: list[dict[str, Any]] = [
        {"name": name, "level": 5, "kind": "expertise"} for name in targets
    ]
    # What else they know, from the mentee's own expertise (levels above the mentee's).
    for skill in body["skills"]:
        if skill["kind"] == "expertise" and skill["name"] not in targets and len(skills) < 12:
            skills.append({"name": skill["name"], "level": 5, "kind": "expertise"})
    first_target = targets[0] if targets else "mentoring"
    profile: dict[str, Any] = {
        "headline": f"Principal, {', '.join(targets[:3])}",
        "bio": f"I have spent fifteen years on {', '.join(targets)}. {goal_words}",
        "timezone": body["timezone"],
        "languages": list(body["languages"]),
        "industries": list(body["industries"]),
        "years_experience": 18,
        "seniority": "principal",
        "career_history": [
            {
                "title": f"Principal engineer for {first_target}",
                "organisation": "Northwind",
                "start": "2010-01-01",
            }
        ],
        "achievements": [
            {"title": f"Taught {name} to dozens of people", "year": 2024} for name in targets[:3]
        ],
        "values": list(body["values"]),
        "communication": {
            "channels": list(body["communication"]["channels"]),
            "style": body["communication"]["style"],
            "response_time_hours": 2,
        },
        "availability": copy.deepcopy(body["availability"]) | {"public": True},
        "skills": skills,
        "mentor": {
            "capacity": 5,
            "accepting_requests": True,
            "openness": 1.0,
        },
    }
    return Person(
        email=f"ideal.{index}@{PLANTED_DOMAIN}",
        display_name=f"Ideal Mentor {index}",
        roles=("mentor",),
        profile=profile,
        family=mentee.family,
        region=mentee.region,
    )


def planted(n_mentors: int, n_mentees: int, seed: int) -> Planted:
    """`n_mentors` generated mentors, `n_mentees` generated mentees and one planted ideal mentor
    for each mentee (so `n_mentors + n_mentees` mentors in all)."""
    generated = people(n_mentors, n_mentees, seed)
    mentors, mentees = generated[:n_mentors], generated[n_mentors:]
    ideals = [ideal_for(mentee, index) for index, mentee in enumerate(mentees)]
    return Planted(
        mentors=mentors + ideals,
        mentees=mentees,
        ideal={mentee.email: ideal.email for mentee, ideal in zip(mentees, ideals, strict=True)},
    )
