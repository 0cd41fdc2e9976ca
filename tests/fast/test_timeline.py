"""The learner's timeline of a run (grader/timeline.py), from records written as the recorder's
lines: no engine and no bpftrace needed. The program is PID 7, started at T0."""
import json
import xml.etree.ElementTree as ET

import pytest

from grader.timeline import Action, Timeline, story, svg

from .timeline_fixtures import T0, cont, exit_, fork, getppid, record, run, started, stop, wait

SVG = "{http://www.w3.org/2000/svg}"


def timeline(*events, now: float = 5.0, actions=()) -> Timeline:
    return Timeline.of(record(started(0, 7), *events), 7, T0 + now, "zombie.py", list(actions))


def test_a_zombie_reaped_late_by_its_parent():
    tl = timeline(fork(0.013, 7, 8), exit_(0.2, 8), wait(2.0, 7, 8))
    assert story(tl)[:3] == [
        "+0.000 s  PID 7 (python3) started",
        "+0.013 s  PID 7 forked PID 8",
        "+0.200 s  PID 8 exited with 0: a zombie until +2.000 s (1.800 s), reaped by PID 7"]


def test_an_orphan_is_adopted_by_pid_1_which_reaps_it():
    tl = timeline(fork(0.013, 7, 8), exit_(1.204, 7), wait(1.2042, 1, 7), getppid(1.3, 8, 1),
                  exit_(1.5, 8), wait(1.6, 1, 8))
    assert tl.rows[1].adopted == [[pytest.approx(1.204), 1]]
    assert "+1.204 s  PID 7 exited with 0, reaped by PID 1 within 1 ms; PID 8 orphaned, " \
           "adopted by PID 1" in story(tl)


def test_without_getppid_the_reaper_names_the_new_parent():
    tl = timeline(fork(0.013, 7, 8), exit_(1.0, 7), exit_(1.5, 8), wait(1.6, 1, 8))
    assert tl.rows[1].adopted == [[pytest.approx(1.0), 1]]


def test_a_stopped_and_continued_child_after_the_graders_signals_in_order():
    actions = [Action(T0 + 0.7, "SIGCONT", [8]), Action(T0 + 0.5, "SIGSTOP", [8]),
               Action(T0 - 1, "Ctrl-C", [])]   # before the program started: not its story
    tl = timeline(fork(0.1, 7, 8), stop(0.5001, 8), cont(0.7001, 8), actions=actions)
    assert tl.rows[1].stops == [[pytest.approx(0.5001), pytest.approx(0.7001)]]
    assert story(tl)[2:6] == ["+0.500 s  grader: SIGSTOP to PID 8", "+0.500 s  PID 8 stopped",
                              "+0.700 s  grader: SIGCONT to PID 8", "+0.700 s  PID 8 continued"]


def test_a_child_killed_by_a_signal():
    tl = timeline(fork(0.1, 7, 8), exit_(0.3, 8, signal=9), wait(0.3001, 7, 8))
    assert tl.rows[1].ending == "was killed by SIGKILL"
    assert "+0.300 s  PID 8 was killed by SIGKILL, reaped by PID 7 within 1 ms" in story(tl)


def test_a_zombie_never_reaped_is_reaped_by_nobody():
    tl = timeline(fork(0.1, 7, 8), exit_(2.0, 8))
    assert tl.rows[1].gone == "reaped by nobody" and tl.rows[1].reaped is None
    assert "+2.000 s  PID 8 exited with 0 and stayed a zombie (reaped by nobody by +5.000 s)" \
        in story(tl)


def test_an_exec_changes_the_program_a_fork_copied():
    tl = timeline(fork(0.1, 7, 8), run(0.15, 8, "/usr/bin/sleep"))
    assert [row.program for row in tl.rows] == ["python3", "sleep"]
    assert "+0.150 s  PID 8 now runs sleep (exec)" in story(tl)


def test_only_the_programs_descendants_even_when_a_pid_comes_round_again():
    tl = timeline(fork(0.1, 7, 8), exit_(0.2, 8), wait(0.3, 7, 8),
                  fork(0.4, 1, 8, host=2008), fork(0.5, 8, 9),   # the shell's, not the program's
                  fork(0.6, 7, 10, clone_parent_of=1))           # the program's; PID 1 its parent
    assert [(row.pid, row.parent) for row in tl.rows] == [(7, 0), (8, 7), (10, 1)]


def test_a_burst_of_200_forks_is_bounded():
    burst = [fork(0.001 * i, 7, 8 + i) for i in range(1, 201)]
    tl = timeline(*burst, *[exit_(1 + 0.001 * i, 8 + i) for i in range(1, 201)])
    assert (len(tl.rows), tl.more) == (40, 161)
    lines = story(tl)   # 40 births, 39 exits, 1 still running, 1 "161 more processes"
    assert len(lines) == 15 and lines[7] == "   ... 67 more events ..."


def test_a_root_absent_from_the_record_gives_an_empty_timeline():
    tl = Timeline.of(record(), 7, T0, "zombie.py", [Action(T0 - 1, "Ctrl-C", [])])
    assert (tl.rows, tl.actions, story(tl)) == ([], [], [])
    ET.fromstring(svg(tl))


def test_json_round_trip():
    tl = timeline(fork(0.1, 7, 8), stop(0.2, 8), exit_(1.0, 7), getppid(1.1, 8, 1),
                  actions=[Action(T0 + 0.2, "SIGSTOP", [8])])
    assert Timeline.from_json(json.loads(json.dumps(tl.to_json()))) == tl


def test_the_svg_is_xml_with_one_group_per_process_and_escaped_names():
    tl = Timeline.of(record(started(0, 7, "/tmp/<script>"), fork(0.1, 7, 8), exit_(0.5, 8)),
                     7, T0 + 1, "<b>run</b>", [Action(T0 + 0.3, "SIGSTOP", [8])])
    chart = svg(tl)
    root = ET.fromstring(chart)
    groups = root.findall(f".//{SVG}g[@class='process']")
    assert [g.get("data-pid") for g in groups] == ["7", "8"]
    assert "<script" not in chart and "<b>" not in chart
    assert "PID 7 <script>" in [t.text for t in root.iter(f"{SVG}text")]
    assert [g.find(f"{SVG}text").text for g in root.findall(f".//{SVG}g[@class='action']")] \
        == ["SIGSTOP"]
