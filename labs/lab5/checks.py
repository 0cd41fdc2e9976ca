"""Lab 5's graded scenarios: running out of PIDs, and the limits that decide when.

Every program runs under the lab's trusted harness (support/harness.py), booted as the
container's own command (or as PID 1 of a fresh PID namespace), which starts the program when
told and reports what it left behind. The counts a program prints are checked against the kernel:
the free PIDs come from pid_max and the PIDs the kernel handed out, or from the container's pids
cgroup (pids.max, pids.current), and pids.peak shows how many of its children really lived at
once, and the kernel's process record tells children from threads. Nothing is timed except
pool.py's overall bound; whether pool.py waits or polls when every PID is held is seen with its
children stopped, from the cgroup's count of refused forks and pool.py's own CPU time and
wakeups meanwhile.

The program is started by its language's command (python3 exhaust.py, or the binary compiled
from exhaust.c), and messages name the learner's file. One run of each program has its standard
output in a file rather than on the terminal, as a pipeline or a log would have it: there C's
stdio buffers whole blocks, so output that is never flushed, or is copied into every child
forked while it waits in the buffer, shows.
"""
import importlib.util
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from grader.scenario import CheckFailed, InfraError, SUPPORT_DIR, WORKDIR, exercise, ms, require

HARNESS = ["python3", "-I", f"{SUPPORT_DIR}/harness.py"]
PIDNS_SHELL = f"{SUPPORT_DIR}/pidns-shell"   # also what the harness runs a namespace's programs in
PER_NAMESPACE_PID_MAX = (6, 14)   # kernel.pid_max per PID namespace since Linux 6.14


def _support_module(name: str):
    """A module of the lab's support folder, the very file the container runs."""
    spec = importlib.util.spec_from_file_location(f"zombielab_lab5_{name}",
                                                  Path(__file__).parent / "support" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The kernel's bounds of pid_max, as the demos and the harness know them (any CPU count).
pidspace = _support_module("pidspace")
RESERVED_PIDS = pidspace.RESERVED_PIDS

EXHAUST_PIDS = 24                 # exhaust.py's pids limit
SERVICE_PIDS = 100000             # pid_max.conf: processes the service runs at once
POOL_PIDS = 32
POOL_TASKS = 2000
STATUS_TASKS = POOL_TASKS         # the run in which the grader kills a task's child
POOL_SECONDS = 25                 # pool.py's time bound, not counting the grader's freeze
FREEZE_WATCH = 0.5                # how long pool.py is watched with every PID held
FREEZE_SETTLE = 1.0               # at most, before the watch, for pool.py to go to sleep
# What pool.py may do meanwhile: a blocked wait sleeps through it; a WNOHANG loop spins the CPU
# (a tick is 10 ms), or wakes at each of its naps. A spinner kept off the CPU by load is
# runnable all the same: its time waiting for a CPU counts with its CPU time.
FREEZE_TRIES = 3                  # the harness's freeze, while it stopped no child
FREEZE_TICKS = 10
FREEZE_WAKEUPS = 3


# --- the kernel ------------------------------------------------------------------------------
def kernel_release(ex) -> str:
    """The release of the kernel the lab's containers run on. ZOMBIELAB_KERNEL_RELEASE pretends
    another one, to show how an older kernel is graded."""
    override = os.environ.get("ZOMBIELAB_KERNEL_RELEASE")
    if override:
        return override
    release = ex.probe.read_file("/proc/sys/kernel/osrelease", 256)
    if not release:
        raise InfraError("could not read the kernel release in the lab container")
    return release.strip()


def pid_max_unsupported(ex) -> str | None:
    """Why this kernel cannot run the per-namespace pid_max checks, or None if it can."""
    release = kernel_release(ex)
    if tuple(int(n) for n in re.findall(r"\d+", release)[:2]) < PER_NAMESPACE_PID_MAX:
        return (f"kernel {release} has one kernel.pid_max for the whole machine; a namespace "
                "has its own only since Linux 6.14")
    return None


def small_pid_max(ex) -> int:
    """100 above the kernel's smallest pid_max, max(301, 8 x possible CPUs)."""
    read = probe_reader(ex.probe)
    if not read(pidspace.POSSIBLE_CPUS):
        raise InfraError("could not read the possible CPUs in the lab container")
    return pidspace.smallest_pid_max(read) + 100


def probe_reader(probe):
    """A file of the container, as the probe reads it (None if there is none)."""
    return lambda path: probe.read_file(path, 4096)


# --- a program under the harness ----------------------------------------------------------
class Harnessed:
    """The learner's program, with these arguments, run under the harness in a booted container
    of its own (with `pid_max`: inside pidns-shell, in a fresh PID namespace where the harness
    sets that pid_max; with `to_file`: its standard output in OUTPUT_FILE, not the terminal)."""

    def __init__(self, ex, *args: str, pids: int | None = None, pid_max: int | None = None,
                 to_file: bool = False):
        argv = [*HARNESS, *(["--pid-max", str(pid_max)] if pid_max else []),
                *(["--stdout", OUTPUT_FILE] if to_file else []), "--", *ex.command(*args)]
        self.booted = ex.boot(command=argv, pids=pids)
        self.prog = self.booted.program
        self.name = ex.file
        self.to_file, self.output_limit = to_file, ex.output_limit
        self.token = secrets.token_hex(8)
        self.answer("ready", 15, token=False)
        self.probe = self.booted.probe
        if self.probe.cgroup_file("pids", "pids.max") is None:
            raise InfraError("the container has no pids cgroup (no pids.max, cgroup v1 or v2)")
        self.events_before = self.refused_forks()
        self.last_pid_before = self.probe.last_pid()

    def answer(self, pattern: str, timeout: float, token: bool = True) -> re.Match:
        """A line of the harness; its silence is the grader's failure, not the learner's."""
        mark = f"harness {self.token}" if token else "harness"
        try:
            return self.prog.expect_line(rf"{mark} {pattern}", timeout)
        except CheckFailed as failure:
            raise InfraError(f"the lab's harness did not answer: {failure}") from failure

    def cgroup(self, name: str) -> str:
        """A file of the container's pids cgroup: pids.max, pids.current, pids.peak."""
        found = self.probe.cgroup_file("pids", name)
        if found is None:
            raise InfraError(f"cannot read the container's pids cgroup file {name}")
        return found[1]

    def refused_forks(self) -> int:
        """Forks the pids cgroup has refused so far."""
        refused = self.probe.limit_counter("refused_forks")
        if refused is None:
            raise InfraError("cannot read the container's pids cgroup file pids.events")
        return refused

    def go(self, then: str | None = None) -> None:
        """Start the program; `then`, a command the harness takes right after, with no round
        trip to the grader between."""
        self.went = time.monotonic()   # the probe's clock too, and the recorder's
        self.prog.send_line(f"go {self.token}")
        if then:
            self.prog.send_line(then)
        started = self.answer(r"started pid=(\d+) pid_max=(\d+)", 15)
        self.pid, self.pid_max = int(started.group(1)), int(started.group(2))

    def command(self, word: str, answer: str, timeout: float = 15) -> re.Match:
        self.prog.send_line(word)
        return self.answer(answer, timeout)

    def wait_end(self, timeout: float) -> None:
        """Wait until the program has ended; the harness's report of it, and the cgroup's."""
        self.status, self.zombies, self.running = self._ended(timeout)
        self._take_stock()
        self.prog.send_line("quit")

    def _ended(self, timeout: float) -> tuple[int, int, int]:
        """The harness's report of the ended program: its status, and the zombies and running
        children it left."""
        ended = (rf"harness {self.token} (?:ended status=(-?\d+) zombies=(\d+) running=(\d+)"
                 rf"|broken status=-?\d+)")
        # Already printed, if the program ended before an answer the grader waited for.
        end = next(filter(None, (re.fullmatch(ended, line.strip()) for line in self.prog.lines())), None)
        if end is None:
            try:
                end = self.prog.expect_line(ended, timeout)
            except CheckFailed:
                raise CheckFailed(f"{self.name} was still running {timeout:g} s after it started") from None
        if end.group(1) is None:
            raise InfraError("the harness of the fresh PID namespace failed: "
                             + " | ".join(self.prog.lines()[-5:]))
        return tuple(map(int, end.groups()))

    def _take_stock(self) -> None:
        """What the kernel and the terminal show once the program has ended."""
        self.peak = int(self.cgroup("pids.peak"))
        self.current = int(self.cgroup("pids.current"))   # the harness and the probe only, now
        self.limit = self.cgroup("pids.max").strip()
        self.refused = self.refused_forks() - self.events_before
        self.pids_handed_out = self.probe.last_pid() - self.last_pid_before
        self.lines = [line.strip() for line in self.prog.lines()]
        if self.to_file:   # the program's own lines are in the file; the harness's stay here
            self.lines = [line.strip() for line in
                          (self.probe.read_file(OUTPUT_FILE, self.output_limit) or "").splitlines()]
        self.record = self.probe.record()

    def printed(self, pattern: str) -> re.Match | None:
        return next(filter(None, (re.fullmatch(pattern, line) for line in self.lines)), None)

    def printed_all(self, pattern: str) -> list[str]:
        return [line for line in self.lines if re.fullmatch(pattern, line)]

    @property
    def where(self) -> str:
        """Where its output went, for messages."""
        return (f"with its standard output to a file ({OUTPUT_FILE})" if self.to_file
                else "with its standard output on a terminal")


# --- exhaust.py -----------------------------------------------------------------------------
FORK_FAILED = r"fork failed after (\d+) children: (\w+)"
OUTPUT_FILE = "/tmp/zombielab-lab5-stdout"   # where a run's standard output goes, when a file


@exercise("exhaust.py")
def exhaust(ex):
    in_namespace = exhaust_in_small_namespace(ex)
    under_limit = exhaust_under_pids_limit(ex)
    with ex.check("reaps-them-all"):
        for run in filter(None, (in_namespace, under_limit)):
            judge_reaping(run)


def exhaust_in_small_namespace(ex) -> Harnessed | None:
    """exhaust.py in a fresh PID namespace whose small pid_max runs out first: counts-pidns.
    None if this kernel has no pid_max per namespace (the check is skipped)."""
    unsupported = pid_max_unsupported(ex)
    if unsupported:
        ex.skip("counts-pidns", unsupported)
        return None
    pid_max = small_pid_max(ex)
    # A pids limit above pid_max, so that pid_max runs out first however many CPUs set it.
    run = exhaust_run(ex, pids=pid_max + 100, pid_max=pid_max)
    if run.pid >= RESERVED_PIDS:
        raise InfraError(f"lab bug: {run.name} got PID {run.pid} in a fresh namespace")
    with ex.check("counts-pidns"):
        # Nothing else runs there: every PID above the program's own, below pid_max, is free
        # (PIDs below 300 are not handed out again after the wrap-around).
        free = run.pid_max - 1 - run.pid
        judge_count(run, free, f"pid_max is {run.pid_max} and {run.name} is PID {run.pid}, "
                               f"so {free} PIDs were free")
    return run


def exhaust_under_pids_limit(ex) -> Harnessed:
    """exhaust.py under a small pids cgroup limit, its output in a file: counts-cgroup."""
    run = exhaust_run(ex, pids=EXHAUST_PIDS, to_file=True)
    with ex.check("counts-cgroup"):
        # pids.current now counts the harness and the probe: the rest of the limit was free.
        free = int(run.limit) - run.current - 1
        judge_count(run, free, f"the pids limit is {run.limit} and {run.current + 1} processes "
                               f"(the grader's and {run.name}) held PIDs, so {free} were free")
        require(run.refused > 0, "the pids cgroup never refused a fork")
    return run


def exhaust_run(ex, pids: int | None = None, pid_max: int | None = None,
                to_file: bool = False) -> Harnessed:
    run = Harnessed(ex, pids=pids, pid_max=pid_max, to_file=to_file)
    run.go()
    run.wait_end(ex.timeout("counts-cgroup"))
    return run


def judge_count(run: Harnessed, free: int, why: str) -> None:
    line = run.printed(FORK_FAILED)
    said = run.printed(r"fork failed after .*")
    require(line or not said, f'it printed "{said and said.group(0)}": the line gives the '
                              "error's symbolic name (EAGAIN), not its description")
    require(line, f'no "fork failed after <n> children: <ERRNO>" line, {run.where} '
                  f"(exit status {run.status})")
    count, name = int(line.group(1)), line.group(2)
    require(name == "EAGAIN", f"it printed {name}; fork fails with EAGAIN when no PID is free")
    require(count == free, f"it counted {count} children, but {why}")
    together = run.peak - run.current - 1
    require(together >= count, f"it reported {count} children, but at most {together} of its "
                               "children were alive at once (pids.peak)")
    children, threads = tasks_made(run)
    require(children >= count, f"{run.name} made {threads} threads and {children} "
                               f"child processes, but counted {count} children")


def tasks_made(run: Harnessed) -> tuple[int, int]:
    """The child processes and the threads exhaust.py made. Threads hold PIDs too, but they are
    not children: the kernel's record tells them apart. exhaust.py is the process, of those
    started since the harness let it go, that started the most tasks (in the pid_max run it
    lives in a namespace of its own, below the record's)."""
    made = [life for life in run.record.lives if life.born and life.born >= run.went]
    started = {life.pid: [task for task in made if task.creator == life.pid]
               for life in made if not life.thread}
    tasks = max(started.values(), key=len, default=[])
    children = sum(not task.thread for task in tasks)
    return children, len(tasks) - children


def judge_reaping(run: Harnessed) -> None:
    require(run.zombies == 0 and run.running == 0,
            f"when {run.name} ended (pids limit {run.limit}, pid_max {run.pid_max}), "
            f"{run.zombies} zombies and {run.running} running children of it were left to PID 1")
    require(run.printed(r"reaped \d+"), f'no "reaped <n>" line, {run.where} '
                                        f"(exit status {run.status})")
    require(run.status == 0, f"{run.name} exited with status {run.status}")


# --- pid_max.conf ---------------------------------------------------------------------------
# In a fresh namespace: pid_max starts small, the learner's file is applied by sysctl -p as the
# namespace's root (uid 1000 outside), then pid_max is read back.
APPLY = ('sysctl -q -w kernel.pid_max="$1" || exit 99; sysctl -p "$2" 2>&1; echo "exit $?"; '
         'cat /proc/sys/kernel/pid_max')


@exercise("pid_max.conf")
def pid_max_conf(ex):
    unsupported = pid_max_unsupported(ex)
    if unsupported:
        ex.skip_all(unsupported)
        return
    start = small_pid_max(ex)
    status, value, said = apply_in_fresh_namespace(ex, start)
    errors = [line for line in said if line.startswith("sysctl:")]
    keys = keys_said(said, errors) | conf_keys(ex.probe.read_file(f"{WORKDIR}/pid_max.conf", 65536) or "")
    with ex.check("applies-cleanly"):
        # A key written "-key = value" asks sysctl to ignore its error: it is only reported.
        refused = [line for line in errors if not line.endswith(", ignoring")]
        require(status == 0 and not refused,
                f"sysctl -p pid_max.conf exited with {status}: {' | '.join(refused) or 'no message'}")
    with ex.check("fits-service"):
        needed = SERVICE_PIDS + RESERVED_PIDS
        require(value >= needed, f"after sysctl -p, kernel.pid_max is {value} (it was {start}); "
                                 f"{SERVICE_PIDS} processes at once need at least {needed}")
    with ex.check("only-pid-max"):
        require(keys == {"kernel.pid_max"},
                f"sysctl -p set or tried: {', '.join(sorted(keys)) or 'no key at all'}")


def apply_in_fresh_namespace(ex, start: int) -> tuple[int, int, list[str]]:
    """sysctl -p pid_max.conf in a fresh namespace whose pid_max is `start`: its exit status,
    pid_max after it, and what it said."""
    code, output = ex.output_of(PIDNS_SHELL, "sh", "-c", APPLY, "sh", str(start), "pid_max.conf")
    lines = output.strip().splitlines()
    if code == 99 or len(lines) < 2 or not re.fullmatch(r"exit \d+", lines[-2]):
        raise InfraError(f"could not apply pid_max.conf in a fresh namespace: {output!r}")
    return int(lines[-2].split()[1]), int(lines[-1]), lines[:-2]


def keys_said(said: list[str], errors: list[str]) -> set[str]:
    """The keys sysctl -p said it set ("key = value"), or named in an error."""
    keys = {line.partition(" = ")[0].replace("/", ".")
            for line in said if " = " in line and line not in errors}
    return keys | {key.replace("/", ".") for line in errors for key in re.findall(r'key "([^"]+)"', line)}


def conf_keys(text: str) -> set[str]:
    """The keys a sysctl.conf file sets, as sysctl reads it: `key = value` lines, `#` and `;`
    comments, and a leading `-` that only tells sysctl to ignore the key's errors (such a key
    is still one the file asks to set)."""
    keys = set()
    for line in text.splitlines():
        line = line.strip()
        if line and line[0] not in "#;":
            keys.add(line.partition("=")[0].strip().lstrip("-").strip().replace("/", "."))
    return keys


# --- pool.py --------------------------------------------------------------------------------
@exercise("pool.py")
def pool(ex):
    run = pool_until_full(ex, POOL_TASKS)
    meanwhile = watch_frozen(run)
    run.command("thaw", "thawed")
    frozen_for = time.monotonic() - run.froze
    run.wait_end(ex.timeout("all-done"))
    took = time.monotonic() - run.began - frozen_for
    judge_all_done(ex, run, took, frozen_for)
    with ex.check("survives-eagain"):
        require(run.refused > 0, f"fork never failed: {run.name} never used all {POOL_PIDS} PIDs of "
                                 "its limit")
        require(run.status == 0, f"after fork failed with EAGAIN, {run.name} exited with status {run.status}")
    judge_waiting(ex, run, meanwhile)
    with ex.check("leaves-no-zombies"):
        require(run.zombies == 0 and run.running == 0,
                f"when {run.name} ended, {run.zombies} zombies and {run.running} running children "
                "of it were left to PID 1")
    pool_with_a_child_killed(ex)


@dataclass
class WhileFrozen:
    """What pool.py did in FREEZE_WATCH with every PID held by its stopped children."""
    retried: int     # forks the pids cgroup refused meanwhile
    spun: int        # CPU time, in 10 ms ticks
    queued: float    # seconds runnable but waiting for a CPU
    woke: int        # wakeups
    gave_up: bool    # it had ended instead of waiting


def watch_frozen(run: Harnessed) -> WhileFrozen:
    # A pool that has just filled the cgroup forks once more to learn that no PID is free; on a
    # loaded machine that fork can come after the freeze. So the watch starts once pool.py
    # sleeps (in wait(), or a poller between tries); one that never does is watched all the same.
    run.probe.wait_for(lambda procs: procs.get(run.pid) is None or procs[run.pid].state in "SZ",
                       FREEZE_SETTLE)
    before, (spent, woken) = run.refused_forks(), activity(run)
    queued = run.probe.cpu_wait(run.pid)   # 0 for a process already gone
    time.sleep(FREEZE_WATCH)
    retried, queued = run.refused_forks() - before, queued()
    spun, woke = (now - then for now, then in zip(activity(run), (spent, woken)))
    # It was alive when the pids cgroup first refused it, but one that gives up on EAGAIN may
    # have been on its way out: with its children stopped, a waiting pool.py is still there.
    proc = run.probe.get(run.pid) if run.alive else None
    gave_up = run.alive and (proc is None or proc.state == "Z")
    return WhileFrozen(retried, spun, queued, woke, gave_up)


def judge_all_done(ex, run: Harnessed, took: float, frozen_for: float) -> None:
    with ex.check("all-done") as notes:
        notes.note(f"took {took:.1f} s (not counting {frozen_for:.1f} s frozen by the grader); "
                   f"the pids cgroup refused {run.refused} forks")
        require(run.status == 0 and run.printed(f"done {POOL_TASKS}"),
                f'no "done {POOL_TASKS}" line, or not exit status 0 (it was {run.status})')
        require(run.pids_handed_out > POOL_TASKS,
                f"the kernel handed out {run.pids_handed_out} PIDs while it ran, fewer than "
                f"{POOL_TASKS} tasks need")
        require(took <= POOL_SECONDS, f"it took {took:.1f} s")


def judge_waiting(ex, run: Harnessed, meanwhile: WhileFrozen) -> None:
    with ex.check("waits-when-full"):
        require(run.alive and int(run.frozen.group(1)) > 0 and run.frozen.group(2) == "yes",
                f"{run.name} never held every PID of its limit with its children"
                if run.alive else f"{run.name} had ended before it ever filled its pids limit")
        held = f"with every PID held by its (stopped) children, {run.name}"
        require(not meanwhile.gave_up, f"{run.name} ended while every PID was held by its "
                                       "(stopped) children, instead of waiting for one of them")
        require(meanwhile.retried == 0, f"{held} tried fork {meanwhile.retried} times in "
                                        f"{FREEZE_WATCH:g} s instead of waiting")
        runnable = meanwhile.spun + round(meanwhile.queued * 100)
        require(runnable <= FREEZE_TICKS and meanwhile.woke <= FREEZE_WAKEUPS,
                f"{held} ran {meanwhile.spun * 10} ms, waited {ms(meanwhile.queued)} for a "
                f"CPU and woke {meanwhile.woke} times in {FREEZE_WATCH:g} s: it polls instead "
                "of waiting")


def pool_with_a_child_killed(ex) -> None:
    """Again, with one task's child killed by the grader while stopped: its status is wrong.
    Its output goes to a file: a report line still in stdio's buffer when a child is forked
    is copied into the child, and written again if the child exits through exit().

    The harness stops the pool's children from its start, as they come, told so with `go`:
    waiting to see the cgroup full first, a grader slowed by load once sent its freeze after
    the pool had run all its tasks (a few seconds), and had no child to kill."""
    failing = Harnessed(ex, str(STATUS_TASKS), pids=POOL_PIDS, to_file=True)
    failing.go(then="freeze")
    failing.answer(r"frozen stopped=(\d+) full=(yes|no)", 15)
    killed = failing.command("kill", r"killed pid=(\d+|none)").group(1)
    failing.command("thaw", "thawed")
    failing.wait_end(ex.timeout("checks-statuses"))
    with ex.check("checks-statuses"):
        require(killed != "none", f"{failing.name} had no running child for the grader to kill")
        reports = failing.printed_all(r"task \d+ exited with -9")
        require(reports, f'no "task <i> exited with -9" line for the child the grader killed '
                         f"(PID {killed}), {failing.where}")
        require(len(reports) == 1, f'"{reports[0]}" was written {len(reports)} times, '
                                   f"{failing.where}, for one killed child")
        require(not failing.printed(rf"done {STATUS_TASKS}") and failing.status != 0,
                f"with a task killed, {failing.name} still said done or exited 0 "
                f"(status {failing.status})")


def activity(run: Harnessed) -> tuple[int, int]:
    """pool.py's CPU time so far (10 ms ticks) and wakeups; (0, 0) once it is gone, as a
    process that has exited polls no more (other checks say what it failed to do)."""
    try:
        proc = run.probe.get(run.pid)
        return (proc.cpu_ticks, run.probe.wakeups(run.pid)) if proc else (0, 0)
    except CheckFailed:   # gone between the two questions
        return 0, 0


def pool_until_full(ex, tasks: int, to_file: bool = False) -> Harnessed:
    """pool.py under its pids limit, once fork has failed, with its children stopped by the
    harness: run.frozen is the harness's answer (stopped children, cgroup full)."""
    run = Harnessed(ex, str(tasks), pids=POOL_PIDS, to_file=to_file)
    run.began = time.monotonic()
    run.go()
    full = run.probe.wait_for(lambda procs: run.pid not in procs or procs[run.pid].state == "Z"
                              or run.refused_forks() > run.events_before,
                              timeout=ex.timeout("all-done"))
    run.alive = full is not None and run.pid in full and full[run.pid].state != "Z"
    run.froze = time.monotonic()
    # On a machine busy enough, the pool's children can outpace the harness's rounds of SIGSTOP
    # for its whole window (a kill then found no stopped child once, five gradings beside two
    # CPU hogs): a freeze that stopped none is asked for again.
    for _ in range(FREEZE_TRIES):
        run.frozen = run.command("freeze", r"frozen stopped=(\d+) full=(yes|no)")
        if not run.alive or int(run.frozen.group(1)) > 0:
            break
    return run
