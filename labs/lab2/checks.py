"""Lab 2's graded scenarios: orphans, a subreaper and a daemon, judged from the kernel's /proc
and its record of each process (who forked it, what getppid() told it, who wrote each line).

Every program runs under a small trusted stand-in for a shell (holder.py, next to this file,
passed to `python3 -I -c`) instead of being the `docker exec` process itself, for three reasons:
  - docker closes the terminal as soon as the exec'd process exits, and output written after
    that is lost; an orphan speaks after its parent's exit, so someone must keep the session;
  - a session leader's exit hangs up the terminal (SIGHUP to its foreground group), which
    would kill the orphan before it could be adopted; under a shell, programs are not leaders;
  - the holder never reaps the program, so its exit status stays readable in /proc, and it
    can keep the program at the starting line until the grader is ready.

Races are provoked, not hoped for: the grader stops the terminal's output (Ctrl-S), so a
parent that prints is held inside print() for as long as the grader wants, alive, and a child
that guesses how long its parent lives is caught. Timing is judged as a lower bound: the last
time the grader saw a process alive (when it asked) minus the first poll that saw the event it
waited for, which a busy machine can only shrink.
"""
import os
import re
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import CheckFailed
from grader.exercise import exercise, require
from grader.session import Program

PROGRAM_MARK = "zombielab-program"
EXITED_MARK = "zombielab-exited"
NOTICE_LIMIT = 1.0          # seconds an orphan may take to notice its adoption
LAUNCHER_LIMIT = 1.0        # seconds the daemon's launcher may run
WATCH_INTERVAL = 0.05

# The holder's source, for python3 -c; its arguments: MODE FILE ARGS... (see its docstring).
HOLDER = (Path(__file__).resolve().parent / "holder.py").read_text()


# --- running a program under the holder ------------------------------------------------------
@dataclass
class Held:
    """A learner's program started by the holder: prog is the terminal session (the holder's),
    pid the program's own PID."""
    ex: object
    image: str
    prog: Program
    pid: int
    subreaper: bool = False   # the holder becomes a child subreaper at the gate

    @property
    def probe(self):
        return self.ex.probe_in(self.image)

    @property
    def sandbox(self):
        return self.ex.containers.get(self.image)[0]

    @property
    def holder(self) -> int:
        return self.prog.pid

    def freeze_output(self) -> None:
        """Ctrl-S: the terminal driver stops output, and whoever prints blocks in write()."""
        self.prog.child.sendcontrol("s")

    def thaw_output(self) -> None:
        """Ctrl-Q: output flows again, and the blocked writers go on."""
        self.prog.child.sendcontrol("q")

    def open_gate(self) -> None:
        self.prog.send_line("go subreaper" if self.subreaper else "go")

    def signal(self, pid: int, signame: str) -> None:
        self.ex.signal(pid, signame, image=self.image)


def run_held(ex, *args, image=None, gated=False, subreaper=False) -> Held:
    """A program under the holder; `subreaper` (gated runs only) is told at the gate."""
    image = image or ex.image
    prog = ex.run(image=image, command=["python3", "-I", "-c", HOLDER,
                                        "gated" if gated else "plain", ex.spec.file,
                                        *map(str, args)])
    pid = int(prog.expect_line(rf"{PROGRAM_MARK} (\d+)", 30, "its PID").group(1))
    return Held(ex, image, prog, pid, subreaper)


# --- reading the kernel ------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def alive(proc) -> bool:
    return proc is not None and proc.state != "Z"


def dead_in(procs, pid: int) -> bool:
    return pid not in procs or procs[pid].state == "Z"


def first_dead(probe, pid: int) -> float | None:
    """The first poll that found pid a zombie or gone: an upper bound of when it died."""
    times = [probe.first_time(pid, lambda p: p.state == "Z"),
             probe.first_time(pid, lambda p: True, kind="gone")]
    return min(filter(None, times), default=None)


def wait_dead(probe, pid: int, timeout: float) -> bool:
    return probe.wait_for(lambda procs: dead_in(procs, pid), timeout) is not None


def watch_alive(probe, pid: int, limit: float) -> float | None:
    """Watch pid until it dies or `limit` seconds pass; return the last time it was seen alive.

    The time is taken before each question, so it is a lower bound of when the process was
    last alive, however slow the answer."""
    last = None
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        asked = time.monotonic()
        if not alive(probe.get(pid)):
            break
        last = asked
        time.sleep(WATCH_INTERVAL)
    return last


def exit_status(held: Held, pid: int) -> int | None:
    """The exit code of a zombie (as waitstatus_to_exitcode gives it: -N for signal N), read
    from /proc; None when the process is not a zombie any more."""
    proc = held.probe.get(pid)
    if proc is None or proc.state != "Z":
        return None
    raw = held.probe.details(pid).get("exit_code")
    return None if raw is None else os.waitstatus_to_exitcode(raw)


def describe_status(code: int | None) -> str:
    if code is None:
        return "left no exit status to read"
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with status {code}"


def first_seen(probe) -> dict:
    """Every process the probe ever saw, as first seen, by PID."""
    seen = {}
    for event in probe.events():
        if event.kind != "gone":
            seen.setdefault(event.proc.pid, event.proc)
    for proc in probe.snapshot().values():
        seen.setdefault(proc.pid, proc)
    return seen


def started_by(probe, pid: int) -> list:
    """The learner's processes started after pid (pid excluded), oldest first.

    A fresh container holds nothing else of the learner's, so these are pid's descendants.
    Processes the grader runs with docker exec (cat, the probe's details) have parent 0."""
    seen = first_seen(probe)
    root = seen.get(pid)
    if root is None:
        return []
    return sorted((p for p in seen.values()
                   if p.pid != pid and p.uid == root.uid and p.ppid != 0
                   and (p.starttime, p.pid) > (root.starttime, root.pid)),
                  key=lambda p: (p.starttime, p.pid))


def adopter_of(probe, pid: int, parent: int) -> int | None:
    """The first parent other than `parent` the kernel gave pid, if the probe saw one."""
    for event in probe.history(pid):
        if event.kind != "gone" and event.proc.ppid not in (parent, 0):
            return event.proc.ppid
    return None


def comm(probe, pid: int) -> str:
    proc = first_seen(probe).get(pid)
    return proc.comm if proc else "?"


def tty_name(tty_nr: int) -> str:
    major, minor = (tty_nr >> 8) & 0xFFF, (tty_nr & 0xFF) | ((tty_nr >> 12) & 0xFFF00)
    return f"/dev/pts/{minor}" if 136 <= major <= 143 else f"terminal {major}:{minor}"


def lines_matching(prog: Program, pattern: str) -> list[re.Match]:
    return [m for m in (re.fullmatch(pattern, line.strip()) for line in prog.lines()) if m]


# --- orphan.py -------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrphanRun:
    """One way of running orphan.py. `hold`: how long the grader keeps the parent inside its
    print (the terminal stopped). A child that sleeps instead of polling reads its parent's PID
    if its nap is shorter than the hold, and notices late if it is longer: no nap fits all three
    holds."""
    where: str
    image: str
    subreaper: bool
    hold: float


ORPHAN_RUNS = [
    OrphanRun("in the no-init container (PID 1 is `sleep`, which never reaps)", "noinit",
              subreaper=False, hold=1.0),
    OrphanRun("in the tini container (PID 1 is tini)", "tini", subreaper=False, hold=0.5),
    OrphanRun("under a subreaper (the adopter is not PID 1)", "tini", subreaper=True, hold=2.5),
]
ORPHAN_CHECKS = ("orphaned-child", "reports-adopter", "adopted-promptly")


@dataclass
class OrphanResult:
    run: OrphanRun
    failures: dict = field(default_factory=dict)   # check id -> what was observed

    def fail(self, check_id: str, observed: str) -> None:
        self.failures.setdefault(check_id, observed)


@exercise("orphan.py")
def orphan(ex):
    results = []
    for run in ORPHAN_RUNS:
        result = OrphanResult(run)
        try:
            observe_orphan(ex, run, result)
        except CheckFailed as failure:   # the run could not go on: what is unjudged fails with it
            for check_id in ORPHAN_CHECKS:
                result.fail(check_id, str(failure))
        results.append(result)
        ex.stop_programs()
    for check_id in ORPHAN_CHECKS:
        with ex.check(check_id):
            require(not any(check_id in r.failures for r in results), runs_story(results, check_id))


def runs_story(results: list, check_id: str) -> str:
    """What went wrong in which run, said once when every run saw the same."""
    failures = [(r.run.where, r.failures[check_id]) for r in results if check_id in r.failures]
    if len(failures) == len(results) and len({what for _, what in failures}) == 1:
        return f"in every run: {failures[0][1]}"
    return "; ".join(f"{where}: {what}" for where, what in failures)


def observe_orphan(ex, run: OrphanRun, result: OrphanResult) -> None:
    held = run_held(ex, image=run.image, gated=True, subreaper=run.subreaper)
    probe = held.probe
    held.freeze_output()
    held.open_gate()   # after Ctrl-S: the program starts with the terminal already stopped
    time.sleep(run.hold)
    # Stop everything the parent started before letting output flow: only the parent's line
    # comes out (no other writer can cut into it), and the child, stopped, stays to be seen
    # with its new parent however fast its adopter reaps.
    family = stop_family(held)
    if dead_in(probe.snapshot(), held.pid):
        raise CheckFailed("the parent exited without printing its line: nothing it writes "
                          "can get out while the terminal is stopped (unless it changed the "
                          "terminal's settings)")
    held.thaw_output()

    child = read_parent_line(ex, held)
    if not wait_dead(probe, held.pid, ex.timeout("orphaned-child")):
        raise CheckFailed(f"the parent was still running {ex.timeout('orphaned-child'):g} s after "
                          f"printing its line, so its child never became an orphan")
    died = first_dead(probe, held.pid)
    status = exit_status(held, held.pid)
    if status != 0:
        result.fail("orphaned-child", f"the parent {describe_status(status)}")
    probe.wait_for(lambda procs: child not in procs or procs[child].ppid != held.pid, 2)
    for pid in family:
        held.signal(pid, "CONT")
    # The child can notice its adoption from the moment it runs again.
    could_notice = probe.first_time(child, lambda p: p.state != "T", after=died) or died
    judge_adoption(ex, held, result, child, could_notice)


def stop_family(held: Held) -> list[int]:
    family = [p.pid for p in started_by(held.probe, held.pid) if alive(held.probe.get(p.pid))]
    for pid in family:
        held.signal(pid, "STOP")
    held.probe.wait_for(lambda procs: all(dead_in(procs, pid) or procs[pid].state == "T"
                                          for pid in family), 2)
    return family


def read_parent_line(ex, held: Held) -> int:
    """The child named in the parent's line, checked against the kernel."""
    line = held.prog.expect_line(r"parent (\d+) child (\d+)", ex.timeout("orphaned-child"),
                                 '"parent <pid> child <cpid>"')
    parent, child = int(line.group(1)), int(line.group(2))
    require(parent == held.pid, f"it printed parent {parent}, but the parent's PID is {held.pid}")
    children = [c.pid for c in held.probe.ever_children(held.pid)]
    require(child in children, f"it named child {child}, but the parent's children were "
                               f"{children or 'none'}")
    return child


def judge_adoption(ex, held: Held, result: OrphanResult, child: int, could_notice: float) -> None:
    probe = held.probe
    try:
        line, last_alive = expect_while_alive(held, rf"adopted {child} by (\d+)", child,
                                              ex.timeout("reports-adopter"),
                                              f'"adopted {child} by <ppid>"')
        reported = int(line.group(1))
    except CheckFailed as failure:
        reported, last_alive = None, None
        result.fail("reports-adopter", str(failure))
    # A child that lingers after its line is late too.
    lingered = watch_alive(probe, child, NOTICE_LIMIT + 1)
    last_alive = max(filter(None, [last_alive, lingered]), default=None)
    adopter = adopter_of(probe, child, held.pid)
    if adopter is None:
        result.fail("orphaned-child", f"the kernel never gave child {child} a new parent: "
                                      "it was gone before its parent")
        result.fail("reports-adopter", f"child {child} was never adopted")
    elif reported is not None and reported != adopter:
        whose = " (its original parent)" if reported == held.pid else ""
        result.fail("reports-adopter", f"the child said it was adopted by {reported}{whose}, "
                                       f"but the kernel gave it to PID {adopter} "
                                       f"({comm(probe, adopter)})")
    elif reported is not None:
        unknown = not_told(held.probe.record(), child, held.pid, f"adopted {child} by {reported}")
        if unknown:
            result.fail("reports-adopter", unknown)
    if last_alive is not None and last_alive - could_notice > NOTICE_LIMIT:
        result.fail("adopted-promptly", f"child {child} was still running "
                                        f"{ms(last_alive - could_notice)} after it was adopted")
    status = exit_status(held, child)   # readable where the adopter does not reap
    if status not in (None, 0):
        result.fail("adopted-promptly", f"child {child} {describe_status(status)}")


def not_told(record, child: int, parent: int, line: str) -> str | None:
    """Why the kernel's record says `child` did not learn its adopter by asking, or None.

    The line must be the child's own write, made after a getppid() that the kernel answered
    with the adopter it names, after the parent had exited: an adopter read off another
    process's command line, or predicted, was never told."""
    write = record.writer(line)
    if write is None or write.pid != child:
        who = f"PID {write.pid}" if write else "no process of its container"
        return f"the line {line!r} was written by {who}, not by child {child}"
    died = record.life(parent).ended if record.life(parent) else None
    adopter = int(line.rsplit(" ", 1)[1])
    told = [ppid for t, ppid in record.of(child).asked
            if died is not None and died <= t <= write.t]
    if adopter not in told:
        return (f"child {child} wrote {line!r}, but getppid() had not told it {adopter} after "
                f"PID {parent} exited (it answered {told or 'nothing'} in that time)")
    return None


def expect_while_alive(held: Held, pattern: str, pid: int, timeout: float, what: str):
    """Wait for a line, watching pid meanwhile: (the match, the last time pid was seen alive
    before the line came, or None). The time is taken before each question to the probe, so
    it is a lower bound, however slow the answer."""
    deadline = time.monotonic() + timeout
    last_alive = None
    while True:
        asked = time.monotonic()
        if alive(held.probe.get(pid)):
            last_alive = asked
        try:
            return held.prog.expect_line(pattern, WATCH_INTERVAL, what), last_alive
        except CheckFailed:
            # Over when the session ended, or this wait's or the exercise's time ran out.
            ended = held.prog.exit_status is not None
            if ended or time.monotonic() >= min(deadline, held.prog.deadline):
                raise CheckFailed(f"{held.prog.name} did not print {what} within {timeout:g} s")


# --- subreaper.py ----------------------------------------------------------------------------
SUBREAPER_CHECKS = ("adopts-grandchild", "reports-statuses", "no-zombies")
GRANDCHILD_STATUS = 3


@exercise("subreaper.py")
def subreaper(ex):
    """The middle child may live less than one of the probe's polls, so the scenario never
    counts on seeing it. What it does count on: with the terminal stopped, the grandchild cannot
    get past its print, so stopping subreaper.py as soon as anything of its family shows up
    makes every death that follows a zombie subreaper.py cannot reap, which the grader reads at
    leisure: who its parent was at the end, and its exit status."""
    held = run_held(ex, gated=True)
    held.freeze_output()
    held.open_gate()
    with ex.checks(*SUBREAPER_CHECKS):   # if the family never forms, nothing can be judged
        stop_when_family_appears(ex, held)
        held.thaw_output()
        family = wait_family_dead(ex, held)
        zombies = {p.pid: (held.probe.get(p.pid), exit_status(held, p.pid)) for p in family}
        held.signal(held.pid, "CONT")
        held.prog.expect_line(EXITED_MARK, ex.timeout("no-zombies"), "the end of subreaper.py")
        middle, grandchild = identify_family(held, family, zombies)
        judge_subreaper(held, middle, grandchild, zombies)


def stop_when_family_appears(ex, held: Held) -> None:
    probe, me = held.probe, held.pid
    timeout = ex.timeout("adopts-grandchild")
    probe.wait_for(lambda procs: started_by(probe, me) or dead_in(procs, me), timeout)
    ended = "exited" if dead_in(probe.snapshot(), me) else f"ran {timeout:g} s"
    require(started_by(probe, me), f"subreaper.py {ended} without starting any process")
    held.signal(me, "STOP")
    probe.wait_for(lambda procs: dead_in(procs, me) or procs[me].state == "T", 2)


def wait_family_dead(ex, held: Held) -> list:
    """Every process of subreaper.py's family, once none of them runs any more."""
    probe, me = held.probe, held.pid

    def all_dead(procs) -> bool:
        return all(dead_in(procs, p.pid) for p in started_by(probe, me))

    timeout = ex.timeout("adopts-grandchild")
    # Twice: a process forked while the probe read the table could be missing from one reading.
    settled = probe.wait_for(all_dead, timeout) and probe.wait_for(all_dead, timeout)
    require(settled, f"{timeout:g} s after the terminal ran again, the kernel still showed "
                     f"{family_story(probe, me)}")
    return started_by(probe, me)


def identify_family(held: Held, family: list, zombies: dict) -> tuple[int | None, int]:
    """(middle child or None if never seen, grandchild). The grandchild is the one that printed
    its adoption and was a zombie when the grader looked (subreaper.py, stopped, could not reap
    it); the middle child is the first one forked, if the probe saw it at all."""
    said = lines_matching(held.prog, r"adopted (\d+) by (\d+)")
    named = {int(m.group(1)) for m in said}
    caught = [p.pid for p in family if zombies[p.pid][1] is not None]
    grandchild = next((pid for pid in caught if pid in named), caught[-1] if caught else None)
    require(grandchild is not None, "no process of subreaper.py's family was left as a zombie "
                                    "while it was stopped: the kernel showed "
                                    + family_story(held.probe, held.pid))
    earlier = [p.pid for p in family if p.pid < grandchild]
    return (earlier[0] if earlier else None), grandchild


def judge_subreaper(held: Held, middle: int | None, grandchild: int, zombies: dict) -> None:
    ex, probe, me = held.ex, held.probe, held.pid
    adopter = zombies[grandchild][0].ppid
    with ex.check("adopts-grandchild"):
        require(adopter == me, f"the grandchild {grandchild} was adopted by PID {adopter} "
                               f"({comm(probe, adopter)}), not by subreaper.py (PID {me})")
        said = lines_matching(held.prog, r"adopted (\d+) by (\d+)")
        require(said, "the grandchild never printed its adopted line")
        claim = (int(said[0].group(1)), int(said[0].group(2)))
        require(claim == (grandchild, me),
                f"it printed 'adopted {claim[0]} by {claim[1]}'; "
                f"expected 'adopted {grandchild} by {me}'")
        # An orphan, not a child from birth: forked by subreaper.py's child, whose parent the
        # kernel made it (clone with CLONE_PARENT would make it subreaper.py's at once).
        record = probe.record()
        born = record.of(grandchild)
        forker = record.life(born.creator) if born.creator else None
        require(born.creator != me, f"the grandchild {grandchild} was forked by subreaper.py "
                                    f"(PID {me}) itself, not by its child")
        require(forker is not None and forker.creator == me and not forker.thread,
                f"the grandchild {grandchild} was forked by PID {born.creator}, not by a child "
                f"of subreaper.py (PID {me})")
        require(born.parent == born.creator,
                f"the grandchild {grandchild} was made PID {born.parent}'s child at birth "
                f"(clone with CLONE_PARENT), so it was never orphaned")
        require(not (unknown := not_told(record, grandchild, born.creator,
                                         f"adopted {grandchild} by {me}")), unknown)
    with ex.check("reports-statuses"):
        judge_reaped_lines(held, middle, grandchild, zombies)
    with ex.check("no-zombies"):
        family = {p.pid for p in started_by(probe, me)}
        left = [p for p in probe.snapshot().values() if p.pid in family]
        require(not left, "subreaper.py exited and left behind: "
                          + "; ".join(p.described for p in left))
        status = exit_status(held, me)
        require(status == 0, f"subreaper.py {describe_status(status)}")


def family_story(probe, me: int) -> str:
    procs = probe.snapshot()
    family = started_by(probe, me)
    if not family:
        return "no process started by subreaper.py"
    return "; ".join(procs[p.pid].described if p.pid in procs else f"PID {p.pid} (gone)"
                     for p in family)


def judge_reaped_lines(held: Held, middle: int | None, grandchild: int, zombies: dict) -> None:
    me = held.pid
    reports = [(int(m.group(1)), int(m.group(2)))
               for m in lines_matching(held.prog, r"reaped (\d+) status (-?\d+)")]
    pids = [pid for pid, _ in reports]
    require(len(pids) == len(set(pids)), f"some were reported twice: {pids}")
    require(grandchild in pids, f"no reaped line for the grandchild {grandchild}")
    others = [pid for pid in pids if pid != grandchild]
    if middle is None:
        # The middle child came and went between two polls; it can only have a PID between
        # subreaper.py's and the grandchild's that the kernel never showed as anything else.
        seen = first_seen(held.probe)
        middle = next((pid for pid in others if me < pid < grandchild and pid not in seen), None)
    require(middle in pids, f"no reaped line for the child it forked (the PIDs reported: {pids})")
    strangers = [pid for pid in others if pid != middle]
    require(not strangers, "it reported PIDs that were neither its child nor its grandchild: "
                           f"{strangers}")
    expected = {middle: 0, grandchild: GRANDCHILD_STATUS}
    for pid, printed in reports:
        proc, kernel = zombies.get(pid, (None, None))
        who = "child" if pid == middle else "grandchild"
        if kernel is not None:   # caught as a zombie while subreaper.py was stopped
            require(proc.ppid == me, f"the {who} {pid} was PID {proc.ppid}'s zombie, not "
                                     f"subreaper.py's: its status never reached subreaper.py")
            require(printed == kernel, f"it printed status {printed} for the {who} {pid}, "
                                       f"whose exit code was {kernel}")
        require(printed == expected[pid], f"it printed status {printed} for the {who} {pid}; "
                                          f"the {who} must exit {expected[pid]}")


# --- daemon.py -------------------------------------------------------------------------------
DAEMON_CHECKS = ("launcher-returns", "pidfile", "own-session", "not-session-leader", "cwd-root",
                 "stdio-devnull", "sigterm-cleanup")


@exercise("daemon.py")
def daemon(ex):
    pidfile = f"/tmp/lab2-{uuid.uuid4().hex[:8]}.pid"
    held = run_held(ex, pidfile)
    with ex.check("launcher-returns"):
        judge_launcher(ex, held)
    with ex.checks(*DAEMON_CHECKS):   # without a daemon, nothing else can be judged
        daemon_pid, in_file = find_daemon(ex, held, pidfile)
        with ex.check("pidfile"):
            require(in_file is not None, f"{pidfile} was not written, or held no PID, "
                                         f"{ex.timeout('pidfile'):g} s after the launcher exited")
            require(in_file == daemon_pid,
                    f"{pidfile} holds {in_file}, but the daemon is PID {daemon_pid}")
        proc, details = held.probe.get(daemon_pid), held.probe.details(daemon_pid)
        require(alive(proc), f"the daemon (PID {daemon_pid}) died while the grader looked at it")
        judge_detached(held, proc)
        judge_settled(held, details)
        judge_sigterm(ex, held, daemon_pid, pidfile)


def judge_launcher(ex, held: Held) -> None:
    probe, launcher = held.probe, held.pid
    started = probe.first_time(launcher, lambda p: True)   # the first poll that saw it
    last_alive = watch_alive(probe, launcher, ex.timeout("launcher-returns"))
    require(not alive(probe.get(launcher)),
            f"the launcher was still running {ex.timeout('launcher-returns'):g} s after it started")
    ran = (last_alive or started) - started
    require(ran <= LAUNCHER_LIMIT, f"the launcher ran for at least {ms(ran)}")
    status = exit_status(held, launcher)
    require(status == 0, f"the launcher {describe_status(status)}")


def judge_detached(held: Held, proc) -> None:
    ex, probe = held.ex, held.probe
    with ex.check("own-session"):
        require(proc.session != held.holder,
                f"the daemon is still in the terminal's session (session {proc.session}): "
                "nothing called setsid()")
        require(proc.tty == 0, f"the daemon's controlling terminal is {tty_name(proc.tty)}")
    with ex.check("not-session-leader"):
        require(proc.session != proc.pid,
                f"the daemon (PID {proc.pid}) leads its session (session ID {proc.session}): "
                "it would acquire the next terminal it opens")
        require(proc.ppid == 1, f"the daemon's parent is PID {proc.ppid} ({comm(probe, proc.ppid)}); "
                                "it should have exited, leaving the daemon to PID 1")


def judge_settled(held: Held, details: dict) -> None:
    ex = held.ex
    with ex.check("cwd-root"):
        require(details.get("cwd") == "/", f"the daemon's working directory is {details.get('cwd')}")
    with ex.check("stdio-devnull"):
        fds = details.get("fds", {})
        wrong = [f"{fd} is {fds[str(fd)]}" if str(fd) in fds else f"{fd} is closed"
                 for fd in (0, 1, 2) if fds.get(str(fd)) != "/dev/null"]
        require(not wrong, "the daemon's file descriptors: " + ", ".join(wrong))


def judge_sigterm(ex, held: Held, daemon_pid: int, pidfile: str) -> None:
    with ex.check("sigterm-cleanup"):
        held.signal(daemon_pid, "TERM")
        require(wait_dead(held.probe, daemon_pid, ex.timeout("sigterm-cleanup")),
                f"the daemon was still running {ex.timeout('sigterm-cleanup'):g} s after SIGTERM")
        status = exit_status(held, daemon_pid)
        require(status is not None, "the daemon's exit status could not be read")
        require(status == 0, f"on SIGTERM the daemon {describe_status(status)}")
        require(not file_exists(held, pidfile), f"{pidfile} was still there after the daemon exited")


def find_daemon(ex, held: Held, pidfile: str) -> tuple[int, int | None]:
    """The daemon (the learner's process still running after the launcher's exit) and the PID
    in PIDFILE, waiting a little for the daemon to write it."""
    probe = held.probe
    deadline = time.monotonic() + ex.timeout("pidfile")
    while True:
        running = [p.pid for p in started_by(probe, held.pid) if alive(probe.get(p.pid))]
        in_file = read_pidfile(held, pidfile)
        if (in_file is not None and in_file in running) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    require(running, "no process of the launcher's was left running after it exited")
    return (in_file if in_file in running else running[0]), in_file


def read_pidfile(held: Held, path: str) -> int | None:
    code, text = held.sandbox.exec_output("cat", "--", path)
    return int(text.strip()) if code == 0 and text.strip().isdigit() else None


def file_exists(held: Held, path: str) -> bool:
    return held.sandbox.exec_output("test", "-e", path)[0] == 0
