"""Lab 3 graded for real: the reference gets full marks, and every buggy solution and every
spoof fails exactly the checks it names, and nothing else."""
import pytest

from conftest import failed_checks, faulty_cases, grade_faulty, grade_reference
from grader import labspec

LAB = labspec.load("lab3")


def test_reference_gets_full_marks(client, tmp_path):
    result = grade_reference(client, "lab3", tmp_path)
    failures = {r.title: r.observed for r in result.results if not r.passed}
    assert failures == {}
    assert result.score == result.max_score == LAB.spec.max_score


def test_buggy_corpus_covers_the_lab():
    buggy = list((LAB.folder / "buggy").glob("*/*.patch"))
    assert len(buggy) >= 8
    check_ids = {c.id for e in LAB.spec.exercises for c in e.checks}
    assert {b.parent.name for b in buggy} <= check_ids


@pytest.mark.parametrize("lab_name, case", faulty_cases("lab3"))
def test_faulty_solution_fails_exactly_its_checks(client, tmp_path, lab_name, case):
    result, must_fail = grade_faulty(client, lab_name, case, tmp_path)
    if case.suffix == ".patch":
        assert case.parent.name in must_fail, "a buggy solution is named for a check it must fail"
    assert failed_checks(result) == must_fail, {r.id: r.observed for r in result.results}
