"""The batch's report.html, from a RESULTS folder written by hand: which reasons each check
failed for (grouped though their numbers differ), a row per student with a link to their
feedback page when there is one, and learners' text escaped."""
import html
import re

import pytest

from grader import exports, report

REAPS, FORKS = "zombie.py: reaps it", "zombie.py: leaves a zombie"
HOSTILE = "<img src=x onerror=alert(1)>"   # a student id is a folder's name: no "/" in it


def graded(out, student, failed: dict[str, str], feedback=False):
    """A student's Gradescope results: each check of `failed` failed with its observed text."""
    tests = [{"name": name, "score": 0 if name in failed else 1, "max_score": 1,
              "status": "failed" if name in failed else "passed",
              "output": f"took 3 ms\nobserved: {failed[name]}\nhint: call wait()" if name in failed
              else "took 3 ms"} for name in (FORKS, REAPS)]
    report.write_json(out / "gradescope" / student / "results.json", {
        "score": 2 - len(failed), "execution_time": 1.0, "output": "", "tests": tests})
    if feedback:
        (out / "gradescope" / student / "feedback.html").write_text("<p>well done</p>")


@pytest.fixture
def page(tmp_path) -> str:
    out = tmp_path / "results"
    report.write_json(out / "batch.json", {"lab": "lab3", "title": "Lab 3", "only": []})
    graded(out, "ann", {REAPS: "PID 14 stayed a zombie for 1.8 s"}, feedback=True)
    graded(out, "ben", {REAPS: "PID 9 stayed a zombie for 200 ms"})
    graded(out, "cat", {REAPS: "nobody reaped PID 7", FORKS: "it forked [12, 13] and no zombie"})
    graded(out, "dan", {REAPS: "PID 3 stayed a zombie for 2.3 s"})
    graded(out, "eve", {}, feedback=True)
    graded(out, "fox", {REAPS: "it never forked"})
    graded(out, HOSTILE, {REAPS: "it printed `</script><script>alert(1)</script>`"}, feedback=True)
    report.write_json(out / "ungradable" / "zed.json", {"gradable": False, "reason": "Docker <down>"})
    exports.export_all(out)
    return (out / "report.html").read_text()


def rows(page: str, kind: str) -> list[str]:
    return re.findall(rf'<tr class="{kind}"[^>]*>(.*?)</tr>', page)


def texts(row: str, tag: str) -> list[str]:
    """The text of each `tag` in a row, markup removed and unescaped: what a reader sees."""
    return [html.unescape(re.sub("<[^>]*>", "", cell)) for cell in re.findall(rf"<{tag}\b.*?</{tag}>", row)]


def test_reason_key_leaves_out_numbers_times_lists_and_quoted_values():
    same = ["PID 14 stayed a zombie for 1.8 s", "PID 9 stayed a zombie for 200 ms",
            "PID 3 stayed a zombie  for 2 s"]
    assert {exports.reason_key(text) for text in same} == {"PID # stayed a zombie for #"}
    assert exports.reason_key("it reaped [12, 13, 14], not [7]") == "it reaped [#], not [#]"
    assert exports.reason_key("it wrote `note 14` to 'log 2', not \"x\"") == "it wrote '…' to '…', not '…'"
    assert exports.reason_key("the kernel's record: it's 3") == "the kernel's record: it's #"
    assert exports.reason_key("nobody reaped PID 7") != exports.reason_key("PID 7 stayed a zombie")


def test_the_observed_text_is_its_one_line_whatever_follows():
    output = "took 3 ms\nobserved: PID 3 stayed a zombie\nwhat your processes did:\n  PID 3 exited"
    assert exports.observed_text(output) == "PID 3 stayed a zombie"
    assert exports.observed_text("took 3 ms") is None


def test_distinct_reasons_kept_per_check_are_bounded():
    reasons = exports.Reasons()
    for i in range(exports.REASONS_KEPT + 10):
        reasons.add(f"failure {'x' * i}")
    reasons.add("failure ")   # the first reason seen is still counted
    assert len(reasons.counts) == exports.REASONS_KEPT
    assert reasons.most_common(1) == [(2, "failure")]


def test_each_check_shows_its_commonest_reasons_with_one_example_each(page):
    reaps, forks = rows(page, "check")   # least passed first
    assert texts(reaps, "td")[:3] == [REAPS, "1/7", "14%"]
    # Ties go to the reason seen first, in the order of the student ids ("<" before "a").
    assert texts(reaps, "li") == [
        "3 students: PID 14 stayed a zombie for 1.8 s",
        "1 student: it printed `</script><script>alert(1)</script>`",
        "1 student: nobody reaped PID 7",
        "1 more for other reasons"]
    assert re.findall(r'<li class="reason"><span class="count">(\d+)</span>', reaps) == ["3", "1", "1"]
    assert texts(forks, "li") == ["1 student: it forked [12, 13] and no zombie"]


def test_every_student_has_a_row_with_a_link_to_their_feedback_when_there_is_one(page):
    students = re.findall(r'<tr class="student" data-student="([^"]*)">', page)
    assert [html.unescape(s) for s in students] == [HOSTILE, "ann", "ben", "cat", "dan", "eve", "fox", "zed"]
    by_id = dict(zip(map(html.unescape, students), rows(page, "student")))
    assert texts(by_id["ann"], "td") == ["ann", "1/2", REAPS, "feedback"]
    assert 'href="gradescope/ann/feedback.html"' in by_id["ann"]
    assert texts(by_id["cat"], "td") == ["cat", "0/2", f"{FORKS}; {REAPS}", "—"]
    assert texts(by_id["eve"], "td") == ["eve", "2/2", "", "feedback"]
    assert 'href="gradescope/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/feedback.html"' in by_id[HOSTILE]
    assert texts(by_id["zed"], "td") == ["zed", "", "not graded: Docker <down>", "—"]


def test_learners_text_is_escaped(page):
    assert "<script>" not in page and "<img src=x" not in page and "<down>" not in page
