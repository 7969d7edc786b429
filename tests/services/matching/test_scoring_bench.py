"""The scoring benchmark runs end to end on a small population and prints every figure."""

from bench import matching_scoring


def test_the_benchmark_prints_each_figure_next_to_its_target() -> None:
    lines = matching_scoring.figures(mentors=400, mentees=8)
    text = "\n".join(lines)
    assert "400 mentors" in text
    assert "(target p50 < 20 ms)" in text and "(target <= 2.5x)" in text
    assert "bytes per mentor" in text


def test_the_generator_is_the_same_for_the_same_seed() -> None:
    first = matching_scoring.generate(50, 3, seed=1)
    again = matching_scoring.generate(50, 3, seed=1)
    assert first == again
