"""What a lab's checks.py is written with: import from here, and from nowhere else in grader/.

A lab's checks.py has one scenario per exercise, decorated with @exercise("file.py"). The
scenario drives the learner's program and judges each check of lab.yaml in a `with ex.check(id):`
block; `require` inside the block fails the check with what was observed:

    @exercise("zombie.py")
    def zombie(ex):
        prog = ex.run()
        pid = int(prog.expect_line(r"zombie (\\d+)", ex.timeout("zombie-is-child")).group(1))
        with ex.check("zombie-is-child"):
            proc = ex.probe.get(pid)
            require(proc and proc.state == "Z", f"PID {pid} is not a zombie")

A check the scenario never reaches fails with the reason the scenario stopped. A failed check
shows the learner the run it failed in, as the kernel recorded it (grader/timeline.py): the
run this thread started last when the check failed; a check judged over several runs shows the
run whose ex.new_verdicts() saw it fail first. Nothing in a scenario asks for it.

The exercise `ex` (Exercise):
  ex.run(*args) / ex.run(command=[...])   the learner's program (or a command, as the learner)
                                          in the exercise's container, under a terminal: Program
  ex.boot(*args) / ex.boot(command=...)   a fresh container whose command it is (PID 1 in the
                                          noinit image, tini's child in tini): Booted
  ex.probe, ex.probe_in(image)            what the kernel shows in a container: Probe
  ex.signal(pids, "TERM")                 a signal sent as the learner would
  ex.output_of(*argv)                     a trusted command run to its end as the learner
  ex.file, ex.language                    the learner's file (zombie.py, or zombie.c: a C file is
                                          compiled before the scenario starts) and its Language
  ex.command(*args), ex.executable        the argv that starts the learner's program in WORKDIR
                                          (python3 zombie.py / WORKDIR/zombie); what the kernel execs
                                          for it (/usr/bin/python3 / WORKDIR/zombie)
  ex.image, ex.output_limit               the image its programs run in; the output kept of each
                                          program (bytes)
  ex.timeout(check_id), ex.check_ids      a check's time limit from lab.yaml; its checks, in order
  with ex.check(id) as verdict:           judge one check; verdict.note(...) adds a line under it
  with ex.needed_by(id, ...):             work these checks stand on: if it fails, they fail
  ex.new_verdicts()                       Verdicts of one run, for checks judged over several
  with ex.step():                         a stage whose programs end with the block
  ex.skip(id, reason), ex.skip_all(reason) leave a check (every check) out of the grade, for what
                                          this machine lacks
  ex.sibling()                            a twin exercise, for a reference run in another thread
  ex.remembered(name, make, images)       a value kept between gradings (grader/cache.py)
A Program: expect_line(pattern, timeout), lines(), send_line, interrupt (Ctrl-C), end_input
(Ctrl-D), stop_output / resume_output (Ctrl-S / Ctrl-Q), wait_exit(timeout), pid, ppid.
A Probe: snapshot(), get(pid) (a Proc: ppid, state, comm, cpu_seconds...), children(pid),
wait_for(predicate, timeout), record() and record_when(predicate, timeout) (the kernel's
history: Record, Life), signal_masks(pid), cgroup_file(controller, name),
limit_counter("refused_forks" | "oom_kills"), read_file, details(pid), wakeups(pid),
cpu_waited(pid), cpu_wait(pid) (a clock of CPU wait from now), last_pid(), now().

A lab's own support files (lab/support/) are at SUPPORT_DIR in its containers; the learner's
files at WORKDIR.
"""
from __future__ import annotations

import signal

from .archive import SUPPORT_DIR
from .errors import CheckFailed, InfraError
from .exercise import Booted, Exercise, Verdict, Verdicts, exercise, require
from .proc import Probe, Proc, SignalMasks
from .recorder import Life, Record
from .sandbox import BOOT_SHELL, WORKDIR
from .session import Program

__all__ = ["BOOT_SHELL", "SUPPORT_DIR", "WORKDIR", "Booted", "CheckFailed", "Exercise",
           "InfraError", "Life", "Probe", "Proc", "Program", "Record", "SignalMasks", "Verdict",
           "Verdicts", "exercise", "ms", "require", "signal_names"]


def ms(seconds: float) -> str:
    """A duration as learners read it: 0.0123 -> "12 ms"."""
    return f"{seconds * 1000:.0f} ms"


def signal_names(mask: int, short: bool = False) -> list[str]:
    """The signals in a /proc mask (bit N-1 is signal N), e.g. 0x1000 -> [SIGPIPE] (short: [PIPE]);
    a signal without a name (the real-time ones) by its number."""
    names = []
    for number in range(1, 65):
        if mask & (1 << (number - 1)):
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = str(number)
            names.append(name.removeprefix("SIG") if short else name)
    return names
