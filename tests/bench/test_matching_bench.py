"""The matching benchmark's planted population: each mentee's ideal mentor is a valid profile
that is at least as good as any generated mentor on what matching compares."""

import pytest

from bench import matching
from bench.population import planted, targets_of
from services.profiles.imports.people import PersonRow


def test_every_mentee_gets_an_ideal_made_for_them() -> None:
    population = planted(30, 20, 5)
    assert len(population.mentors) == 30 + 20
    by_email = {mentor.email: mentor for mentor in population.mentors}
    for person in population.mentors + population.mentees:
        PersonRow.model_validate(person.import_line())
    generated_openness = max(m.profile["mentor"]["openness"] for m in population.mentors[:30])
    for mentee in population.mentees:
        ideal = by_email[population.ideal[mentee.email]].profile
        levels = {s["name"]: s["level"] for s in ideal["skills"] if s["kind"] == "expertise"}
        assert targets_of(mentee) and all(levels[name] == 5 for name in targets_of(mentee))
        body = mentee.profile
        assert ideal["timezone"] == body["timezone"]
        assert ideal["availability"]["weekly"] == body["availability"]["weekly"]
        assert ideal["values"] == body["values"] and ideal["languages"] == body["languages"]
        assert set(body["communication"]["channels"]) <= set(ideal["communication"]["channels"])
        assert ideal["communication"]["style"] == body["communication"]["style"]
        assert ideal["mentor"]["openness"] >= generated_openness
        assert ideal["mentor"]["accepting_requests"] and ideal["mentor"]["capacity"] == 5


def test_a_part_prints_its_figure_next_to_its_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert matching.main(["--part", "generator", "--generated", "2000"]) == 0
    printed = capsys.readouterr().out
    assert "generator: 2,000 people" in printed and "target a few seconds" in printed
