"""The learner's feedback page: each exercise's checks and verdicts beside the timelines of what
its processes did, drawn from a results file (report.gradescope) alone, so that `make submit`,
a batch's per-student folder and the platforms' exports show the same page. One file that opens
from disk: styles and charts inline, no script, no network."""
from __future__ import annotations

import html
from pathlib import Path

from .timeline import Timeline, story, svg

PAGE = "feedback.html"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222 }
h1 { margin-bottom: 0.2em } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc }
.how { color: #555; max-width: 48em }
table.checks { border-collapse: collapse; width: 100% }
table.checks td { padding: 4px 8px; vertical-align: top; border-bottom: 1px solid #eee }
tr.passed .verdict { color: #1a7f37; font-weight: bold }
tr.failed .verdict { color: #b42318; font-weight: bold }
tr.skipped .verdict { color: #777; font-weight: bold }
.output { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 0.85em;
          color: #333; margin: 0.3em 0 0 }
figure.timeline { margin: 1em 0; overflow-x: auto }
figcaption { font-weight: bold; margin-bottom: 0.3em }
"""

HOW_TO_READ = (
    "Each chart below is one run of your program as the Linux kernel recorded it: one row per "
    "process, time running left to right from the program's start. A bar's colour is the "
    "process's state: alive (running or sleeping), stopped, or a zombie (it has exited and waits "
    "for its parent to collect its exit status with wait). Lines from a row to a row below are "
    "forks; markers show when a process was adopted by a new parent and when it was reaped; "
    "dashed lines are when the grader acted (a signal sent, a key typed at the terminal; the "
    "process stops or ends a little later, once the signal has reached it). PIDs are the ones your "
    "program saw inside its container. Hold the pointer over a row for its whole story.")


def page(results: dict, title: str) -> str:
    """The whole page for one graded submission (Gradescope's results.json, as report.gradescope
    writes it)."""
    extra = results.get("extra_data") or {}
    timelines = [Timeline.from_json(t) for t in extra.get("timelines", [])]
    runs = extra.get("runs", {})
    sections = [_exercise(name, tests, [timelines[i] for i in runs.get(name, [])], timelines)
                for name, tests in _by_exercise(results["tests"]).items()]
    score = f"{results['score']}/{max_score(results)}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}: your feedback</title>
<style>{STYLE}</style></head>
<body><h1>{_e(title)}: {score}</h1>
<p class="how">{_e(HOW_TO_READ)}</p>
{''.join(sections)}
</body></html>
"""


def write(results: dict, title: str, path: Path) -> Path:
    path.write_text(page(results, title))
    return path


def max_score(results: dict) -> int:
    """The most a Gradescope results.json could have scored, from its tests (the format has no
    field of its own for it)."""
    return sum(test["max_score"] for test in results["tests"])


def failed_in(test: dict) -> int | None:
    """Which of the results' timelines a failed test's run is (report.gradescope's extra_data)."""
    return (test.get("extra_data") or {}).get("timeline")


def _by_exercise(tests: list[dict]) -> dict[str, list[dict]]:
    exercises: dict[str, list[dict]] = {}
    for test in tests:
        exercises.setdefault(test["name"].partition(": ")[0], []).append(test)
    return exercises


def _exercise(name: str, tests: list[dict], runs: list[Timeline], timelines: list[Timeline]) -> str:
    """An exercise's checks, then the runs its failed checks failed in, then (if none failed)
    its runs as they ended."""
    rows = "".join(_check(test) for test in tests)
    runs_failed_in = []
    for test in tests:
        i = failed_in(test)
        if i is not None and i not in runs_failed_in:
            runs_failed_in.append(i)
    shown = [(timelines[i], _failed_names(tests, i)) for i in runs_failed_in] or \
            [(run, "") for run in runs]
    charts = "".join(_chart(t, why) for t, why in shown if t.rows)
    got = sum(t["score"] for t in tests)
    best = sum(t["max_score"] for t in tests)
    return f"""<section class="exercise" data-exercise="{_e(name)}">
<h2>{_e(name)}: {got}/{best}</h2>
<table class="checks">{rows}</table>
{charts}
</section>
"""


def _failed_names(tests: list[dict], index: int) -> str:
    names = [t["name"].partition(": ")[2] for t in tests
             if failed_in(t) == index]
    return "where it failed: " + "; ".join(names)


def _check(test: dict) -> str:
    state = "skipped" if test["max_score"] == 0 and "skipped: " in test["output"] else \
        "passed" if test["status"] == "passed" else "failed"
    verdict = {"passed": "OK", "failed": "FAIL", "skipped": "SKIP"}[state]
    output = f'<div class="output">{_e(test["output"])}</div>' if test["output"] else ""
    return (f'<tr class="check {state}"><td class="verdict">{verdict}</td>'
            f'<td>{_e(test["name"].partition(": ")[2])}{output}</td>'
            f'<td>{test["score"]}/{test["max_score"]}</td></tr>')


def _chart(timeline: Timeline, why: str) -> str:
    caption = timeline.title + (f" ({why})" if why else "")
    described = "\n".join(story(timeline, most=60))
    return (f'<figure class="timeline"><figcaption>{_e(caption)}</figcaption>{svg(timeline)}'
            f'<details><summary>the same, as text</summary><div class="output">{_e(described)}'
            f'</div></details></figure>')


def _e(text: str) -> str:
    return html.escape(str(text))
