"""What a learner is shown of their processes: the timeline under a failed check in the terminal
and in Gradescope's results, and the feedback page, from a real grading's results kept as a
fixture (Lab 3's reaper that polls with a sleep: its children stay zombies too long)."""
import base64
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from grader import exports, feedback, labspec, report
from grader.exercise import CheckResult
from grader.grading import Scorecard
from grader.timeline import Timeline

LAB = labspec.load("lab3")
RESULTS = json.loads((Path(__file__).parents[1] / "fixtures" / "lab3-sleepy-poll.json").read_text())
TIMELINES = [Timeline.from_json(t) for t in RESULTS["extra_data"]["timelines"]]


def failed_twice() -> Scorecard:
    """Two checks that failed in one run share its timeline; a third check passed."""
    run = next(t for t in TIMELINES if "reaper.py" in t.title)
    return Scorecard(LAB, [
        CheckResult("reaper.py", "a", "reports in exit order", 2, False, "out of order", timeline=run),
        CheckResult("reaper.py", "b", "reaps promptly", 3, False, "zombies lingered", timeline=run),
        CheckResult("reaper.py", "c", "reports every child", 3, True),
    ], 1.0, timelines={"reaper.py": [run]})


def test_a_failed_checks_timeline_is_told_once_in_the_terminal():
    lines = report.terminal(failed_twice()).splitlines()
    told = [i for i, line in enumerate(lines) if "what your processes did" in line]
    assert len(told) == 2 and lines[told[1]].endswith("as in the timeline above")
    assert re.search(r"\+\d\.\d{3} s  PID \d+ exited with \d: a zombie until", "\n".join(lines))


def test_gradescope_results_keep_each_timeline_once_for_the_other_exports():
    data = report.gradescope(failed_twice())
    assert len(data["extra_data"]["timelines"]) == 1
    assert [t.get("extra_data") for t in data["tests"]] == [{"timeline": 0}, {"timeline": 0}, None]
    assert data["extra_data"]["runs"] == {"reaper.py": [0]}
    assert Timeline.from_json(data["extra_data"]["timelines"][0]) == failed_twice().results[0].timeline


def test_the_page_shows_every_exercise_its_verdicts_and_a_chart_per_run():
    page = feedback.page(RESULTS, LAB.spec.title)
    exercises = re.findall(r'<section class="exercise" data-exercise="([^"]+)"', page)
    assert exercises == ["zombie.py", "reaper.py", "server.py"]
    assert page.count('<tr class="check failed">') == sum(t["status"] == "failed" for t in RESULTS["tests"])
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert charts and all(ET.fromstring(chart).tag.endswith("svg") for chart in charts)
    reaper = page[page.index('data-exercise="reaper.py"'):page.index('data-exercise="server.py"')]
    assert "where it failed: reports children in the order they exit" in reaper


def test_the_page_needs_no_network_and_runs_no_script():
    page = feedback.page(RESULTS, LAB.spec.title)
    assert "<script" not in page and not re.search(r'(src|href)="(https?:)?//', page)


def test_prairielearn_shows_a_failed_checks_run_as_its_image():
    result = exports.prairielearn(exports.Record("ann", RESULTS))
    failed = [t for t in result["tests"] if t["points"] < t["max_points"]]
    assert failed and all(t["images"][0]["url"].startswith("data:image/svg+xml;base64,") for t in failed)
    chart = base64.b64decode(failed[0]["images"][0]["url"].partition(",")[2])
    assert ET.fromstring(chart).tag == "{http://www.w3.org/2000/svg}svg"
    assert [image["label"] for image in result["images"]] == \
        [TIMELINES[i].title for i in RESULTS["extra_data"]["runs"]["zombie.py"] + RESULTS["extra_data"]["runs"]["server.py"]]
