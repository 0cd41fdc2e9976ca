"""A batch's bookkeeping, without graders: the results folder (what is graded, what is not, who
holds it, what it was graded with), the class's submissions, the closing summary, and
grade_all's resume and retry logic driven by a pool whose gradings have already ended."""
import json
from concurrent.futures import Future

import pytest

from grader import batch, labspec
from grader.outage import Outage

LAB = labspec.load("lab3")
ZOMBIE = LAB.spec.exercises[0].file


def results(score: int, max_score: int = 2) -> dict:
    return {"score": score, "execution_time": 1.0, "output": "",
            "tests": [{"name": "zombie.py: reaps", "score": score, "max_score": max_score,
                       "status": "passed" if score == max_score else "failed", "output": ""}]}


def graded(score: int = 2) -> dict:
    return {"gradable": True, "results": results(score)}


def ungradable(reason: str) -> dict:
    return {"gradable": False, "reason": reason}


# --- the results folder --------------------------------------------------------------------
def test_claim_records_the_settings_and_refuses_others_unless_regrading(tmp_path):
    store = batch.Store(tmp_path)
    store.claim(LAB, [ZOMBIE], regrade=False)
    assert json.loads((tmp_path / "batch.json").read_text()) == \
        {"lab": "lab3", "title": LAB.spec.title, "only": [ZOMBIE]}
    store.claim(LAB, [ZOMBIE], regrade=False)   # a resume with the same settings
    with pytest.raises(batch.SettingsMismatch, match=rf"^{tmp_path} holds results of lab3 "
                       rf"\(exercises: {ZOMBIE}\); use another --out, or --regrade"):
        store.claim(LAB, None, regrade=False)
    with pytest.raises(batch.SettingsMismatch):
        store.claim(labspec.load("lab1"), [ZOMBIE], regrade=False)
    store.claim(LAB, None, regrade=True)
    assert json.loads((tmp_path / "batch.json").read_text())["only"] == []


def test_save_keeps_a_graded_result_and_drops_its_stale_failure(tmp_path):
    store = batch.Store(tmp_path)
    store.save("ann", ungradable("engine unreachable"))
    assert not store.graded("ann")
    assert json.loads(store.ungradable("ann").read_text()) == ungradable("engine unreachable")
    store.save("ann", graded(1))
    assert store.graded("ann") and not store.ungradable("ann").exists()
    assert json.loads(store.gradescope("ann").read_text()) == results(1)
    assert store.gradescope("ann") == tmp_path / "gradescope" / "ann" / "results.json"


def test_a_resume_grades_only_who_has_no_results_and_a_regrade_everyone(tmp_path):
    store = batch.Store(tmp_path)
    everyone = {name: tmp_path / "submissions" / name for name in ("ann", "bob", "cy")}
    store.save("ann", graded())
    store.save("bob", ungradable("engine unreachable"))   # graded again on the next run
    assert list(store.to_grade(everyone, regrade=False)) == ["bob", "cy"]
    assert store.to_grade(everyone, regrade=True) == everyone


def test_a_second_holder_is_refused_and_told_who_holds_it(tmp_path):
    batch.Store(tmp_path).hold(wait=False)   # held until this test process ends
    with pytest.raises(batch.BatchRunning, match=r"is being graded by the batch with PID \d+ on "):
        batch.Store(tmp_path).hold(wait=False)


# --- the class ----------------------------------------------------------------------------
def test_students_are_the_visible_subfolders(tmp_path):
    for name in ("bob", "ann", ".git"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("")
    assert batch.students(tmp_path) == {"ann": tmp_path / "ann", "bob": tmp_path / "bob"}
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        batch.students(tmp_path / "notes.txt")


def test_summary_counts_the_class_and_names_who_was_not_graded(tmp_path):
    store = batch.Store(tmp_path)
    store.save("ann", graded(2))
    store.save("bob", graded(0))
    store.save("cat", ungradable("engine unreachable"))
    table, not_graded = batch.summary(tmp_path)
    assert not_graded == 1
    assert table.splitlines() == [
        f"{'check':<72} passed",
        f"{'zombie.py: reaps':<72}   1/2    50%",
        "graded 2 of 3: mean 1.0/2, full marks 1",
        "NOT GRADED cat: engine unreachable",
    ]


# --- grading the class: resume and retry ----------------------------------------------------
class FinishedPool:
    """A pool whose gradings have ended before they are asked for: each student's outcomes in
    turn, one per attempt. What grade_all decides from them is all there is to see."""

    def __init__(self, outcomes: dict[str, list[dict]]):
        self.outcomes = outcomes
        self.attempts: dict[str, int] = {student: 0 for student in outcomes}
        self.outage = Outage("the test engine", lambda: True, 1, lambda text: None)

    def submit(self, student, folder) -> Future:
        future = Future()
        future.set_result(self.outcomes[student][self.attempts[student]])
        self.attempts[student] += 1
        return future

    @staticmethod
    def outcome(future: Future) -> dict:
        return future.result()


class Quiet:
    """Progress that keeps what it was told instead of drawing a bar."""

    def __init__(self):
        self.said, self.updates = [], []

    def say(self, text):
        self.said.append(text)

    def update(self, outcome):
        self.updates.append(outcome)


def grade_all(tmp_path, pool: FinishedPool) -> tuple[batch.Store, Quiet]:
    store, progress = batch.Store(tmp_path), Quiet()
    batch.grade_all(pool, {student: tmp_path / student for student in pool.outcomes}, store, progress)
    return store, progress


def test_a_grading_is_saved_as_it_arrives(tmp_path):
    pool = FinishedPool({"ann": [graded(2)], "bob": [graded(1)]})
    store, progress = grade_all(tmp_path, pool)
    assert pool.attempts == {"ann": 1, "bob": 1}
    assert json.loads(store.gradescope("bob").read_text()) == results(1)
    assert len(progress.updates) == 2 and progress.said == []


def test_an_infrastructure_failure_is_tried_once_more_then_recorded(tmp_path):
    pool = FinishedPool({"flaky": [ungradable("container died"), graded(2)],
                         "down": [ungradable("container died"), ungradable("container died again")]})
    store, progress = grade_all(tmp_path, pool)
    assert pool.attempts == {"flaky": 2, "down": 2}
    assert store.graded("flaky") and not store.graded("down")
    assert json.loads(store.ungradable("down").read_text()) == ungradable("container died again")
    assert sorted(progress.said) == ["down: not graded (container died); trying once more",
                                     "flaky: not graded (container died); trying once more"]


def test_a_full_engine_disk_stops_the_batch_without_a_retry(tmp_path):
    with pytest.raises(batch.EngineDiskFull, match="No space left on device"):
        grade_all(tmp_path, FinishedPool(
            {"ann": [ungradable("write /var/lib/docker: No space left on device")]}))
    assert not batch.Store(tmp_path).ungradable("ann").exists(), "a full disk is not the submission's"


def test_once_the_batch_gave_up_on_the_engine_the_rest_is_recorded_at_once(tmp_path):
    pool = FinishedPool({"ann": [ungradable("container died")]})
    pool.outage.gave_up = True
    store, _ = grade_all(tmp_path, pool)
    assert pool.attempts == {"ann": 1}
    assert json.loads(store.ungradable("ann").read_text()) == ungradable("the test engine unreachable")
