"""Lab 2's graded scenarios: orphans, a subreaper and a daemon, judged from the kernel's /proc
and its record of each process (who forked it, what getppid() told it, who wrote each line).

Every program runs under a small trusted stand-in for a shell (holder.py, next to this file,
passed to `python3 -I -c`; it starts the learner's program by its language's command, python3
orphan.py or the compiled binary by its path) instead of being the `docker exec` process itself, for
three reasons:
  - docker closes the terminal as soon as the exec'd process exits, and output written after
    that is lost; an orphan speaks after its parent's exit, so someone must keep the session;
  - a session leader's exit hangs up the terminal (SIGHUP to its foreground group), which
    would kill the orphan before it could be adopted; under a shell, programs are not leaders;
  - the holder never reaps the program, so its exit status stays readable in /proc, and it
    can keep the program at the starting line until the grader is ready.

Races are provoked, not hoped for: the grader stops the terminal's output (Ctrl-S), so a
parent that prints is held inside print() for as long as the grader wants, alive, and a child
that guesses how long its parent lives is caught. Timing is judged from the kernel's times of
births, exits and SIGCONTs, less the time the process spent waiting for a CPU (its schedstat),
so a busy machine never makes a correct program look slow.

Orphan and subreaper are also run once with their stdout on a file, as a pipeline or a log
would have it: there stdio buffers whole blocks, not lines, so a line a C program never flushed
before _exit() is lost, and one buffered before fork() comes out twice. Those runs judge only
that each line the terminal runs judge reaches the file exactly once.
"""
import re
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from grader.scenario import CheckFailed, Exercise, InfraError, Probe, Program, Verdicts, exercise, ms, require

PROGRAM_MARK = "zombielab-program"
EXITED_MARK = "zombielab-exited"
NOTICE_LIMIT = 1.0          # seconds an orphan may take to notice its adoption
LAUNCHER_LIMIT = 1.0        # seconds the daemon's launcher may run

# The holder's source, for python3 -c; its arguments: MODE PROGRAM ARGS... (see its docstring).
HOLDER = (Path(__file__).resolve().parent / "holder.py").read_text()


# --- running a program under the holder ------------------------------------------------------
@dataclass
class Held:
    """A learner's program started by the holder: prog is the terminal session (the holder's),
    pid the program's own PID."""
    ex: Exercise
    image: str
    prog: Program
    pid: int
    subreaper: bool = False   # the holder becomes a child subreaper at the gate

    @property
    def probe(self) -> Probe:
        return self.ex.probe_in(self.image)

    @property
    def holder(self) -> int:
        return self.prog.pid

    def open_gate(self) -> None:
        self.prog.send_line("go subreaper" if self.subreaper else "go")

    def signal(self, pids: int | list[int], signame: str) -> None:
        self.ex.signal(pids, signame, image=self.image)


def run_held(ex, *args, image=None, gated=False, subreaper=False, stdout=None) -> Held:
    """A program under the holder; `subreaper` (gated runs only) is told at the gate; `stdout`:
    a file in the container for the program's standard output instead of the terminal."""
    image = image or ex.image
    prog = ex.run(image=image, stdout=stdout,
                  command=["python3", "-I", "-c", HOLDER, "gated" if gated else "plain",
                           *ex.command(*args)])
    pid = int(prog.expect_line(rf"{PROGRAM_MARK} (\d+)", 30, "its PID").group(1))
    return Held(ex, image, prog, pid, subreaper)


# --- reading the kernel ------------------------------------------------------------------------
def alive(proc) -> bool:
    return proc is not None and proc.state != "Z"


def dead_in(procs, pid: int) -> bool:
    return pid not in procs or procs[pid].state == "Z"


def wait_dead(probe, pid: int, timeout: float) -> bool:
    return probe.wait_for(lambda procs: dead_in(procs, pid), timeout) is not None


def wait_family_gone(probe, pid: int, timeout: float) -> bool:
    """Whether, within timeout, nothing pid started runs any more (see started_by)."""
    return probe.wait_for(lambda procs: all(dead_in(procs, other)
                                            for other in started_by(probe, pid)),
                          timeout) is not None


def exit_status(held: Held, pid: int) -> int | None:
    """The exit code of a zombie (as waitstatus_to_exitcode gives it: -N for signal N), from
    the kernel's record; None when the process is not a zombie (any more)."""
    proc = held.probe.get(pid)
    if proc is None or proc.state != "Z":
        return None
    return held.probe.record().of(pid).exit_code


def describe_status(code: int | None) -> str:
    if code is None:
        return "left no exit status to read"
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with status {code}"


def started_by(probe, pid: int) -> list[int]:
    """The processes forked in the container since pid was (pid excluded), in fork order.

    A fresh container holds nothing else of the learner's, so these are pid's descendants;
    what the grader runs with docker exec (cat, the probe's details) comes from outside."""
    record = probe.record()
    root = record.life(pid)
    if root is None or root.born is None:
        return []
    return [life.pid for life in record.processes(after=root.born)
            if life.pid != pid and life.creator]


def comm(probe, pid: int) -> str:
    proc = probe.get(pid)
    return proc.comm if proc else "?"


def tty_name(tty_nr: int) -> str:
    major, minor = (tty_nr >> 8) & 0xFFF, (tty_nr & 0xFF) | ((tty_nr >> 12) & 0xFFF00)
    return f"/dev/pts/{minor}" if 136 <= major <= 143 else f"terminal {major}:{minor}"


def lines_matching(prog: Program, pattern: str) -> list[re.Match]:
    return [m for m in (re.fullmatch(pattern, line.strip()) for line in prog.lines()) if m]


def output_file() -> str:
    return f"/tmp/lab2-{uuid.uuid4().hex[:8]}.out"


def file_lines_matching(held: Held, path: str, pattern: str) -> list[re.Match]:
    text = held.probe.read_file(path, held.ex.output_limit) or ""
    return [m for m in (re.fullmatch(pattern, line.strip()) for line in text.splitlines()) if m]


ON_A_FILE = ("its stdout was a file here, not a terminal (as in a pipeline or a log), so stdio "
             "buffered whole blocks: what is not flushed before _exit() is lost, and what is "
             "still buffered at fork() is written once by each process")


def times_in_file(what: str, count: int) -> str:
    said = "never reached the file" if count == 0 else f"came out {count} times"
    return f"{what} {said}: {ON_A_FILE}"


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
    to_file: bool = False   # stdout on a file: no hold (a file never stops), lines counted


ORPHAN_RUNS = [
    OrphanRun("in the no-init container (PID 1 is `sleep`, which never reaps)", "noinit",
              subreaper=False, hold=1.0),
    OrphanRun("in the tini container (PID 1 is tini)", "tini", subreaper=False, hold=0.5),
    OrphanRun("under a subreaper (the adopter is not PID 1)", "tini", subreaper=True, hold=2.5),
    OrphanRun("with its stdout on a file", "noinit", subreaper=False, hold=0.0, to_file=True),
]
ORPHAN_CHECKS = ("orphaned-child", "reports-adopter", "adopted-promptly")


@exercise("orphan.py")
def orphan(ex):
    runs = []   # (run, its verdicts) for each run made
    for run in ORPHAN_RUNS:
        verdicts = ex.new_verdicts()
        # A run that cannot go on fails every check it left unjudged.
        with ex.step(), verdicts.needed_by(*ORPHAN_CHECKS):
            (observe_orphan_on_file if run.to_file else observe_orphan)(ex, run, verdicts)
        runs.append((run, verdicts))
        if all(failed_in_a_run(runs, check_id) for check_id in ORPHAN_CHECKS):
            break   # every check has failed: no further run can change a verdict
    for check_id in ORPHAN_CHECKS:
        with ex.check(check_id):
            require(not failed_in_a_run(runs, check_id), runs_story(runs, check_id))


def failed_in_a_run(runs: list, check_id: str) -> bool:
    return any(verdicts.failed(check_id) for _, verdicts in runs)


def runs_story(runs: list, check_id: str) -> str:
    """What went wrong in which run, said once when every run saw the same."""
    failures = [(run.where, verdicts.by_check[check_id].observed)
                for run, verdicts in runs if verdicts.failed(check_id)]
    if len(failures) == len(ORPHAN_RUNS) and len({what for _, what in failures}) == 1:
        return f"in every run: {failures[0][1]}"
    return "; ".join(f"{where}: {what}" for where, what in failures)


def observe_orphan(ex, run: OrphanRun, verdicts: Verdicts) -> None:
    """One run: the parent held inside its print, its exit, then its child's adoption, what the
    child says of it and how soon."""
    held = run_held(ex, image=run.image, gated=True, subreaper=run.subreaper)
    family = hold_parent_in_print(held, run.hold, ex.timeout("orphaned-child"))
    child = read_parent_line(ex, held)
    died = judge_parent_exit(ex, held, verdicts)
    adopter = adopter_of(held.probe, child, held.pid)
    waiting = held.probe.cpu_wait(child)   # stopped, it waits for no CPU till SIGCONT
    held.signal(family, "CONT")
    reported = read_adopted_line(ex, held, child, verdicts)
    # A child that lingers after its line is late too.
    wait_dead(held.probe, child, NOTICE_LIMIT + 1)
    waited = waiting()
    record = held.probe.record()
    ran = ran_after_adoption(held.probe, record.of(child), died, waited)
    judge_adopter(held, verdicts, record, child, adopter, reported)
    judge_prompt(held, verdicts, child, ran)


def observe_orphan_on_file(ex, run: OrphanRun, verdicts: Verdicts) -> None:
    """One run with stdout on a file: each line must reach it exactly once. What the lines say,
    and when, is judged in the terminal runs; a parent or child that never ends is left to them."""
    out = output_file()
    held = run_held(ex, image=run.image, stdout=out)
    probe = held.probe
    if not wait_dead(probe, held.pid, ex.timeout("orphaned-child")):
        return
    parents = file_lines_matching(held, out, r"parent \d+ child (\d+)")
    if len(parents) != 1:
        verdicts.fail("orphaned-child", times_in_file("the parent's line", len(parents)))
    family = started_by(probe, held.pid)
    child = int(parents[0].group(1)) if parents else (family[0] if family else None)
    if child is None or not wait_family_gone(probe, held.pid, ex.timeout("reports-adopter")):
        return
    adopted = file_lines_matching(held, out, rf"adopted {child} by (\d+)")
    if len(adopted) != 1:
        verdicts.fail("reports-adopter", times_in_file(f"child {child}'s adopted line",
                                                       len(adopted)))


def hold_parent_in_print(held: Held, hold: float, timeout: float) -> list[int]:
    """Start the program with the terminal stopped, keep its parent inside its print for `hold`
    seconds after its fork, then stop everything it started and let output flow: the family,
    stopped."""
    held.prog.stop_output()
    held.open_gate()   # after Ctrl-S: the program starts with the terminal already stopped
    # The hold counts from the fork, not from the start: on a loaded machine the parent may not
    # have forked yet, and a child forked after the family is stopped would run free.
    held.probe.wait_for(lambda procs: started_by(held.probe, held.pid) or dead_in(procs, held.pid),
                        timeout)
    time.sleep(hold)
    # Stop everything the parent started before letting output flow: only the parent's line
    # comes out (no other writer can cut into it), and the child, stopped, stays to be seen
    # with its new parent however fast its adopter reaps.
    family = stop_family(held)
    require(not dead_in(held.probe.snapshot(), held.pid),
            "the parent exited without printing its line: nothing it writes can get out while "
            "the terminal is stopped (unless it changed the terminal's settings)")
    held.prog.resume_output()
    return family


def stop_family(held: Held) -> list[int]:
    procs = held.probe.snapshot()
    family = [pid for pid in started_by(held.probe, held.pid) if alive(procs.get(pid))]
    held.signal(family, "STOP")
    held.probe.wait_for(lambda procs: all(dead_in(procs, pid) or procs[pid].state == "T"
                                          for pid in family), 2)
    return family


def read_parent_line(ex, held: Held) -> int:
    """The child named in the parent's line, checked against the kernel."""
    line = held.prog.expect_line(r"parent (\d+) child (\d+)", ex.timeout("orphaned-child"),
                                 '"parent <pid> child <cpid>"')
    parent, child = int(line.group(1)), int(line.group(2))
    require(parent == held.pid, f"it printed parent {parent}, but the parent's PID is {held.pid}")
    record = held.probe.record()
    children = [life.pid for life in record.processes(after=record.of(held.pid).born)
                if life.parent == held.pid]
    require(child in children, f"it named child {child}, but the parent's children were "
                               f"{children or 'none'}")
    return child


def judge_parent_exit(ex, held: Held, verdicts: Verdicts) -> float:
    """When the parent exited (the kernel's time); it must exit soon after its line, with 0."""
    timeout = ex.timeout("orphaned-child")
    require(wait_dead(held.probe, held.pid, timeout),
            f"the parent was still running {timeout:g} s after printing its line, so its child "
            "never became an orphan")
    # Gone from /proc a moment before the recorder, busy, has delivered the exit: wait for it.
    died = held.probe.record_when(lambda record: record.of(held.pid).ended is not None,
                                  timeout).of(held.pid).ended
    if died is None:
        raise InfraError(f"the process recorder never reported the parent's exit (PID {held.pid})")
    status = exit_status(held, held.pid)
    if status != 0:
        verdicts.fail("orphaned-child", f"the parent {describe_status(status)}")
    return died


def adopter_of(probe: Probe, child: int, parent: int) -> int | None:
    """The child's parent once its own has exited, or None if it was gone first. The kernel
    reparents the children before their parent is a zombie; the child, stopped, is still
    there to show its new parent."""
    procs = probe.snapshot()
    if child in procs and procs[child].ppid not in (parent, 0):
        return procs[child].ppid
    return None


def read_adopted_line(ex, held: Held, child: int, verdicts: Verdicts) -> int | None:
    """The adopter the child's line names, or None if it wrote no such line."""
    try:
        line = held.prog.expect_line(rf"adopted {child} by (\d+)", ex.timeout("reports-adopter"),
                                     f'"adopted {child} by <ppid>"')
    except CheckFailed as failure:
        verdicts.fail("reports-adopter", str(failure))
        return None
    return int(line.group(1))


def ran_after_adoption(probe: Probe, life, died: float, waited: float) -> float:
    """How long the child ran from the moment it could notice its adoption (its parent gone,
    itself running again) until it exited, or until now, less the time it waited for a CPU."""
    could_notice = max(died, life.resumed or died)
    return (life.ended or probe.now()) - could_notice - waited


def judge_adopter(held: Held, verdicts: Verdicts, record, child: int, adopter: int | None,
                  reported: int | None) -> None:
    if adopter is None:
        verdicts.fail("orphaned-child", f"the kernel never gave child {child} a new parent: "
                                        "it was gone before its parent")
        verdicts.fail("reports-adopter", f"child {child} was never adopted")
    elif reported is not None and reported != adopter:
        whose = " (its original parent)" if reported == held.pid else ""
        verdicts.fail("reports-adopter", f"the child said it was adopted by {reported}{whose}, "
                                         f"but the kernel gave it to PID {adopter} "
                                         f"({comm(held.probe, adopter)})")
    elif reported is not None:
        unknown = not_told(record, child, held.pid, f"adopted {child} by {reported}")
        if unknown:
            verdicts.fail("reports-adopter", unknown)


def judge_prompt(held: Held, verdicts: Verdicts, child: int, ran: float) -> None:
    if ran > NOTICE_LIMIT:
        verdicts.fail("adopted-promptly", f"child {child} was still running {ms(ran)} after it "
                                          "was adopted (not counting time it waited for a CPU)")
    status = exit_status(held, child)   # readable where the adopter does not reap
    if status not in (None, 0):
        verdicts.fail("adopted-promptly", f"child {child} {describe_status(status)}")


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


# --- subreaper.py ----------------------------------------------------------------------------
SUBREAPER_CHECKS = ("adopts-grandchild", "reports-statuses", "no-zombies")
GRANDCHILD_STATUS = 3
ADOPTED_LINE = r"adopted (\d+) by (\d+)"   # the grandchild's line, as subreaper.py prints it
REAPED_LINE = r"reaped (\d+) status (-?\d+)"


@exercise("subreaper.py")
def subreaper(ex):
    """The middle child may be gone before /proc can be read, so the scenario never counts on
    seeing it there (the kernel's record has it). What it counts on: with the terminal stopped,
    the grandchild cannot get past its print, so stopping subreaper.py as soon as anything of
    its family shows up makes every death that follows a zombie subreaper.py cannot reap, which
    the grader reads at leisure: who its parent was at the end, and its exit status.

    A first run has its stdout on a file: what it finds there fails its checks after the
    terminal run's own findings."""
    with ex.step():
        on_file = subreaper_on_file(ex)
    held = run_held(ex, gated=True)
    held.prog.stop_output()
    held.open_gate()
    with ex.needed_by(*SUBREAPER_CHECKS):   # if the family never forms, nothing can be judged
        stop_when_family_appears(ex, held)
        held.prog.resume_output()
        family = wait_family_dead(ex, held)
        zombies = {pid: (held.probe.get(pid), exit_status(held, pid)) for pid in family}
        held.signal(held.pid, "CONT")
        held.prog.expect_line(EXITED_MARK, ex.timeout("no-zombies"), f"the end of {ex.file}")
        middle, grandchild = identify_family(held, family, zombies)
        judge_subreaper(held, middle, grandchild, zombies, on_file)


def subreaper_on_file(ex) -> dict[str, str]:
    """Run subreaper.py with its stdout on a file: {check: what was wrong there}. Each line must
    reach the file exactly once; a program that never ends is left to the terminal run."""
    out = output_file()
    held = run_held(ex, stdout=out)
    probe, me = held.probe, held.pid
    if not (wait_dead(probe, me, ex.timeout("no-zombies") + ex.timeout("adopts-grandchild"))
            and wait_family_gone(probe, me, ex.timeout("adopts-grandchild"))):
        return {}
    found = {}
    adopted = file_lines_matching(held, out, ADOPTED_LINE)
    if len(adopted) != 1:
        found["adopts-grandchild"] = times_in_file("the grandchild's adopted line", len(adopted))
    reaped = [int(m.group(1)) for m in file_lines_matching(held, out, REAPED_LINE)]
    family = started_by(probe, me)[:2]
    for pid in family:
        if reaped.count(pid) != 1:
            found["reports-statuses"] = times_in_file(f"the reaped line for PID {pid}",
                                                      reaped.count(pid))
            break
    return found


def stop_when_family_appears(ex, held: Held) -> None:
    probe, me = held.probe, held.pid
    timeout = ex.timeout("adopts-grandchild")
    probe.wait_for(lambda procs: started_by(probe, me) or dead_in(procs, me), timeout)
    ended = "exited" if dead_in(probe.snapshot(), me) else f"ran {timeout:g} s"
    require(started_by(probe, me), f"{ex.file} {ended} without starting any process")
    held.signal(me, "STOP")
    probe.wait_for(lambda procs: dead_in(procs, me) or procs[me].state == "T", 2)


def wait_family_dead(ex, held: Held) -> list:
    """Every process of subreaper.py's family (their PIDs), once none of them runs any more."""
    probe, me = held.probe, held.pid

    timeout = ex.timeout("adopts-grandchild")
    # Twice: a process forked while the probe read the table could be missing from one reading.
    settled = wait_family_gone(probe, me, timeout) and wait_family_gone(probe, me, timeout)
    require(settled, f"{timeout:g} s after the terminal ran again, the kernel still showed "
                     f"{family_story(probe, me, ex.file)}")
    return started_by(probe, me)


def identify_family(held: Held, family: list, zombies: dict) -> tuple[int | None, int]:
    """(middle child or None, grandchild). The grandchild is the one that printed its adoption
    and was a zombie when the grader looked (subreaper.py, stopped, could not reap it); the
    middle child is the first one forked, if any was forked before the grandchild."""
    said = lines_matching(held.prog, ADOPTED_LINE)
    named = {int(m.group(1)) for m in said}
    caught = [pid for pid in family if zombies[pid][1] is not None]
    grandchild = next((pid for pid in caught if pid in named), caught[-1] if caught else None)
    require(grandchild is not None, f"no process of {held.ex.file}'s family was left as a "
                                    "zombie while it was stopped: the kernel showed "
                                    + family_story(held.probe, held.pid, held.ex.file))
    earlier = family[:family.index(grandchild)]
    return (earlier[0] if earlier else None), grandchild


def judge_subreaper(held: Held, middle: int | None, grandchild: int, zombies: dict,
                    on_file: dict[str, str]) -> None:
    ex, probe, me = held.ex, held.probe, held.pid
    adopter = zombies[grandchild][0].ppid
    with ex.check("adopts-grandchild"):
        require(adopter == me, f"the grandchild {grandchild} was adopted by PID {adopter} "
                               f"({comm(probe, adopter)}), not by {ex.file} (PID {me})")
        require_adopted_line(held, grandchild)
        require_orphaned(probe.record(), grandchild, me, ex.file)
        require("adopts-grandchild" not in on_file, on_file.get("adopts-grandchild"))
    with ex.check("reports-statuses"):
        judge_reaped_lines(held, middle, grandchild, zombies)
        require("reports-statuses" not in on_file, on_file.get("reports-statuses"))
    with ex.check("no-zombies"):
        family = set(started_by(probe, me))
        left = [p for p in probe.snapshot().values() if p.pid in family]
        require(not left, f"{ex.file} exited and left behind: "
                          + "; ".join(p.described for p in left))
        status = exit_status(held, me)
        require(status == 0, f"{ex.file} {describe_status(status)}")


def require_adopted_line(held: Held, grandchild: int) -> None:
    """The grandchild's first adopted line names it and subreaper.py."""
    said = lines_matching(held.prog, ADOPTED_LINE)
    require(said, "the grandchild never printed its adopted line")
    claim = (int(said[0].group(1)), int(said[0].group(2)))
    require(claim == (grandchild, held.pid),
            f"it printed 'adopted {claim[0]} by {claim[1]}'; "
            f"expected 'adopted {grandchild} by {held.pid}'")


def require_orphaned(record, grandchild: int, me: int, name: str) -> None:
    """An orphan, not a child from birth: forked by subreaper.py's child, whose parent the
    kernel made it (clone with CLONE_PARENT would make it subreaper.py's at once), and told its
    new parent by getppid()."""
    born = record.of(grandchild)
    forker = record.life(born.creator) if born.creator else None
    require(born.creator != me, f"the grandchild {grandchild} was forked by {name} "
                                f"(PID {me}) itself, not by its child")
    require(forker is not None and forker.creator == me and not forker.thread,
            f"the grandchild {grandchild} was forked by PID {born.creator}, not by a child "
            f"of {name} (PID {me})")
    require(born.parent == born.creator,
            f"the grandchild {grandchild} was made PID {born.parent}'s child at birth "
            f"(clone with CLONE_PARENT), so it was never orphaned")
    require(not (unknown := not_told(record, grandchild, born.creator,
                                     f"adopted {grandchild} by {me}")), unknown)


def family_story(probe, me: int, name: str) -> str:
    procs = probe.snapshot()
    family = started_by(probe, me)
    if not family:
        return f"no process started by {name}"
    return "; ".join(procs[pid].described if pid in procs else f"PID {pid} (gone)"
                     for pid in family)


def judge_reaped_lines(held: Held, middle: int | None, grandchild: int, zombies: dict) -> None:
    me = held.pid
    reports = [(int(m.group(1)), int(m.group(2)))
               for m in lines_matching(held.prog, REAPED_LINE)]
    require_each_reported_once([pid for pid, _ in reports], middle, grandchild)
    expected = {middle: 0, grandchild: GRANDCHILD_STATUS}
    for pid, printed in reports:
        proc, kernel = zombies.get(pid, (None, None))
        who = "child" if pid == middle else "grandchild"
        if kernel is not None:   # caught as a zombie while subreaper.py was stopped
            require(proc.ppid == me, f"the {who} {pid} was PID {proc.ppid}'s zombie, not "
                                     f"{held.ex.file}'s: its status never reached it")
            require(printed == kernel, f"it printed status {printed} for the {who} {pid}, "
                                       f"whose exit code was {kernel}")
        require(printed == expected[pid], f"it printed status {printed} for the {who} {pid}; "
                                          f"the {who} must exit {expected[pid]}")


def require_each_reported_once(pids: list[int], middle: int | None, grandchild: int) -> None:
    """The reaped lines name the child and the grandchild, once each, and no one else."""
    require(len(pids) == len(set(pids)), f"some were reported twice: {pids}")
    require(grandchild in pids, f"no reaped line for the grandchild {grandchild}")
    others = [pid for pid in pids if pid != grandchild]
    require(middle in pids, f"no reaped line for the child it forked (the PIDs reported: {pids})")
    strangers = [pid for pid in others if pid != middle]
    require(not strangers, "it reported PIDs that were neither its child nor its grandchild: "
                           f"{strangers}")


# --- daemon.py -------------------------------------------------------------------------------
DAEMON_CHECKS = ("launcher-returns", "pidfile", "own-session", "not-session-leader", "cwd-root",
                 "stdio-devnull", "sigterm-cleanup")


@exercise("daemon.py")
def daemon(ex):
    pidfile = f"/tmp/lab2-{uuid.uuid4().hex[:8]}.pid"
    held = run_held(ex, pidfile)
    with ex.check("launcher-returns"):
        judge_launcher(ex, held)
    with ex.needed_by(*DAEMON_CHECKS):   # without a daemon, nothing else can be judged
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
    require(wait_dead(probe, launcher, ex.timeout("launcher-returns")),
            f"the launcher was still running {ex.timeout('launcher-returns'):g} s after it started")
    life = probe.record().of(launcher)
    ran = life.ended - life.born - probe.cpu_waited(launcher)
    require(ran <= LAUNCHER_LIMIT, f"the launcher ran for {ms(ran)} (not counting time it "
                                   "waited for a CPU)")
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
        adopter = ex.sandbox.adopter   # PID 1; the grader, where there is no container
        require(proc.ppid == adopter, f"the daemon's parent is PID {proc.ppid} "
                                      f"({comm(probe, proc.ppid)}); it should have exited, "
                                      f"leaving the daemon to be adopted by PID {adopter}")


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
        running = [pid for pid in started_by(probe, held.pid) if alive(probe.get(pid))]
        in_file = read_pidfile(held, pidfile)
        if (in_file is not None and in_file in running) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    require(running, "no process of the launcher's was left running after it exited")
    return (in_file if in_file in running else running[0]), in_file


def read_pidfile(held: Held, path: str) -> int | None:
    text = (held.probe.read_file(path, 64) or "").strip()
    return int(text) if text.isdigit() else None


def file_exists(held: Held, path: str) -> bool:
    return held.probe.read_file(path, 0) is not None
