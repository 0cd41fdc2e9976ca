"""The process recorder's reading of the kernel's events, from lines as record.bt prints them:
no engine and no bpftrace needed."""
import time

import pytest

from grader.errors import InfraError
from grader.recorder import Births, Record, Recorder

# A program (container PID 5, host 105) forks 6 and 7; 6 exits 3 and is reaped by 5; 7 is
# discarded by the kernel (SIGCHLD ignored); 5 starts thread 8 and prints a line; then 5 uses
# CLONE_PARENT to make 9, a child of its own parent (container PID 1, host 101); 9 is stopped
# and continued, and exits. 5 waited 0.5 µs for a CPU while 6 was its zombie.
NS = "4026532180"
LINES = [
    f"born 1000 105 105 {NS} 5 5",
    f"new 2000 105 105 {NS} 5 5 106 1200000 101",
    f"born 2100 106 106 {NS} 6 6",
    f"new 3000 105 105 {NS} 5 5 107 1200000 101",
    f"born 3100 107 107 {NS} 7 7",
    f"exit 4000 106 106 {NS} 6 6 1 768 0 105 1000",
    f"wait 4100 105 105 {NS} 5 5 6 1500",
    f"exit 5000 107 107 {NS} 7 7 1 0 1 105 1000",
    f"new 6000 105 105 {NS} 5 5 108 3d0f00 101",
    f"born 6100 108 105 {NS} 8 5",
    f"write 6200 108 105 {NS} 8 5 19 child 6 parent 5\\x0a",
    f"new 7000 105 105 {NS} 5 5 109 8000 101",
    f"born 7100 109 109 {NS} 9 9",
    f"stop 7200 109 109 {NS} 9 9",
    "cont 7300 109",
    f"exit 7400 109 109 {NS} 9 9 1 0 0 101 0",
    f"exec 1500 105 105 {NS} 5 5 /usr/bin/python3",
    f"born 10 101 101 {NS} 1 1",
]


def record() -> Record:
    return Record([line.split() for line in LINES], {107: 5.5e-6})


def test_statuses_and_reapers_come_from_the_kernels_events():
    reaped, discarded = record().life(6), record().life(7)
    assert (reaped.exit_code, reaped.ending, reaped.reaped_by) == (3, "exited with 3", 5)
    assert reaped.fate == "reaped by PID 5"
    assert (discarded.exit_code, discarded.discarded, discarded.reaped_by) == (0, True, None)
    assert discarded.fate == "discarded by the kernel: its parent ignored SIGCHLD"


def test_zombie_spans_stops_and_cpu_waits():
    rec = record()
    assert rec.life(6).zombie == (4000e-9, 4100e-9)     # from its exit until 5 reaped it
    assert rec.life(7).zombie is None                    # discarded: never a zombie
    assert rec.life(9).zombie == (7400e-9, None)         # nobody has reaped it yet
    assert rec.life(6).zombie_time(now=1.0) == pytest.approx(100e-9)
    assert rec.life(9).zombie_time(now=8000e-9, since=7500e-9) == pytest.approx(500e-9)
    assert rec.life(7).zombie_time(now=1.0) == 0.0
    assert rec.life(9).stops == [[7200e-9, 7300e-9]] and rec.life(9).resumed == 7300e-9
    assert rec.life(6).reaper_waited == pytest.approx(500e-9)   # 5 waited for a CPU meanwhile


def test_threads_are_not_processes_and_lines_have_writers():
    rec = record()
    assert [life.pid for life in rec.created_by(5)] == [6, 7, 9]
    assert rec.life(8).thread and rec.life(8).process == 5
    assert rec.writer("child 6 parent 5").pid == 5    # the thread's process wrote it
    assert rec.writer("child 7 parent 5") is None


def test_clone_parent_names_the_caller_and_the_parent_apart():
    child = record().life(9)
    assert (child.creator, child.parent) == (5, 1)
    assert record().life(5).execs == [(1500e-9, "/usr/bin/python3")]


def test_a_host_pid_used_again_is_read_as_of_its_time():
    """Host PIDs wrap round sooner than a container's: the second task with host PID 106 is
    container PID 10, forked by 5, and the first (6) keeps its own story."""
    later = [f"new 8000 105 105 {NS} 5 5 106 1200000 101", f"born 8100 106 106 {NS} 10 10",
             f"exit 8200 106 106 {NS} 10 10 1 256 0 105 3000", f"wait 8300 105 105 {NS} 5 5 10 3000"]
    rec = Record([line.split() for line in LINES + later], {})
    assert (rec.of(6).exit_code, rec.of(6).reaped_by) == (3, 5)
    assert (rec.of(10).creator, rec.of(10).exit_code, rec.of(10).reaped_by) == (5, 1, 5)


def test_children_are_in_fork_order_whichever_runs_first():
    lines = [f"born 1000 105 105 {NS} 5 5", f"new 2000 105 105 {NS} 5 5 106 1200000 101",
             f"new 3000 105 105 {NS} 5 5 107 1200000 101", f"born 3100 107 107 {NS} 7 7",
             f"born 3200 106 106 {NS} 6 6"]
    assert [life.pid for life in Record([w.split() for w in lines], {}).created_by(5)] == [6, 7]


def test_a_process_missing_from_the_record_is_the_recorders_failure():
    with pytest.raises(InfraError, match="no record of PID 99"):
        record().of(99)


@pytest.mark.parametrize("order", [LINES, LINES[::-1]])
def test_a_task_that_has_run_is_not_waited_for_whichever_cpus_line_comes_first(order):
    """Each CPU's lines come in their own order: a child's "born" can be read before its
    parent's "new". Only a task made that has neither run nor ended is unborn."""
    births = Births()
    for line in order:
        births.note(line.split())
    assert births.unborn() == set()
    births.note(f"new 8000 105 105 {NS} 5 5 110 1200000 101".split())
    assert births.unborn() == {110}
    assert births.note(f"born 8100 110 110 {NS} 10 10".split())
    assert births.unborn() == set()


def test_a_probe_never_takes_marks_read_before_it_started_for_its_own():
    """Every grader on the machine reads every probe's marks. Another grader's container may
    have had this one's namespace inode, and its probe the same tokens: such a mark, left over,
    must not end this probe's wait for its own (the record would miss recent events)."""
    recorder = Recorder.__new__(Recorder)   # its books only: no bpftrace
    recorder._open_books()

    def mark(token: int, cpu: int) -> None:
        recorder._take(f"sync {time.monotonic_ns()} {cpu} {token} {NS}\n")

    mark(0, 0)                                     # another grader's probe, in an earlier container
    mark(0, 1)
    lines = recorder.watch(int(NS))
    assert recorder._synced == {}
    mark(0, 1)                                     # this probe's own
    assert recorder._synced == {(int(NS), 0): {1}}
    recorder.forget(int(NS), lines)                # nor is a record given up on left behind
    assert recorder._synced == {}
