"""What a batch's RESULTS folder exports: a CSV gradebook (Canvas, Moodle), PrairieLearn's
results.json per student, JUnit XML (CI systems), and an HTML report for the instructor.

    python -m grader export RESULTS
"""
from __future__ import annotations

import base64
import csv
import html
import json
import re
import statistics
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import quoteattr

from . import report
from .feedback import failed_in, max_score
from .timeline import Timeline, svg


@dataclass
class Record:
    student: str
    results: dict | None        # Gradescope results; None when it could not be graded
    reason: str = ""            # why not


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


class Records:
    """Every student of RESULTS, graded or not, by id; a graded result wins over a stale
    ungradable record (a crash between the two writes leaves both). Each pass reads the files
    again, so a class of any size takes the memory of one student's results at a time."""

    def __init__(self, out: Path):
        self.out = out
        self.graded = {p.parent.name for p in (out / "gradescope").glob("*/results.json")}
        self.students = sorted(self.graded | {p.stem for p in (out / "ungradable").glob("*.json")})

    def __iter__(self):
        for student in self.students:
            if student in self.graded:
                yield Record(student, read_json(self.out / "gradescope" / student / "results.json"))
            else:
                reason = read_json(self.out / "ungradable" / f"{student}.json")["reason"]
                yield Record(student, None, reason)


# What varies between two failures of the same idea: quoted values (a command, a line printed),
# then numbers with their unit ("PID 14", "1.8 s", "200 ms"), and lists of them ("[12, 13]").
# A quote opens only after a non-word character, so the apostrophe of "kernel's" opens none.
_QUOTED = re.compile(r"`[^`]*`|(?<!\w)'[^'\n]*'(?!\w)|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:\s?(?:ns|us|µs|ms|s|KiB|MiB|GiB|kB|MB|GB|B|%)(?!\w))?")
_LIST = re.compile(r"#(?:,\s*#)+")


def reason_key(observed: str) -> str:
    """What a failure says with its particulars left out, so that "PID 14 stayed a zombie for
    1.8 s" and "PID 9 stayed a zombie for 2.3 s" are one reason."""
    key = _NUMBER.sub("#", _QUOTED.sub("'…'", observed))
    return " ".join(_LIST.sub("#", key).split())


def observed_text(output: str) -> str | None:
    """The observed text of a failed test's output: its line that starts "observed: " (among
    report.gradescope's lines, whatever comes before or after it: notes, a hint, more)."""
    found = re.search(r"^observed: (.*)$", output, re.MULTILINE)
    return found and found.group(1)


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


REASONS_KEPT = 50   # distinct reasons per check; a class's real mistakes are a handful


@dataclass
class Reasons:
    """Why one check failed, grouped by reason_key: how often each, and the first text seen as
    its example. Memory is bounded by REASONS_KEPT, whatever the size of the class: a reason
    first seen when that many are kept is not counted, so it falls among the "other" failures
    (the check's failures less those of the reasons shown)."""
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, text: str) -> None:
        key = reason_key(text)
        if key in self.counts or len(self.counts) < REASONS_KEPT:
            self.counts[key] += 1
            self.examples.setdefault(key, clip(text, 160))

    def most_common(self, n: int) -> list[tuple[int, str]]:
        """(failures, example) of the n commonest reasons; a tie goes to the first seen."""
        return [(count, self.examples[key]) for key, count in self.counts.most_common(n)]


@dataclass
class Tally:
    """The class at a glance, counted in one pass: what the summary, the gradebook's columns,
    the picture and the report show."""
    best: int = 0                                       # the maximum score
    scores: list[int] = field(default_factory=list)     # of the graded submissions
    ungradable: list[tuple[str, str]] = field(default_factory=list)   # (student, why)
    counts: dict[str, list[int]] = field(default_factory=dict)   # check -> [passed, graded]
    reasons: dict[str, Reasons] = field(default_factory=dict)    # check -> why it failed

    @classmethod
    def of(cls, records: Records) -> "Tally":
        tally = cls()
        for r in records:
            if r.results is None:
                tally.ungradable.append((r.student, r.reason))
                continue
            tally.best = max_score(r.results)
            tally.scores.append(r.results["score"])
            for test in r.results["tests"]:
                count = tally.counts.setdefault(test["name"], [0, 0])
                count[0] += test["status"] == "passed"
                count[1] += 1
                if test["status"] != "passed" and (text := observed_text(test["output"])):
                    tally.reasons.setdefault(test["name"], Reasons()).add(text)
        return tally

    @property
    def students(self) -> int:
        return len(self.scores) + len(self.ungradable)

    @property
    def check_names(self) -> list[str]:
        """The checks graded, in the grader's order."""
        return list(self.counts)

    @property
    def pass_rates(self) -> list[tuple[str, int, int]]:
        """(check, submissions passing it, submissions graded on it) for every check."""
        return [(name, passed, total) for name, (passed, total) in self.counts.items()]


def gradebook(records: Records, names: list[str], path: Path) -> None:
    """One row per student: id, total, and the points of each check (`names`); empty cells
    for a submission that could not be graded, so that no import turns it into a zero."""
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Student ID", "Total", *names])
        for r in records:
            if r.results is None:
                writer.writerow([r.student, "", *[""] * len(names)])
                continue
            points = {t["name"]: t["score"] for t in r.results["tests"]}
            writer.writerow([r.student, r.results["score"], *[points.get(n, "") for n in names]])


def prairielearn(record: Record) -> dict:
    """PrairieLearn's external grader results.json. A failed check's timeline is its test's
    image; each exercise's runs, for an exercise where nothing failed, are the result's."""
    if record.results is None:
        return {"gradable": False, "score": 0.0, "message": record.reason, "tests": []}
    res = record.results
    tests = [{"name": t["name"], "points": t["score"], "max_points": t["max_score"],
              "output": t["output"]} for t in res["tests"]]
    best = max_score(res)
    if not best:   # every check skipped: no score to give, no attempt to count
        return {"gradable": False, "score": 0.0, "tests": tests, "message": (
            f"{res['output']}: nothing of it could be judged here; each check says why")}
    extra = res.get("extra_data") or {}
    timelines = [Timeline.from_json(t) for t in extra.get("timelines", [])]
    failing = {t["name"].partition(": ")[0] for t in res["tests"] if t["status"] == "failed"}
    for t, test in zip(res["tests"], tests):
        shown = failed_in(t)
        if shown is not None:
            test["images"] = [_image(timelines[shown])]
    runs = [i for exercise, shown in extra.get("runs", {}).items() if exercise not in failing
            for i in shown]
    return {
        "gradable": True,
        "score": res["score"] / best,
        "message": res["output"],
        "tests": tests,
        "images": [_image(timelines[i]) for i in dict.fromkeys(runs)],
    }


def _image(timeline: Timeline) -> dict:
    """A timeline as PrairieLearn shows an image: its label, and the SVG as a data URL."""
    data = base64.b64encode(svg(timeline).encode()).decode()
    return {"label": timeline.title, "url": f"data:image/svg+xml;base64,{data}"}


def junit(records: Records, path: Path, lab: str) -> None:
    """One testsuite per student, one testcase per check; an ungradable submission is an
    <error>, not a <failure>. Written a suite at a time."""
    with path.open("w", encoding="utf-8") as f:
        f.write(f"<?xml version='1.0' encoding='utf-8'?>\n<testsuites name={quoteattr(lab)}>")
        for r in records:
            f.write(ET.tostring(junit_suite(r), encoding="unicode"))
        f.write("</testsuites>\n")


def junit_suite(r: Record) -> ET.Element:
    suite = ET.Element("testsuite", name=r.student)
    if r.results is None:
        case = ET.SubElement(suite, "testcase", classname=r.student, name="grading")
        ET.SubElement(case, "error", message=r.reason)
        suite.attrib.update(tests="1", failures="0", errors="1")
        return suite
    failures = 0
    for t in r.results["tests"]:
        case = ET.SubElement(suite, "testcase", classname=r.student, name=t["name"])
        if t["status"] != "passed":
            failures += 1
            failure = ET.SubElement(case, "failure", message=t["output"].split("\n", 1)[0])
            failure.text = t["output"]
    suite.attrib.update(tests=str(len(r.results["tests"])), failures=str(failures), errors="0",
                        time=str(r.results["execution_time"]))
    return suite


def picture(tally: Tally, path: Path) -> None:
    """Score histogram beside each check's pass rate, lowest first: what the class missed."""
    import matplotlib
    matplotlib.use("Agg")   # no screen on a grading server
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    best = tally.best
    rates = sorted(tally.pass_rates, key=lambda row: -row[1] / row[2])
    fig, (hist, bars) = plt.subplots(1, 2, figsize=(14, max(4, 0.45 * len(rates) + 1.5)),
                                     gridspec_kw={"width_ratios": [1, 1.6]})
    hist.hist(tally.scores, bins=range(best + 2), align="left", rwidth=0.85,
              color="#4a7ab5")
    hist.yaxis.set_major_locator(MaxNLocator(integer=True))
    hist.set(title="Scores", xlabel=f"score (of {best})", ylabel="submissions", xlim=(-0.5, best + 0.5))
    bars.barh([textwrap.shorten(name, 60) for name, _, _ in rates],
              [100 * p / t for _, p, t in rates], color="#5a9e6f")
    bars.set(title="Pass rate per check", xlabel="% of graded submissions", xlim=(0, 100))
    bars.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def html_report(tally: Tally, records: Records, path: Path, png: Path, title: str) -> None:
    """One self-contained page, read offline from RESULTS with no script: the numbers, the
    picture, the checks by pass rate with why they failed, the submissions that could not be
    graded, and a row per student. Written a student at a time, like the gradebook. Everything
    from the learners' folders and programs (ids, observed texts) is escaped."""
    best, graded = tally.best, tally.scores
    facts = [f"{tally.students} submissions, {len(graded)} graded"]
    if graded:
        facts.append(f"mean {statistics.mean(graded):.1f}/{best}, median {statistics.median(graded):g}, "
                     f"full marks {sum(s == best for s in graded)}")
    checks = "".join(check_row(tally, name, p, t)
                     for name, p, t in sorted(tally.pass_rates, key=lambda row: row[1] / row[2]))
    missing = "".join(f"<li>{html.escape(student)}: {html.escape(reason)}</li>"
                      for student, reason in tally.ungradable)
    image = base64.b64encode(png.read_bytes()).decode()
    with path.open("w", encoding="utf-8") as f:
        f.write(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}: class report</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{padding:2px 10px;text-align:left;vertical-align:top}}
img{{max-width:100%}} ul.reasons{{margin:0;padding-left:1.2em}} .other{{color:#666}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>{html.escape('; '.join(facts))}</p>
<img id="picture" alt="score histogram and pass rate per check" src="data:image/png;base64,{image}">
<h2>Checks, least passed first</h2>
<table id="checks"><tr><th>check</th><th>passed</th><th>rate</th><th>most common failures</th></tr>{checks}</table>
{f'<h2>Not graded (infrastructure failures)</h2><ul>{missing}</ul>' if missing else ''}
<h2>Students</h2>
<table id="students"><tr><th>student</th><th>score</th><th>failed checks</th><th>feedback</th></tr>
""")
        for r in records:
            f.write(student_row(r, records.out))
        f.write("</table>\n</body></html>\n")


def check_row(tally: Tally, name: str, passed: int, graded: int) -> str:
    """A check's pass rate beside its three commonest reasons for failing, each with a real
    example; the failures of the reasons not shown are counted as other."""
    shown = tally.reasons.get(name, Reasons()).most_common(3)
    reasons = [f'<li class="reason"><span class="count">{count}</span> '
               f'{"student" if count == 1 else "students"}: {html.escape(example)}</li>'
               for count, example in shown]
    if other := graded - passed - sum(count for count, _ in shown):
        reasons.append(f'<li class="other">{other} more for other reasons</li>')
    listed = f'<ul class="reasons">{"".join(reasons)}</ul>' if reasons else ""
    return (f'<tr class="check"><td>{html.escape(name)}</td><td>{passed}/{graded}</td>'
            f'<td>{100 * passed / graded:.0f}%</td><td>{listed}</td></tr>')


def student_row(r: Record, out: Path) -> str:
    """Id, score, the checks failed (or why the submission could not be graded), and a link to
    the feedback page the grader wrote beside results.json, when there is one."""
    if r.results is None:
        score, failed = "", f"not graded: {r.reason}"
    else:
        score = f"{r.results['score']}/{max_score(r.results)}"
        failed = "; ".join(clip(t["name"], 60) for t in r.results["tests"] if t["status"] != "passed")
    feedback = "—"
    if (out / "gradescope" / r.student / "feedback.html").is_file():
        href = quote(f"gradescope/{r.student}/feedback.html")
        feedback = f'<a href="{html.escape(href)}">feedback</a>'
    return (f'<tr class="student" data-student="{html.escape(r.student)}"><td>{html.escape(r.student)}</td>'
            f'<td>{html.escape(score)}</td><td>{html.escape(failed)}</td><td>{feedback}</td></tr>\n')


def export_all(out: Path) -> list[Path]:
    """Write every export of RESULTS, each whole or not at all; the paths written."""
    records = Records(out)
    tally = Tally.of(records)
    settings = read_json(out / "batch.json")
    png = out / "report.png"
    writers = {
        out / "gradebook.csv": lambda path: gradebook(records, tally.check_names, path),
        out / "junit.xml": lambda path: junit(records, path, settings["lab"]),
        png: lambda path: picture(tally, path),
        out / "report.html": lambda path: html_report(tally, records, path, png, settings["title"]),
    }
    for path, write in writers.items():
        with report.replacing(path) as tmp:
            write(tmp)
    for r in records:
        report.write_json(out / "prairielearn" / r.student / "results.json", prairielearn(r))
    return [*writers, out / "prairielearn"]
