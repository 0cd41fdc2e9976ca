"""Lab 3's graded scenarios: each drives a program and asks the kernel what it did.

Who forked, reaped or wrote what, and with which exit status, comes from the kernel's own record
(grader/recorder.py): an invented status or a child nobody reaped shows there whatever the
program prints. Timing checks take the kernel's times of each exit and reaping, less the time
the reaper spent waiting for a CPU (its schedstat), so a busy machine never makes a correct
program look slow. Races are provoked, not hoped for: the coalescing of SIGCHLD is forced by
stopping the server while its children exit.

The learner's program is zombie.py or zombie.c alike (ex.command starts either), and every
exercise runs at least once with its standard output in a file, as a pipeline or a log has it:
there a C program's stdio buffers whole blocks, and a line it does not flush is not written yet.
"""
import re
import statistics
import time

from grader.scenario import CheckFailed, InfraError, exercise, ms, require

REAPED = r"reaped (\d+) status (-?\d+)"
STARTED = r"started (\d+)"
PROMPT_MS = 100
OUTPUT_FILE = "/tmp/stdout.txt"   # in the container; where a run's stdout goes when not a terminal


def listing(procs) -> str:
    return "; ".join(p.described for p in procs) or "none"


def not_reaped_by(life, reaper: int) -> str | None:
    """Why the kernel's record says `reaper` did not collect this child's status, or None."""
    if life is None:
        return "the kernel has no record of it"
    if life.discarded:
        return (f"nobody reaped PID {life.pid}: SIGCHLD was ignored, so the kernel discarded it")
    if life.reaped_by != reaper:
        return f"PID {life.pid} was {life.fate}, not by PID {reaper}"
    return None


def status_mismatches(record, reports, name: str) -> list[str]:
    """Printed statuses held against the kernel's: each must be the one the child exited with."""
    return [f"PID {pid} {record.life(pid).ending}; {name} printed status {code}"
            for pid, code in reports
            if record.life(pid) is not None and record.life(pid).exit_code != code]


def reaped_reports(lines: list[str]) -> list[tuple[int, int]]:
    return [(int(m.group(1)), int(m.group(2)))
            for m in map(lambda line: re.fullmatch(REAPED, line.strip()), lines) if m]


def written_lines(ex) -> list[str]:
    """What the program has written so far into OUTPUT_FILE, as lines."""
    return (ex.probe.read_file(OUTPUT_FILE, ex.output_limit) or "").split("\n")


def expect_written(ex, pattern: str, timeout: float, what: str, after: int = 0) -> re.Match:
    """Wait for a whole line matching pattern among the lines written into OUTPUT_FILE (from
    line `after` on): the program's stdout is a file there, not a terminal, so a line it
    leaves in its stdio buffer is not in the file yet."""
    ends = time.monotonic() + timeout
    while True:
        lines = written_lines(ex)
        found = [m for m in (re.fullmatch(pattern, line.strip()) for line in lines[after:]) if m]
        if found:
            return found[0]
        if time.monotonic() >= ends:
            tail = [line.strip() for line in lines if line.strip()][-3:]
            raise CheckFailed(
                f"{ex.file} did not write {what} within {timeout:g} s with its output going to "
                "a file instead of a terminal (as in a pipeline or a log), "
                + (f"where its last lines were: {' | '.join(tail)}" if tail else
                   "which stayed empty")
                + ". On a file or a pipe stdio buffers whole blocks: flush each line "
                  "(fflush(stdout) in C, flush=True in Python)")
        time.sleep(0.02)


# --- zombie.py ------------------------------------------------------------------------------
ZOMBIE_CHECKS = ("zombie-is-child", "one-zombie", "ctrl-c-clears")


@exercise("zombie.py")
def zombie(ex):
    # Under a terminal, then with its stdout in a file (as in a pipeline or a log), where a line
    # it does not flush waits in its buffer: the zombie line must be there while it waits for
    # Ctrl-C, not only once it exits. A check passes only if it passes both ways.
    runs = []
    for stdout in (None, OUTPUT_FILE):
        verdicts = ex.new_verdicts()
        with ex.step():
            observe_zombie(ex, verdicts, stdout)
        runs.append(verdicts)
        if any(verdicts.failed(check_id) for check_id in ZOMBIE_CHECKS):
            break   # what failed under the terminal is the story to tell
    for check_id in ZOMBIE_CHECKS:
        with ex.check(check_id):
            for verdicts in runs:
                require(not verdicts.failed(check_id), verdicts.by_check[check_id].observed)


def observe_zombie(ex, verdicts, stdout: str | None) -> None:
    prog = ex.run(stdout=stdout)
    with verdicts.needed_by(*ZOMBIE_CHECKS):
        timeout = ex.timeout("zombie-is-child")
        found = (prog.expect_line(r"zombie (\d+)", timeout, '"zombie <pid>"') if stdout is None else
                 expect_written(ex, r"zombie (\d+)", timeout, '"zombie <pid>"'))
        pid = int(found.group(1))
        with verdicts.check("zombie-is-child"):
            proc = ex.probe.get(pid)
            require(proc, f"it printed PID {pid}, but no process has that PID")
            require(proc.ppid == prog.pid, f"{proc.described} is not a child of {ex.file} (PID {prog.pid})")
            require(proc.state == "Z", f"{proc.described}, not a zombie")
        with verdicts.check("one-zombie"):
            time.sleep(0.5)
            children = ex.probe.children(prog.pid)
            require([(c.pid, c.state) for c in children] == [(pid, "Z")],
                    f"half a second later {ex.file}'s children are: {listing(children)}")
        with verdicts.check("ctrl-c-clears"):
            judge_ctrl_c(ex, prog, pid)


def judge_ctrl_c(ex, prog, pid: int) -> None:
    proc = ex.probe.get(pid)
    require(proc and proc.ppid == prog.pid and proc.state == "Z",
            f"before Ctrl-C, PID {pid} is not a zombie of {ex.file}: there is nothing to clear")
    prog.interrupt()
    status = prog.wait_exit(ex.timeout("ctrl-c-clears"))
    require(status == 0, f"after Ctrl-C {ex.file} exited with status {status}")
    gone = ex.probe.wait_for(lambda procs: pid not in procs, timeout=2)
    require(gone is not None, f"PID {pid} is still in the process table 2 s after {ex.file} exited")
    # The kernel's record says whose wait took the zombie: the adopter's (PID 1, tini).
    zombie_life = ex.probe.record_when(lambda record: record.of(pid).reaped_by is not None,
                                       timeout=1).of(pid)
    require(zombie_life.reaped_by != prog.pid, f"{ex.file} reaped PID {pid} itself before "
                                               "exiting; the adopter should")
    require(zombie_life.reaped_by == 1, f"PID {pid} was {zombie_life.fate}, not by the "
                                        "adopter, PID 1")


# --- reaper.py ------------------------------------------------------------------------------
# Children exit in the order 2, 4, 3, 1: neither fork order nor its reverse, and 300 ms apart,
# so waiting in fork order or sleeping between polls shows.
REAPER_DELAYS = [1200, 300, 900, 600]


@exercise("reaper.py")
def reaper(ex):
    # Its stdout goes to a file: what a pipeline or a log would get, each line written once.
    prog = ex.run(*REAPER_DELAYS, stdout=OUTPUT_FILE)
    status = prog.wait_exit(ex.timeout("real-statuses"))
    reports = reaped_reports(written_lines(ex))
    record = ex.probe.record()
    children = record.created_by(prog.pid)
    expected = {c.pid: (i + 1) % 256 for i, c in enumerate(children)}   # fork order gives i
    unreaped = list(filter(None, (not_reaped_by(c, prog.pid) for c in children)))
    with ex.needed_by("real-statuses", "exit-order", "prompt-reaping"):
        require(len(children) == len(REAPER_DELAYS),
                f"{ex.file} forked {len(children)} children for {len(REAPER_DELAYS)} arguments")
        with ex.check("real-statuses"):
            judge_real_statuses(ex, record, expected, reports, unreaped, status)
        with ex.check("exit-order"):
            by_exit = [c.pid for _, c in sorted(zip(REAPER_DELAYS, children), key=lambda d: d[0])]
            reported = [pid for pid, _ in reports if pid in expected]
            require(reported == by_exit,
                    f"reported {reported}; the children exited in the order {by_exit}")
        with ex.check("prompt-reaping"):
            judge_prompt_reaping(ex, children, unreaped)


def judge_real_statuses(ex, record, expected: dict[int, int], reports, unreaped: list[str],
                        status: int) -> None:
    strangers = [pid for pid, _ in reports if pid not in expected]
    require(not strangers, f"it reported PIDs that were never its children: {strangers}")
    pids = [pid for pid, _ in reports]
    missing = [pid for pid in expected if pid not in pids]
    require(not missing, f"children never reported: {missing}")
    require(len(pids) == len(set(pids)), f"some children were reported twice: {pids}")
    wrong = [f"PID {pid}: printed {code}, exit code was {expected[pid]}"
             for pid, code in reports if code != expected[pid]]
    require(not wrong, "wrong statuses: " + "; ".join(wrong))
    wrong = status_mismatches(record, reports, ex.file)
    require(not wrong, "; ".join(wrong))
    require(not unreaped, "; ".join(unreaped) + ": the statuses it printed were never "
                                                "collected")
    require(status == 0, f"{ex.file} exited with status {status}")


def judge_prompt_reaping(ex, children, unreaped: list[str]) -> None:
    # Less the time the reaper waited for a CPU while each was a zombie: a slow machine is no
    # fault, but a reaper that sleeps through an exit is not waiting for a CPU.
    stayed = {c.pid: c.zombie_time(ex.probe.now()) - c.reaper_waited for c in children}
    slow = [f"PID {pid} for {ms(t)}" for pid, t in stayed.items() if t > PROMPT_MS / 1000]
    require(not slow, "children stayed zombies too long: " + ", ".join(slow))
    # A child the kernel discarded was never a zombie, and one that PID 1 reaped after
    # the reaper was gone was not reaped by the reaper at all.
    require(not unreaped, "; ".join(unreaped))


# --- server.py ------------------------------------------------------------------------------
@exercise("server.py")
def server(ex):
    answers_at_once(ex)
    waits_idle(ex)
    reaps_without_input(ex)
    coalesced_exits(ex)
    quit_waits(ex)


def start_child(ex, prog, delay_ms: int, code: int, check_id: str) -> tuple[int, float]:
    """Send `run`, read `started <pid>`; return the PID and how long the answer took."""
    sent = time.monotonic()
    prog.send_line(f"run {delay_ms} {code}")
    pid = int(prog.expect_line(STARTED, ex.timeout(check_id), '"started <pid>"').group(1))
    return pid, time.monotonic() - sent


def require_children(ex, prog, pids) -> None:
    record = ex.probe.record()
    real = {life.pid for life in record.processes(after=record.of(prog.pid).born)
            if life.parent == prog.pid}
    strangers = [pid for pid in pids if pid not in real]
    require(not strangers, f"started PIDs that were never {ex.file}'s children: {strangers}")


def answers_at_once(ex):
    with ex.step(), ex.check("answers-at-once"):
        prog = ex.run()
        answers = [start_child(ex, prog, 5000, 0, "answers-at-once") for _ in range(50)]
        answers.append(start_child(ex, prog, 1000, 9, "answers-at-once"))
        require_children(ex, prog, [pid for pid, _ in answers])
        # Each answer crosses docker exec's terminal relay on the host, which a busy host can
        # delay now and then; the median shows a server that answers at once, while a server
        # that blocks in wait misses the per-answer timeout by seconds.
        typical = statistics.median(took for _, took in answers)
        require(typical <= PROMPT_MS / 1000, f"its median answer took {ms(typical)}")


IDLE_SECONDS = 1.0
IDLE_WAKEUPS = 5   # a blocked server wakes for nothing; a 5 ms poll wakes 200 times a second


def waits_idle(ex):
    """While a child runs and nothing else happens, a server that waits for events sleeps: the
    kernel's count of its context switches (every thread's) stays still. Load can only delay a
    poller's wakeups, never add a blocked server's."""
    with ex.step(), ex.check("waits-idle"):
        prog = ex.run()
        start_child(ex, prog, int(IDLE_SECONDS * 1000) + 2000, 0, "waits-idle")
        time.sleep(0.2)   # past its answer
        before = ex.probe.wakeups(prog.pid)
        time.sleep(IDLE_SECONDS)
        woke = ex.probe.wakeups(prog.pid) - before
        require(woke <= IDLE_WAKEUPS, f"{ex.file} woke {woke} times in {IDLE_SECONDS:g} s while "
                                      "its one child ran and no input came: it polls")


def allow_reaping(ex, children, waited: float) -> list[int]:
    """Wait until the children are reaped, or for twice the allowance; return those still in
    the process table. A program that never reaps then fails for that, not for how soon the
    grader happened to look."""
    def reaped(procs):
        return not any(pid in procs for pid in children)
    if ex.probe.wait_for(reaped, timeout=2 * PROMPT_MS / 1000 + waited):
        return []
    procs = ex.probe.snapshot()
    return [pid for pid in children if pid in procs]


def reaps_without_input(ex):
    with ex.step(), ex.check("reaps-without-input"):
        prog = ex.run()
        pid, _ = start_child(ex, prog, 300, 7, "reaps-without-input")
        waiting = ex.probe.cpu_wait(prog.pid)
        code = int(prog.expect_line(rf"reaped {pid} status (-?\d+)",
                                    0.3 + ex.timeout("reaps-without-input"),
                                    f'"reaped {pid} status 7" with no more input').group(1))
        waited = waiting()
        require_children(ex, prog, [pid])
        require(code == 7, f"it reported status {code} for a child that exited with 7")
        require(not allow_reaping(ex, [pid], waited),
                f"no wait reaped child {pid}: it was still in the process table after its "
                "reaped line")
        lasted = ex.probe.record().of(pid).zombie_time(ex.probe.now()) - waited
        require(lasted <= PROMPT_MS / 1000, f"child {pid} stayed a zombie for {ms(lasted)} "
                                            f"(not counting time {ex.file} waited for a CPU)")
        # It goes on serving: a child's exit is no end of input (in C, a poll or read that the
        # SIGCHLD handler interrupted fails with EINTR, and must simply be retried).
        prog.send_line("run 100 8")
        answer = prog.expect_line(rf"{STARTED}|bye", ex.timeout("reaps-without-input"),
                                  '"started <pid>" for a run sent after the reaped line')
        require(answer.group(1) is not None,
                f"after child {pid} exited it said bye, though its input had not ended: was a "
                "call that the SIGCHLD handler interrupted (EINTR) taken for end of input?")


COALESCED_CODES = list(range(11, 21))   # the exit statuses of the ten children


def coalesced_exits(ex):
    """Stop the server, let ten children exit, continue it: their SIGCHLDs have coalesced."""
    with ex.needed_by("coalesced-exits", "kernel-statuses"):
        # If the machine is too slow to stop the server before the children exit, try longer.
        for delay in (1500, 3000, 6000):
            with ex.step():
                if _stopped_while_children_exit(ex, delay):
                    return
        raise InfraError(f"could not stop {ex.file} before its children exited, even with 6 s")


def _stopped_while_children_exit(ex, delay_ms: int) -> bool:
    """One try; False if a child exited before the server stopped (the race was not provoked)."""
    prog = ex.run()
    pids = [start_child(ex, prog, delay_ms, code, "coalesced-exits")[0] for code in COALESCED_CODES]
    require_children(ex, prog, pids)
    if not _stopped_before_exits(ex, prog, pids):
        return False
    zombies = _zombies_while_stopped(ex, prog, pids, delay_ms)
    reports, waited = _continued_reports(ex, prog, len(pids))
    allow_reaping(ex, zombies, waited)
    record = ex.probe.record()
    with ex.check("coalesced-exits"):
        judge_coalesced(ex, record, prog, pids, zombies, reports, waited)
    with ex.check("kernel-statuses"):
        judge_kernel_statuses(ex, record, prog, pids, zombies, reports)
    return True


def _stopped_before_exits(ex, prog, pids: list[int]) -> bool:
    """SIGSTOP the server; False if one of its children had exited already."""
    ex.signal(prog.pid, "STOP")
    stopped = ex.probe.wait_for(
        lambda procs: prog.pid in procs and procs[prog.pid].state == "T", timeout=2)
    require(stopped is not None, f"{ex.file} did not stop on SIGSTOP")
    return not any(pid not in stopped or stopped[pid].state == "Z" for pid in pids)


def _zombies_while_stopped(ex, prog, pids: list[int], delay_ms: int) -> set[int]:
    """Wait for the children to exit while the server is stopped: the ones now its zombies."""
    exited = ex.probe.wait_for(
        lambda procs: all(pid not in procs or procs[pid].state == "Z" for pid in pids),
        timeout=delay_ms / 1000 + 3)
    require(exited is not None, f"the children did not exit while {ex.file} was stopped")
    return {pid for pid in pids if pid in exited and exited[pid].ppid == prog.pid}


def _continued_reports(ex, prog, count: int) -> tuple[dict[int, int], float]:
    """SIGCONT the server and read its reaped lines; also how long it then waited for a CPU."""
    waiting = ex.probe.cpu_wait(prog.pid)   # stopped, it waits for no CPU till SIGCONT
    ex.signal(prog.pid, "CONT")
    ex.probe.wait_for(lambda procs: prog.pid not in procs or procs[prog.pid].state != "T", 2)
    reports = dict(_read_reports(ex, prog, count))
    return reports, waiting()


def _read_reports(ex, prog, count: int):
    """Up to count reaped lines, as (pid, status), read until the check's timeout."""
    wait_until = time.monotonic() + ex.timeout("coalesced-exits")
    for _ in range(count):
        try:
            line = prog.expect_line(REAPED, max(0.0, wait_until - time.monotonic()))
        except CheckFailed:   # judged by the caller from what did arrive
            return
        yield int(line.group(1)), int(line.group(2))


def judge_coalesced(ex, record, prog, pids, zombies, reports, waited: float) -> None:
    continued = record.of(prog.pid).resumed
    require(continued is not None, f"{ex.file} did not continue after SIGCONT")
    stayed = {pid: record.of(pid).zombie_time(ex.probe.now(), since=continued) - waited
              for pid in zombies}
    late = [f"PID {pid} for {ms(t)}" for pid, t in stayed.items() if t > PROMPT_MS / 1000]
    require(not late, f"after SIGCONT these zombies stayed (not counting time {ex.file} "
                      f"waited for a CPU): {', '.join(late)}")
    missing = [pid for pid in pids if pid not in reports]
    require(not missing, f"no reaped line for {missing}")


def judge_kernel_statuses(ex, record, prog, pids, zombies, reports) -> None:
    vanished = [pid for pid in pids if pid not in zombies]
    require(not vanished, f"children {vanished} exited without becoming {ex.file}'s zombies, "
                          "so their statuses were thrown away (SIGCHLD ignored?)")
    wrong = [f"PID {pid}: printed {reports[pid]}, exited with {code}"
             for pid, code in zip(pids, COALESCED_CODES) if pid in reports and reports[pid] != code]
    require(not wrong, "wrong statuses: " + "; ".join(wrong))
    wrong = status_mismatches(record, reports.items(), ex.file)
    wrong += filter(None, (not_reaped_by(record.life(pid), prog.pid) for pid in reports))
    require(not wrong, "; ".join(wrong))


def quit_waits(ex):
    with ex.step(), ex.check("quit-waits"):
        for ending in ("quit", "end of input"):
            _reaps_before_bye(ex, ending)


def _reaps_before_bye(ex, ending: str) -> None:
    """Start a child, then end the input with `ending`: the server reaps it, then says bye.
    At end of input its stdout is a file, not a terminal, as when a script or a log drives it:
    each line must be written when it happens, not when the server exits."""
    to_file = ending == "end of input"
    prog = ex.run(stdout=OUTPUT_FILE if to_file else None)
    limit = ex.timeout("quit-waits")
    if to_file:
        prog.send_line("run 400 4")
        pid = int(expect_written(ex, STARTED, limit, '"started <pid>"').group(1))
    else:
        pid, _ = start_child(ex, prog, 400, 4, "quit-waits")
    if ending == "quit":
        prog.send_line("quit")
    else:
        prog.end_input()
    what = f'"reaped {pid} status 4" after {ending}'
    first = (expect_written(ex, rf"{REAPED}|bye", limit, what) if to_file
             else prog.expect_line(rf"{REAPED}|bye", limit, what))
    require(first.group(1) is not None, f"after {ending} it said bye while child {pid} still ran")
    require((int(first.group(1)), int(first.group(2))) == (pid, 4),
            f"after {ending} it printed {first.group(0)!r}; expected 'reaped {pid} status 4'")
    require_children(ex, prog, [pid])
    if to_file:
        expect_written(ex, "bye", limit, f'"bye" after {ending}')
    else:
        prog.expect_line("bye", limit, f'"bye" after {ending}')
    status = prog.wait_exit(limit)
    require(status == 0, f"after {ending} {ex.file} exited with status {status}")
