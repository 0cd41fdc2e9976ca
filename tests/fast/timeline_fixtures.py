"""Records for the timeline tests, written as the recorder's lines (tests/fast/test_record.py
shows their formats) by one small function per event: seconds in, a line out. Container PID p
is host PID 1000 + p; the learner's program starts at T0 (CLOCK_MONOTONIC seconds)."""
from grader.recorder import Record

NS = "4026532180"
T0 = 100.0
HOST = 1000


def _ns(t: float) -> int:
    return round((T0 + t) * 1e9)


def _ids(pid: int, host: int | None = None) -> str:
    host = host or HOST + pid
    return f"{host} {host} {NS} {pid} {pid}"


def started(t: float, pid: int, program: str = "/usr/bin/python3") -> list[str]:
    """A process started from outside the container (docker exec's), which runs `program`."""
    return [f"born {_ns(t)} {_ids(pid)}", f"exec {_ns(t + 0.0005)} {_ids(pid)} {program}"]


def fork(t: float, parent: int, child: int, clone_parent_of: int | None = None,
         host: int | None = None) -> list[str]:
    """`parent` forks `child`; with CLONE_PARENT, the child's parent is `clone_parent_of`. A
    PID used again needs a host PID of its own (`host`), as the kernel's would be."""
    flags, real = ("8000", clone_parent_of) if clone_parent_of else ("1200000", 1)
    return [f"new {_ns(t)} {_ids(parent)} {host or HOST + child} {flags} {HOST + real}",
            f"born {_ns(t) + 1000} {_ids(child, host)}"]


def run(t: float, pid: int, program: str) -> list[str]:
    return [f"exec {_ns(t)} {_ids(pid)} {program}"]


def exit_(t: float, pid: int, code: int = 0, signal: int = 0, discarded: bool = False) -> list[str]:
    status = signal or code << 8
    return [f"exit {_ns(t)} {_ids(pid)} 1 {status} {int(discarded)} 0 0"]


def wait(t: float, reaper: int, child: int) -> list[str]:
    return [f"wait {_ns(t)} {_ids(reaper)} {child} 0"]


def stop(t: float, pid: int) -> list[str]:
    return [f"stop {_ns(t)} {_ids(pid)}"]


def cont(t: float, pid: int) -> list[str]:
    return [f"cont {_ns(t)} {HOST + pid}"]


def getppid(t: float, pid: int, answer: int) -> list[str]:
    return [f"ppid {_ns(t)} {_ids(pid)} {answer}"]


def record(*events: list[str]) -> Record:
    """A container's record: PID 1 (a shell) started first, then the events given."""
    lines = started(-1.0, 1, "/bin/sh") + [line for event in events for line in event]
    return Record([line.split() for line in lines], {})
