"""The feedback page and the class report as a learner's browser shows them: headless Chromium
opens each from disk, and the rendered DOM and a screenshot are checked. The pages come from a
real grading's results (tests/fixtures/lab3-sleepy-poll.json), which catches what the fast
tier's string checks cannot: markup a browser repairs or drops, a chart that renders nothing.
Needs Chromium (scripts/ensure-chromium, which `make test` runs), no Docker engine."""
import json
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import url2pathname

import pytest
from matplotlib import image

from grader import exports, feedback, labspec, report
from grader.timeline import Timeline

FIXTURE = Path(__file__).parent / "fixtures" / "lab3-sleepy-poll.json"
RESULTS = json.loads(FIXTURE.read_text())
TIMELINES = [Timeline.from_json(t) for t in RESULTS["extra_data"]["timelines"]]
TITLE = labspec.load("lab3").spec.title
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WINDOW = (1200, 2000)


def browse(page: Path, profile: Path, *args: str) -> str:
    """Chromium's output for a page opened from disk, on a throwaway profile. In a session of its
    own, so that a run past its time ends with every process it started."""
    browser = next(filter(None, map(shutil.which, BROWSERS)), None)
    if browser is None:
        pytest.fail("no Chromium on PATH: run scripts/ensure-chromium (make test does)", pytrace=False)
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as run:
        try:
            out, err = run.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            raise
    assert run.returncode == 0, f"{command} exited with {run.returncode}:\n{err[-2000:]}"
    return out


def screenshot(page: Path, png: Path, window: tuple[int, int] = WINDOW) -> Path:
    browse(page, png.with_suffix(".profile"), f"--screenshot={png}",
           f"--window-size={window[0]},{window[1]}")
    return png


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict
    inside: list["Element"]
    text: list[str] = field(default_factory=list)

    @property
    def content(self) -> str:
        return "".join(self.text)

    def matches(self, selector: str) -> bool:
        """A CSS selector's simple form: tag.class.class"""
        tag, *classes = selector.split(".")
        return self.tag == tag and set(classes) <= set((self.attrs.get("class") or "").split())


class Dom(HTMLParser):
    """The rendered DOM as its elements, each knowing what it is inside: enough to ask what a
    CSS selector would."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, markup: str):
        super().__init__()
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), list(self.open))
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, dict(attrs), list(self.open)))

    def handle_endtag(self, tag):
        at = next((i for i in range(len(self.open) - 1, -1, -1) if self.open[i].tag == tag), None)
        if at is not None:
            del self.open[at:]

    def handle_data(self, data):
        for element in self.open:
            element.text.append(data)

    def find(self, selector: str, inside: Element | None = None) -> list[Element]:
        return [e for e in self.elements if e.matches(selector) and (inside is None or inside in e.inside)]

    def text(self, selector: str, inside: Element) -> str:
        return " ".join(e.content.strip() for e in self.find(selector, inside))


def rendered(page: Path, tmp_path: Path) -> Dom:
    return Dom(browse(page, tmp_path / "profile", "--dump-dom"))


def exercise(test: dict) -> str:
    return test["name"].partition(": ")[0]


def charted(name: str) -> list[Timeline]:
    """The runs the page charts for an exercise: those its failed checks failed in, else all."""
    tests = [t for t in RESULTS["tests"] if exercise(t) == name]
    failed_in = dict.fromkeys(i for t in tests
                              if (i := (t.get("extra_data") or {}).get("timeline")) is not None)
    return [TIMELINES[i] for i in list(failed_in) or RESULTS["extra_data"]["runs"][name]]


def feedback_page(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return feedback.write(RESULTS, TITLE, folder / feedback.PAGE)


def varied(failing: dict[str, str]) -> dict:
    """The fixture's results with exactly the checks of `failing` failed, each with its observed
    text; the others passed."""
    tests = [{"name": t["name"], "max_score": t["max_score"], "status": "failed", "score": 0,
              "output": f"observed: {failing[t['name']]}"} if t["name"] in failing else
             {"name": t["name"], "max_score": t["max_score"], "status": "passed",
              "score": t["max_score"], "output": ""} for t in RESULTS["tests"]]
    return {**RESULTS, "tests": tests, "score": sum(t["score"] for t in tests), "extra_data": {}}


FAILED = {t["name"]: exports.observed_text(t["output"])
          for t in RESULTS["tests"] if t["status"] == "failed"}
ZOMBIE = next(t["name"] for t in RESULTS["tests"] if exercise(t) == "zombie.py")
CLASS = {"ana": RESULTS, "bo": varied({}), "cy": varied({**FAILED, ZOMBIE: "PID 26 was reaped at once"})}


def class_report(out: Path) -> Path:
    """A small class's RESULTS folder, as a batch writes it, and its exports: ana's grading is
    the fixture's, with its feedback page beside it; bo has full marks; cy failed one check
    more; dee could not be graded."""
    report.write_json(out / "batch.json", {"lab": "lab3", "title": TITLE, "only": []})
    for student, results in CLASS.items():
        report.write_json(out / "gradescope" / student / "results.json", results)
    feedback_page(out / "gradescope" / "ana")
    report.write_json(out / "ungradable" / "dee.json",
                      {"gradable": False, "reason": "Docker was not running"})
    exports.export_all(out)
    return out / "report.html"


def processes_per_chart(dom: Dom, section: Element) -> list[int]:
    """How many processes (g.process) each chart of an exercise's section draws."""
    charts = [dom.find("svg", figure)[0] for figure in dom.find("figure.timeline", section)]
    return [len(dom.find("g.process", svg)) for svg in charts]


def reason_counts(dom: Dom) -> dict[str, list[int]]:
    """Each check of the class report, with the count of each failure reason listed."""
    return {dom.find("td", row)[0].content: [int(dom.text("span.count", li))
                                             for li in dom.find("li.reason", row)]
            for row in dom.find("tr.check")}


def test_the_feedback_page_shows_each_exercise_its_failures_and_a_bar_per_process(tmp_path):
    dom = rendered(feedback_page(tmp_path), tmp_path)
    sections = dom.find("section.exercise")
    assert [s.attrs["data-exercise"] for s in sections] == list(dict.fromkeys(map(exercise, RESULTS["tests"])))
    failed = dom.find("tr.check.failed")
    assert [dom.text("td.verdict", row) for row in failed] == ["FAIL"] * len(FAILED)
    assert all(name.partition(": ")[2] in row.content and observed in row.content
               for row, (name, observed) in zip(failed, FAILED.items()))
    for section in sections:
        expected = charted(section.attrs["data-exercise"])
        assert processes_per_chart(dom, section) == [len(timeline.rows) for timeline in expected]


def test_the_class_report_has_a_row_per_student_the_reasons_and_a_link_that_opens(tmp_path):
    page = class_report(tmp_path / "results")
    dom = rendered(page, tmp_path)
    assert [row.attrs["data-student"] for row in dom.find("tr.student")] == ["ana", "bo", "cy", "dee"]
    assert reason_counts(dom) == {t["name"]: [2] if t["name"] in FAILED else [1] if t["name"] == ZOMBIE
                                  else [] for t in RESULTS["tests"]}
    links = [a.attrs["href"] for a in dom.find("a")]
    assert len(links) == 1
    assert Path(url2pathname(urlparse(urljoin(page.as_uri(), links[0])).path)).is_file()


@pytest.mark.parametrize("make", [feedback_page, class_report], ids=["feedback", "class-report"])
def test_each_page_renders_to_a_picture_with_something_on_it(tmp_path, make):
    png = screenshot(make(tmp_path / "page"), tmp_path / "page.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and 20_000 < png.stat().st_size < 5_000_000
    pixels = image.imread(png)
    assert pixels.shape[:2] == (WINDOW[1], WINDOW[0])
    assert (pixels[..., :3] < 0.9).any(axis=2).mean() > 0.01, "the picture is (almost) blank"
