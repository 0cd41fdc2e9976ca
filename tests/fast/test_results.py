"""How a grade is shown and exported, from results built by hand: the terminal's lines,
Gradescope's results.json, atomic writes, and a batch's exports (gradebook, JUnit,
PrairieLearn, the HTML report), an ungradable submission among them."""
import csv
import json
import xml.etree.ElementTree as ET

import pytest

from grader import exports, feedback, labspec, report
from grader.exercise import CheckResult
from grader.grading import Scorecard

LAB = labspec.load("lab3")


def scorecard() -> Scorecard:
    return Scorecard(LAB, [
        CheckResult("zombie.py", "a", "leaves a zombie", 2, True, notes=["took 3 ms"]),
        CheckResult("zombie.py", "b", "reaps it", 3, False, "nobody reaped PID 7", hint="call wait()"),
        # As the grader skips a check: passed, for no points.
        CheckResult("reaper.py", "c", "reaps all", 0, True, skipped="the machine was too busy"),
    ], execution_time=1.234, notes=["extra.txt is not graded"])


def test_terminal_shows_each_check_then_the_score():
    assert report.terminal(scorecard()).splitlines() == [
        "OK    2/2  zombie.py: leaves a zombie",
        "            took 3 ms",
        "FAIL  0/3  zombie.py: reaps it",
        "            observed: nobody reaped PID 7",
        "            hint: call wait()",
        "SKIP  0/0  reaper.py: reaps all",
        "            skipped: the machine was too busy",
        "note: extra.txt is not graded",
        f"Score: 2/5  ({LAB.spec.title}, graded in 1.2 s)",
    ]


def test_gradescope_results():
    data = report.gradescope(scorecard())
    assert {k: data[k] for k in ("score", "execution_time", "output")} == {
        "score": 2, "execution_time": 1.23, "output": f"{LAB.spec.title}: 2/5"}
    assert feedback.max_score(data) == 5 and "max_score" not in data   # not Gradescope's field
    assert data["tests"] == [
        {"name": "zombie.py: leaves a zombie", "score": 2, "max_score": 2, "status": "passed",
         "output": "took 3 ms"},
        {"name": "zombie.py: reaps it", "score": 0, "max_score": 3, "status": "failed",
         "output": "observed: nobody reaped PID 7\nhint: call wait()"},
        {"name": "reaper.py: reaps all", "score": 0, "max_score": 0, "status": "passed",
         "output": "skipped: the machine was too busy"},
    ]


def test_a_refused_submission_fails_every_check_for_its_reason():
    refused = Scorecard.refused(LAB, ["zombie.py"], "the submission is too large")
    checks = next(e for e in LAB.spec.exercises if e.file == "zombie.py").checks
    assert [(r.id, r.passed, r.observed) for r in refused.results] == \
        [(c.id, False, "the submission is too large") for c in checks]
    assert refused.score == 0 and refused.max_score == sum(c.points for c in checks)


def test_write_json_is_whole_or_not_at_all(tmp_path):
    path = tmp_path / "deep" / "results.json"
    report.write_json(path, {"score": 1})
    assert json.loads(path.read_text()) == {"score": 1}
    with pytest.raises(TypeError):
        report.write_json(path, {"score": object()})   # fails halfway through the writing
    assert json.loads(path.read_text()) == {"score": 1}, "the file written before is kept"
    assert [p.name for p in path.parent.iterdir()] == ["results.json"], "no temporary file is left"


def results_folder(tmp_path):
    """A batch's RESULTS: two graded students and one that could not be graded."""
    out = tmp_path / "results"
    report.write_json(out / "batch.json", {"lab": "lab3", "title": LAB.spec.title, "only": []})
    full = report.gradescope(Scorecard(LAB, [
        CheckResult("zombie.py", "a", "leaves a zombie", 2, True),
        CheckResult("zombie.py", "b", "reaps it", 3, True)], 1.0))
    half = report.gradescope(scorecard())
    report.write_json(out / "gradescope" / "alice" / "results.json", full)
    report.write_json(out / "gradescope" / "bob" / "results.json", half)
    report.write_json(out / "ungradable" / "carol.json",
                      {"gradable": False, "reason": "Docker engine unreachable"})
    return out


def test_exports_of_a_class(tmp_path):
    out = results_folder(tmp_path)
    written = exports.export_all(out)
    assert written == [out / name for name in ("gradebook.csv", "junit.xml", "report.png",
                                               "report.html", "prairielearn")]

    with (out / "gradebook.csv").open() as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["Student ID", "Total", "zombie.py: leaves a zombie", "zombie.py: reaps it", "reaper.py: reaps all"],
        ["alice", "5", "2", "3", ""],
        ["bob", "2", "2", "0", "0"],
        ["carol", "", "", "", ""],   # ungradable: empty, never a zero
    ]

    suites = ET.parse(out / "junit.xml").getroot()
    assert suites.get("name") == "lab3"
    assert {s.get("name"): (s.get("tests"), s.get("failures"), s.get("errors")) for s in suites} == {
        "alice": ("2", "0", "0"), "bob": ("3", "1", "0"), "carol": ("1", "0", "1")}
    assert suites.find("testsuite[@name='carol']/testcase/error").get("message") == \
        "Docker engine unreachable"

    def prairielearn(student):
        return json.loads((out / "prairielearn" / student / "results.json").read_text())
    assert prairielearn("alice")["score"] == 1.0 and prairielearn("bob")["score"] == pytest.approx(2 / 5)
    assert prairielearn("carol") == {"gradable": False, "score": 0.0,
                                     "message": "Docker engine unreachable", "tests": []}

    page = (out / "report.html").read_text()
    assert "3 submissions, 2 graded" in page and "carol: Docker engine unreachable" in page
    assert (out / "report.png").stat().st_size > 0
    assert not list(out.glob(".*")), "no temporary file is left"


def test_a_graded_result_wins_over_a_stale_ungradable_record(tmp_path):
    out = results_folder(tmp_path)
    report.write_json(out / "ungradable" / "alice.json", {"gradable": False, "reason": "old"})
    tally = exports.Tally.of(exports.Records(out))
    assert tally.students == 3 and tally.scores == [5, 2] and tally.ungradable == [
        ("carol", "Docker engine unreachable")]
