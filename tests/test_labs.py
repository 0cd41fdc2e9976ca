"""Every lab graded for real, from its own folder: the reference in each language gets full
marks, every buggy solution and every spoof fails exactly the checks it names and nothing else,
and verdicts that a busy machine could sway (checks marked load_sensitive in lab.yaml) hold run
after run while both cores are kept busy. A new lab is covered by adding its folder, a language
by adding its files; nothing here names a lab or a language.
A lab is loaded by its own tests: one that does not load fails those and no other lab's."""
import pytest

from conftest import (ROOT, UnderLoad, case_fails, failed_checks, faulty_cases, grade_faulty,
                      grade_reference)
from grader import corpus, labspec
from grader.languages import language_of

LABS = labspec.available()   # the folders with a lab.yaml, none of them loaded
MIN_BUGGY = {"Python": 6, "C": 4}   # classic mistakes per lab, in each language
LOADED_RUNS_REFERENCE = 10
LOADED_RUNS_BUGGY = 3


def load_sensitive(lab_name: str) -> set[str]:
    lab = labspec.load(lab_name)
    return {c.id for e in lab.spec.exercises for c in e.checks if c.load_sensitive}


def languages(lab_name: str) -> list:
    """(lab, language) for each language the lab has a whole reference in."""
    return [pytest.param(lab_name, language, id=f"{lab_name}/{language.name}")
            for language in corpus.languages(labspec.load(lab_name))]


def swayable_exercises(lab_name: str) -> list:
    """(lab, (language, the exercises that hold a load-sensitive check)), for a lab that has
    any: all the load test needs to grade, in each language."""
    lab = labspec.load(lab_name)
    files = [e.file for e in lab.spec.exercises if any(c.load_sensitive for c in e.checks)]
    return [pytest.param(lab_name, (language, files), id=f"{lab_name}/{language.name}")
            for language in corpus.languages(lab)] if files else []


def each_lab(cases) -> list:
    """cases(lab) for every lab; a lab that does not load gives one case instead, (lab, None),
    whose test fails as it loads the lab."""
    params = []
    for name in LABS:
        try:
            params.extend(cases(name))
        except labspec.LabError:
            params.append(pytest.param(name, None, id=f"{name}/does-not-load"))
    return params


def swayable_buggy(lab_name: str) -> list:
    """The buggy patches that must fail a load-sensitive check."""
    sensitive = load_sensitive(lab_name)
    return [pytest.param(lab_name, p, id=f"{lab_name}/{p.parent.name}/{p.stem}")
            for p in corpus.patches(labspec.load(lab_name)) if corpus.fails(p) & sensitive]


@pytest.mark.parametrize("lab_name, language", each_lab(languages))
def test_reference_gets_full_marks(client, tmp_path, lab_name, language):
    result = grade_reference(client, lab_name, tmp_path, language=language)
    failures = {r.title: r.observed for r in result.results if not r.passed}
    assert failures == {}
    assert result.score == result.max_score == labspec.load(lab_name).spec.max_score


@pytest.mark.parametrize("lab_name, language", each_lab(languages))
def test_corpus_covers_the_lab(lab_name, language):
    lab = labspec.load(lab_name)
    buggy = [p for p in corpus.patches(lab)
             if corpus.case_language(corpus.changed_files(p)) == language]
    assert len(buggy) >= MIN_BUGGY[language.name]
    check_ids = {c.id for e in lab.spec.exercises for c in e.checks}
    assert {b.parent.name for b in buggy} <= check_ids, "buggy/<check-id>/ must name a real check"
    spoofs = [b.parent for b in (ROOT / "tests" / "spoofs" / lab_name).glob("*/*/bug.yaml")]
    # A case with no program in it (a config file's spoof) counts for the default language.
    expected = {e.file for e in lab.spec.exercises
                if language_of(e.file) or language == corpus.case_language([])}
    spoofed = {exercise for spoof in spoofs
               if corpus.case_language([p.name for p in spoof.iterdir()]) == language
               for exercise in corpus.exercises(lab, [p.name for p in spoof.iterdir()])}
    assert spoofed == expected, \
        "every exercise has a spoof: a program that prints plausible lines without the work"


@pytest.mark.parametrize("lab_name", LABS)
def test_every_check_is_failed_by_some_mistake(lab_name):
    """A check that no buggy solution or spoof fails is a check nothing shows can fail."""
    lab = labspec.load(lab_name)
    named = set().union(*(case_fails(case.values[1]) for case in faulty_cases(lab_name)))
    assert named == {c.id for e in lab.spec.exercises for c in e.checks}


@pytest.mark.parametrize("lab_name, case", each_lab(faulty_cases))
def test_faulty_solution_fails_exactly_its_checks(client, tmp_path, lab_name, case):
    result, must_fail = grade_faulty(client, lab_name, case, tmp_path)
    if case.suffix == ".patch":
        assert case.parent.name in must_fail, "a buggy solution is named for a check it must fail"
    assert failed_checks(result) == must_fail, {r.id: r.observed for r in result.results}
    untold = [r.id for r in result.results if not r.passed and language_of(r.exercise) and
              not (r.timeline and r.timeline.rows)]
    assert untold == [], "a failed check of a program shows the run it failed in"


@pytest.mark.parametrize("lab_name, case", [
    pytest.param(w.parent.parent.parent.name, w.parent,
                 id=f"{w.parent.parent.parent.name}/{w.parent.parent.name}/{w.parent.name}")
    for w in sorted((ROOT / "tests" / "unusual").glob("*/*/*/why.yaml"))])
def test_unusual_solution_gets_full_marks(client, tmp_path, lab_name, case):
    """tests/unusual: correct solutions that go about it another way (a reaping thread, pidfds)."""
    result, _ = grade_faulty(client, lab_name, case, tmp_path)
    assert failed_checks(result) == set(), {r.id: r.observed for r in result.results}


@pytest.fixture(scope="module")
def references_under_load(request, client) -> UnderLoad:
    """A lab's references in every language, graded under one load."""
    def grade(params, folder):
        language, exercises = params["swayable"]
        return grade_reference(client, params["lab_name"], folder, only=exercises, language=language)
    return UnderLoad(request, LOADED_RUNS_REFERENCE, grade,
                     group=lambda params: params["lab_name"])


@pytest.mark.exclusive
@pytest.mark.parametrize("lab_name, swayable", each_lab(swayable_exercises))
def test_reference_passes_ten_runs_under_load(request, references_under_load, lab_name, swayable):
    for run, result in enumerate(references_under_load.results(request.node)):
        failures = {r.id: r.observed for r in result.results if not r.passed}
        assert failures == {}, f"run {run + 1} of {LOADED_RUNS_REFERENCE}"


@pytest.fixture(scope="module")
def buggy_under_load(request, client) -> UnderLoad:
    return UnderLoad(request, LOADED_RUNS_BUGGY,
                     lambda params, folder: grade_faulty(client, params["lab_name"], params["patch"], folder),
                     group=lambda params: params["lab_name"])


@pytest.mark.exclusive
@pytest.mark.parametrize("lab_name, patch", each_lab(swayable_buggy))
def test_buggy_fails_its_checks_every_time_under_load(request, buggy_under_load, lab_name, patch):
    """The mistake is caught on every run however busy the machine. (That it fails nothing
    else is asked on a quiet machine above: a container of fifteen processes sharing one CPU
    with two hogs may honestly miss another deadline too.)"""
    for run, (result, must_fail) in enumerate(buggy_under_load.results(request.node)):
        missed = must_fail - failed_checks(result)
        assert not missed, (f"run {run + 1}: passed {sorted(missed)}",
                            {r.id: r.observed for r in result.results if not r.passed})
