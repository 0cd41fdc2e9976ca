"""Lab 1's graded scenarios: fork_children.py, chain.py and spawn_report.py, judged by the
kernel's record of what the program's processes did, not by what they print.

A forked child that prints a line and exits may be gone before anyone could look at /proc, so
what is in the process table cannot be what decides. The grader's process recorder
(grader/recorder.py) has every process from the kernel itself, however briefly it lived: which process called fork,
the parent the kernel gave it, its exit status, the wait that reaped it (or that the kernel
discarded it because SIGCHLD was ignored), and every line it wrote. While a program runs nothing
else in the grading container starts a process (the probe and PID 1 never fork, and the grader
runs no command until the program is done), so the processes born since the program began are
exactly the ones it created, threads apart. (spawn_report.py is the exception: the grader signals
its commands while it runs, but what docker exec starts comes from outside the container.)

The image has no init: PID 1 is `sleep infinity`, which never reaps. A child that its parent did
not wait for stays in the table as a zombie for good, so what is left in the table once the
program is done shows too.
"""
from __future__ import annotations

import random
import re
import signal
from dataclasses import dataclass

from grader.scenario import Life, Record, SignalMasks, WORKDIR, exercise, require, signal_names

FORKED = re.compile(r"forked (\d+)")
CHILD = re.compile(r"child (\d+) parent (\d+)")
REAPED = re.compile(r"reaped (\d+) status (-?\d+)")
DEPTH = re.compile(r"depth (\d+) pid (\d+) parent (\d+)")
CHAIN_STATUS = re.compile(r"chain status (-?\d+)")

CHILDREN = 5            # fork_children.py 5, under a terminal, then with its output in a file
CHAIN = 6               # chain.py 6, under a terminal, then with its output in a file
OUTPUT_FILE = "/tmp/zombielab-output"                # fork_children's output, in its file run
CHAIN_OUTPUT = "/tmp/zombielab-chain-output"         # chain's, in its file run
REPORT_OUTPUT = "/tmp/zombielab-spawn-report-output"  # spawn_report's (its only run)
SETTLE_SECONDS = 3


@dataclass(frozen=True)
class Run:
    """One run of the learner's program, as the kernel and the output show it."""
    pid: int                 # the program's PID
    parent: int              # its parent's PID, as the kernel gave it (0: outside the container)
    status: int              # its exit status
    text: str                # everything it printed to stdout
    record: Record           # the kernel's record of the container's processes
    created: list[int]       # the processes it created (not threads), in creation order
    left: dict               # the process table once it and its children were done
    file: str = ""           # the learner's file (fork_children.py, or fork_children.c)

    def life(self, pid: int) -> Life:
        return self.record.of(pid)

    def found(self, pattern: re.Pattern) -> list[tuple[int, ...]]:
        # Matches anywhere, not line by line: a line that another process wrote into the middle
        # of (print's text and newline can go out as two writes) still counts as printed.
        return [tuple(map(int, m.groups())) for m in pattern.finditer(self.text)]

    @property
    def abandoned(self) -> list[int]:
        """The processes it created that were still in the table once it was done."""
        return [pid for pid in self.created if pid in self.left]


def run_program(ex, args, check_id: str, to_file: str | None = None) -> Run:
    """Run the learner's program to its end, under a terminal (stdout to to_file if given)."""
    with ex.step():   # nothing of this run may allocate PIDs during the next
        prog = ex.run(*args, stdout=to_file)
        status = prog.wait_exit(ex.timeout(check_id))
        left = settle(ex)
        record = ex.probe.record()
        started = record.of(prog.pid).born
        created = [life.pid for life in record.processes(after=started) if life.pid != prog.pid]
        if to_file:
            text = ex.probe.read_file(to_file, ex.output_limit) or ""
        else:
            text = "\n".join(prog.lines())
        return Run(prog.pid, prog.ppid, status, text, record, created, left, ex.file)


def settle(ex) -> dict:
    """Wait until no learner process is left running (zombies stay: nobody here reaps them)."""
    uid = ex.sandbox.learner_uid   # 1000 in a container; the grading's own uid without one
    procs = ex.probe.wait_for(lambda procs: not any(learner_running(p, uid)
                                                    for p in procs.values()),
                              timeout=SETTLE_SECONDS)
    return procs if procs is not None else ex.probe.snapshot()


def learner_running(proc, uid: int) -> bool:
    return proc.uid == uid and proc.state != "Z"


def wrong_forks(run: Run, parent_of) -> list[str]:
    """Processes of the run that were not forked by parent_of(pid), or were given another
    parent, or became another program: the exercises are about fork itself."""
    wrong = []
    for pid in run.created:
        life = run.life(pid)
        if life.creator != parent_of(pid):
            wrong.append(f"PID {pid} was forked by PID {life.creator}, not by PID {parent_of(pid)}")
        elif life.parent != parent_of(pid):
            wrong.append(f"PID {pid} was made the child of PID {life.parent}, not of PID "
                         f"{parent_of(pid)}")
        if life.execs:
            wrong.append(f"PID {pid} exec'd {life.execs[0][1]}: a forked child runs on in the "
                         "same program")
    return wrong


def unreaped(run: Run, reaper_of, pids: list[int] | None = None) -> list[str]:
    """Processes of the run (or of pids) whose status was not collected by reaper_of(pid)'s
    wait (its own parent's, for a chain: the shape of the tree is chain-links' business)."""
    wrong = []
    for pid in run.created if pids is None else pids:
        life = run.life(pid)
        if life.discarded:
            wrong.append(f"nobody reaped PID {pid}: SIGCHLD was ignored, so the kernel "
                         "discarded it")
        elif life.reaped_by != reaper_of(pid):
            wrong.append(f"PID {pid} was {life.fate}, not by PID {reaper_of(pid)}")
    return wrong


def written_by(run: Run, line: str, pid: int) -> str | None:
    """Why `line` does not count as written by process pid, or None if it does."""
    write = run.record.writer(line)
    if write is None:
        return f"no process of the run wrote the line {line!r} itself"
    if write.pid != pid:
        return f"the line {line!r} was written by PID {write.pid}, not by PID {pid}"
    return None


def judge_all_reaped(run: Run, still_there: str, reaper_of) -> None:
    """Nothing the run created is left in the table, and reaper_of(pid)'s wait took each."""
    left = [run.left[pid].described for pid in run.abandoned]
    require(not left, f"{still_there}, waited for by nobody: {'; '.join(left)}")
    wrong = unreaped(run, reaper_of)
    require(not wrong, "; ".join(wrong))


def require_created(run: Run, count: int, command: str) -> None:
    """The prerequisite of most checks: the program made exactly the processes it should."""
    require(len(run.created) == count,
            f"`{command}` created {len(run.created)} processes (PIDs {_span(run.created)}), "
            f"not {count}")


def _span(pids: list[int]) -> str:
    if not pids:
        return "none"
    return f"{pids[0]}-{pids[-1]}" if len(pids) > 1 else str(pids[0])


# --- fork_children.py --------------------------------------------------------------------------
@exercise("fork_children.py")
def fork_children(ex):
    run = run_program(ex, [CHILDREN], "child-lines")
    with ex.needed_by("child-lines", "real-pids", "exit-statuses", "no-zombies"):
        require_created(run, CHILDREN, f"{ex.file} {CHILDREN}")
        with ex.check("child-lines"):
            judge_child_lines(run)
        with ex.check("real-pids"):
            judge_real_pids(run)
        with ex.check("exit-statuses"):
            judge_exit_statuses(run)
        with ex.check("no-zombies"):
            judge_all_reaped(run, f"after {ex.file} exited, its children were still there",
                             lambda pid: run.pid)
    with ex.check("piped-output"):
        judge_piped(run_program(ex, [CHILDREN], "piped-output", to_file=OUTPUT_FILE))


def judge_child_lines(run: Run) -> None:
    children = run.found(CHILD)
    lines = sorted(pid for pid, _ in children)
    strangers = sorted(set(lines) - set(run.created))
    require(not strangers, f"child lines came from PIDs that were never its children: "
                           f"{strangers}; its children were {run.created}")
    require(len(lines) == len(set(lines)), f"some children printed more than one child "
                                           f"line: {lines}")
    # A child that its parent abandoned (no-zombies' failure, not this one's) may not get to
    # print while the parent lives: once the program exits, its terminal session is over (the
    # line is lost, or SIGHUP kills the child first) and the kernel has made PID 1 its
    # parent. It is excused either way.
    silent = [pid for pid in run.created if pid not in lines and pid not in run.abandoned]
    require(not silent, f"no child line from {silent}; its children were {run.created}")
    wrong = [f"child {pid} printed parent {ppid}" for pid, ppid in children
             if ppid != run.pid and not (ppid == 1 and pid in run.abandoned)]
    require(not wrong, f"its parent was PID {run.pid}, but " + "; ".join(wrong))
    spoken = [written_by(run, f"child {pid} parent {ppid}", pid) for pid, ppid in children]
    require(not any(spoken), "; ".join(filter(None, spoken)))


def judge_real_pids(run: Run) -> None:
    forked = [pid for (pid,) in run.found(FORKED)]
    require(forked == run.created,
            f"it printed forked {forked}; the kernel created its children {run.created}, "
            "in that order")
    reported = [pid for pid, _ in run.found(REAPED)]
    strangers = [pid for pid in reported if pid not in run.created]
    require(not strangers, f"it reported reaping PIDs that were never its children: {strangers}")
    require(sorted(reported) == run.created,
            f"it printed reaped lines for {reported}; its children were {run.created}")
    wrong = wrong_forks(run, lambda pid: run.pid)
    require(not wrong, f"the kernel's record of {run.file} (PID {run.pid}): "
                       + "; ".join(wrong))


def judge_exit_statuses(run: Run) -> None:
    position = {pid: i for i, pid in enumerate(run.created, start=1)}   # fork order is PID order
    reaped = run.found(REAPED)
    require(reaped, "it printed no reaped line")
    wrong = [f"PID {pid}: printed {code}, but it was child number {position[pid]}"
             for pid, code in reaped if pid in position and code != position[pid]]
    require(not wrong, "wrong statuses: " + "; ".join(wrong))
    wrong = [f"PID {pid} {run.life(pid).ending}; {run.file} printed status {code}"
             for pid, code in reaped if pid in position and run.life(pid).exit_code != code]
    require(not wrong, "; ".join(wrong))
    wrong = unreaped(run, lambda pid: run.pid, [pid for pid, _ in reaped if pid in position])
    require(not wrong, "; ".join(wrong) + ": the statuses it printed were never collected")
    require(run.status == 0, f"{run.file} exited with status {run.status}")


def judge_piped(run: Run) -> None:
    """Buffering may delay a line, never double or lose it: every process the program created
    was forked by a process that says `forked` once, and says `child` once itself. (Reaped lines
    are left out: a child abandoned unreaped has none, and that is no-zombies' failure.)"""
    command = f"{run.file} {CHILDREN} > file"
    require(run.created, f"`{command}` forked no children, so there was no buffer to copy")
    forked, children = len(run.found(FORKED)), len(run.found(CHILD))
    require(forked == len(run.created), f"with its output in a file, `{command}` wrote {forked} "
                                        f"forked lines for the {len(run.created)} processes it created")
    # An abandoned child may die before printing: when the program exits, its terminal session
    # ends and the kernel sends SIGHUP to the children still in it. no-zombies judges that.
    require(len(run.created) - len(run.abandoned) <= children <= len(run.created),
            f"with its output in a file, `{command}` wrote {children} child lines for the "
            f"{len(run.created)} processes it created")


# --- chain.py ----------------------------------------------------------------------------------
@exercise("chain.py")
def chain(ex):
    run = run_program(ex, [CHAIN], "chain-links")
    piped = run_program(ex, [CHAIN], "chain-links", to_file=CHAIN_OUTPUT)
    with ex.needed_by("chain-links", "chain-status", "chain-reaped"):
        require_created(run, CHAIN - 1, f"{ex.file} {CHAIN}")
        with ex.check("chain-links"):
            judge_chain_links(run)
            judge_piped_chain(piped)
        with ex.check("chain-status"):
            judge_chain_status(run)
        with ex.check("chain-reaped"):
            judge_all_reaped(run, f"after {ex.file} exited, processes of the chain were still "
                                  "there", lambda pid: run.life(pid).parent)


def judge_chain_links(run: Run) -> None:
    links = run.found(DEPTH)
    depths = sorted(depth for depth, _, _ in links)
    require(depths == list(range(1, CHAIN + 1)),
            f"it printed depth lines for depths {depths}, not one for each of 1..{CHAIN}")
    by_depth = {depth: (pid, parent) for depth, pid, parent in links}
    expected = [run.pid] + run.created   # creation order is depth order in a chain
    printed = [by_depth[d][0] for d in range(1, CHAIN + 1)]
    require(printed == expected, f"its depth lines name PIDs {printed}; the kernel gave the "
                                 f"program PID {run.pid} and then created {run.created}")
    wrong = [f"depth {d} printed parent {by_depth[d][1]}, not {parent}"
             for d, parent in zip(range(1, CHAIN + 1), [run.parent] + expected[:-1])
             if by_depth[d][1] != parent]
    require(not wrong, "; ".join(wrong))
    parent_of = dict(zip(run.created, expected))
    wrong = wrong_forks(run, parent_of.get)
    require(not wrong, "the kernel's record of the chain: " + "; ".join(wrong))


def judge_piped_chain(run: Run) -> None:
    """With its output in a file, each process of the chain says its depth line once: a line
    left in a buffer when the process forks is copied into the child, and printed twice (or
    thrown away with the buffer by _exit)."""
    command = f"{run.file} {CHAIN} > file"
    depths = [depth for depth, _, _ in run.found(DEPTH)]
    doubled = sorted({depth for depth in depths if depths.count(depth) > 1})
    require(not doubled, f"with its output in a file, `{command}` wrote the depth lines of "
                         f"depths {doubled} more than once")
    # As in fork_children's file run, a link abandoned by its parent may die before it prints.
    processes = len(run.created) + 1
    require(processes - len(run.abandoned) <= len(depths) <= processes,
            f"with its output in a file, `{command}` wrote {len(depths)} depth lines for the "
            f"{processes} processes of its chain")


def judge_chain_status(run: Run) -> None:
    statuses = [code for (code,) in run.found(CHAIN_STATUS)]
    require(statuses == [CHAIN - 1], f"`{run.file} {CHAIN}` printed chain status lines {statuses}; "
                                     f"expected exactly one, chain status {CHAIN - 1}")
    # Each link passes up what the kernel gave it: the deepest exits 0, each above it with
    # its child's code + 1.
    wrong = [f"PID {pid} {run.life(pid).ending}, not {len(run.created) - 1 - i}"
             for i, pid in enumerate(run.created)
             if run.life(pid).exit_code != len(run.created) - 1 - i]
    require(not wrong, "the links' exit statuses: " + "; ".join(wrong))
    wrong = unreaped(run, lambda pid: run.life(pid).parent)
    require(not wrong, "; ".join(wrong) + ": the statuses were never passed up")
    require(run.status == 0, f"{run.file} exited with status {run.status}")


# --- spawn_report.py ---------------------------------------------------------------------------
# The commands it is graded with. The first waits for the grader to type its exit status, then
# leaves a note on its file descriptor 3; the others sleep until the grader stops or kills them.
# The status and the signals are drawn at random on each run: only the kernel's wait status
# can tell the program what to print.
FIRST = 'read code; echo note $$ >&3; exit "$code"'
SLEEPER = "exec sleep 30"
DUMPER = "ulimit -c unlimited; cd /tmp; exec sleep 30"   # a core file needs both
COMMANDS = [FIRST, SLEEPER, DUMPER]
ENDING = ["TERM", "HUP", "USR2", "ALRM"]                 # their default action: terminate
DUMPING = ["ABRT", "SEGV", "FPE", "BUS", "SYS", "TRAP"]  # theirs: terminate with a core dump
# The grader starts spawn_report.py with SIGUSR1 blocked, as any caller may: exec keeps the
# signal mask, and the commands must not inherit it. (It starts it through Python, which also
# leaves SIGPIPE and SIGXFSZ ignored, as callers may: a C spawn_report starts with them ignored.)
# Its output goes to a file, as a log would have it: what it printed is read from there.
STARTED_BLOCKED = ("import os, signal, sys; "
                   "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1}); "
                   "os.execvp(sys.argv[1], sys.argv[1:])")
SPAWNED = re.compile(r"spawned (\d+)")
REPORTED = re.compile(r"^(\d+) ((?:exited|killed by|stopped by) \w+(?: \(core dumped\))?)$", re.M)
SHELLS = ("/bin/sh", "/usr/bin/sh")   # one file: /bin is /usr/bin in the image
STANDARD_SIGNALS = (1 << 31) - 1   # signals 1-31, as bits of /proc's masks (glibc keeps 32, 33)
NO_MASKS = SignalMasks(ignored=0, blocked=0, caught=0)   # a process gone shows none


@dataclass(frozen=True)
class StartState:
    """What the kernel showed of the first command just after it started."""
    pid: int
    ignored: int          # SigIgn of the command
    blocked: int          # SigBlk of the command
    fds: dict             # its open file descriptors -> what they are
    reporter_ignored: int  # SigIgn of spawn_report.py itself


@exercise("spawn_report.py")
def spawn_report(ex):
    code, ending, dumping = random.randint(1, 120), random.choice(ENDING), random.choice(DUMPING)
    prog = ex.run(command=["python3", "-I", "-c", STARTED_BLOCKED, *ex.command(*COMMANDS)],
                  stdout=REPORT_OUTPUT)
    wait = ex.timeout("wait-statuses")
    with ex.needed_by("spawned-commands", "wait-statuses", "command-state"):
        first = next_command(ex, prog.pid, [], ex.timeout("spawned-commands"))
        start = start_state(ex, prog.pid, first)
        prog.send_line(str(code))   # the first command reads its exit status at the terminal
        ex.probe.record_when(lambda record: record.of(first).ended is not None, wait)
        log = ex.probe.read_file(f"{WORKDIR}/spawn.log", 4096)
        with ex.check("command-state"):
            judge_start(start, log, ex.file)
        second = next_command(ex, prog.pid, [first], wait)
        ex.signal(second, "STOP")
        resumed = ex.probe.record_when(lambda record: record.of(second).resumed is not None, wait)
        require(resumed.of(second).resumed is not None,
                f"PID {second} was stopped by SIGSTOP and not continued within {wait:g} s")
        ex.signal(second, ending)
        third = next_command(ex, prog.pid, [first, second], wait)
        ex.signal(third, dumping)
        status = prog.wait_exit(wait)
        record = ex.probe.record()
        # Not the grader's own commands (kill, the probe's), which come from outside.
        created = [life.pid for life in record.processes(after=record.of(prog.pid).born)
                   if life.pid != prog.pid and life.creator != 0]
        text = ex.probe.read_file(REPORT_OUTPUT, ex.output_limit) or ""
        run = Run(prog.pid, prog.ppid, status, text, record, created, {}, ex.file)
        with ex.check("spawned-commands"):
            judge_spawned(run)
        with ex.check("wait-statuses"):
            judge_statuses(run)


def next_command(ex, reporter: int, earlier: list[int], timeout: float) -> int:
    """The PID of the next command spawn_report.py started: its oldest child not among
    `earlier`, once that child has become the program it runs (sh, or the sleep sh execs)."""
    def oldest_new(procs):
        children = [p for p in procs.values() if p.ppid == reporter and p.pid not in earlier]
        return min(children, key=lambda p: (p.starttime, p.pid), default=None)
    def started(procs):
        return getattr(oldest_new(procs), "comm", None) in ("sh", "sleep")
    procs = ex.probe.wait_for(lambda procs: started(procs) or reporter not in procs, timeout)
    command = f"command {len(earlier) + 1} (/bin/sh -c {COMMANDS[len(earlier)]!r})"
    require(procs is None or reporter in procs or started(procs),
            f"{ex.file} exited without starting {command}")
    after = f"command {len(earlier)}'s end" if earlier else "its start"
    require(procs, f"{ex.file} had not started {command} {timeout:g} s after {after}")
    return oldest_new(procs).pid


def start_state(ex, reporter: int, command: int) -> StartState:
    masks = ex.probe.signal_masks(command) or NO_MASKS
    reporter_masks = ex.probe.signal_masks(reporter) or NO_MASKS
    fds = ex.probe.details(command).get("fds", {})
    return StartState(command, masks.ignored, masks.blocked, fds, reporter_masks.ignored)


def judge_start(start: StartState, log: str | None, file: str) -> None:
    own = {"SIGINT", "SIGQUIT"} - set(signal_names(start.reporter_ignored))
    require(not own, f"{file} does not ignore {', '.join(sorted(own))} (a handler is "
                     "not ignoring: exec resets handlers, but keeps what is ignored)")
    kept = signal_names(start.ignored & STANDARD_SIGNALS)
    require(not kept, f"the first command (PID {start.pid}) started with {', '.join(kept)} "
                      f"ignored: exec keeps ignored signals, so {file} must set them "
                      "back to their default for it")
    blocked = signal_names(start.blocked & STANDARD_SIGNALS)
    require(not blocked, f"the first command (PID {start.pid}) started with {', '.join(blocked)} "
                         f"blocked: exec keeps the mask that {file} was started with")
    fds = {int(fd): target for fd, target in start.fds.items()}
    require(sorted(fds) == [0, 1, 2, 3], f"the first command (PID {start.pid}) started with "
                                         f"file descriptors {sorted(fds)}, not 0, 1, 2 and 3")
    require(fds[3] == f"{WORKDIR}/spawn.log", f"the first command's file descriptor 3 was "
                                              f"{fds[3]}, not {WORKDIR}/spawn.log")
    require(log == f"note {start.pid}\n", f"after the first command wrote `note {start.pid}` to "
                                           f"its file descriptor 3, spawn.log held {log!r}")


def judge_spawned(run: Run) -> None:
    require(len(run.created) == len(COMMANDS),
            f"{run.file} created {len(run.created)} processes (PIDs {_span(run.created)}) "
            f"for {len(COMMANDS)} commands, none of which starts another")
    spawned = [pid for (pid,) in run.found(SPAWNED)]
    require(spawned == run.created, f"it printed spawned {spawned}; the kernel created its "
                                    f"children {run.created}, in that order")
    for pid in run.created:
        life = run.life(pid)
        require(life.creator == life.parent == run.pid,
                f"PID {pid} was created by PID {life.creator} as the child of PID "
                f"{life.parent}, not by {run.file} (PID {run.pid})")
        require(life.vfork, f"PID {pid} was made by fork, not by posix_spawn (whose child shares "
                            "its parent's memory until its exec: a vfork, as the kernel saw it)")
        require(life.execs and life.execs[0][1] in SHELLS,
                f"PID {pid} first exec'd {life.execs[0][1] if life.execs else 'nothing'}, "
                "not /bin/sh")
        early = [w.data.strip() for w in life.writes if w.t < life.execs[0][0]]
        require(not early, f"PID {pid} wrote {early} before its exec: the child runs nothing "
                           f"of {run.file}'s between its start and its exec")
    for earlier, later in zip(run.created, run.created[1:]):
        reaped = run.life(earlier).reaped
        require(reaped is not None and reaped <= run.life(later).born,
                f"command PID {later} was started before command PID {earlier} was reaped: "
                "one command at a time")


def judge_statuses(run: Run) -> None:
    reported = {}
    for line in REPORTED.finditer(run.text):
        reported.setdefault(int(line.group(1)), []).append(line.group(2))
    for pid in run.created:
        life = run.life(pid)
        expected = ["stopped by SIGSTOP"] * len(life.stops) + [kernel_ending(life.status)]
        require(reported.get(pid) == expected,
                f"for PID {pid} it printed {reported.get(pid, [])}; the kernel reported "
                f"{expected}")
        for stop, _ in life.stops:
            line = f"{pid} stopped by SIGSTOP"
            write = run.record.writer(line)
            require(write and write.t >= stop, f"it printed `{line}` before the kernel "
                                               "stopped the command")
    wrong = unreaped(run, lambda pid: run.pid)
    require(not wrong, "; ".join(wrong))
    require(run.status == 0, f"{run.file} exited with status {run.status}")


def kernel_ending(status: int | None) -> str:
    """A final wait status in the contract's words (as the macros decode it)."""
    if status is None:
        return "nothing (it had not ended)"
    if status & 0x7F == 0:
        return f"exited {status >> 8}"
    core = " (core dumped)" if status & 0x80 else ""
    return f"killed by {signal.Signals(status & 0x7F).name}{core}"
