"""The engine-free backend: where no Docker engine runs (inside Gradescope's or PrairieLearn's
grading container, which the platform throws away after the job), the grader, root there, runs
each learner program itself, confined as far as such a container allows: as an unprivileged
uid of the grading's own (JOB_UID) with no capabilities and no new privileges, in a session of
its own under a terminal (pexpect), under rlimits on the learner's processes, each one's memory
and the size of each file it writes.

What it cannot give, a check that needs it declares in lab.yaml (`needs:`), and is skipped
here: the probe records by polling /proc, as no kernel recorder can run in such a container,
and there is no PID namespace, user namespace or pids cgroup of the submission's own.

The init of a lab's image is kept where the platform allows it. For the tini image, the
platform's own init adopts and reaps the learner's orphans (tini, as the platforms' images are
built). For the no-init image, whose PID 1 never reaps, the grader itself becomes a child
subreaper that leaves its adopted orphans unreaped until the learner's programs are ended: their
exit statuses stay readable, as under `sleep` as PID 1; only the adopter's PID is not 1.

It uses the paths of the lab images (WORKDIR, SUPPORT_DIR, the probe), which the platform's
image is built with: the grader, its probe and every path it trusts are root-owned there.
"""
from __future__ import annotations

import ctypes
import io
import os
import random
import shutil
import signal
import subprocess
import tarfile
from pathlib import Path

from .archive import SUBMISSION_DIR, submission_tar
from .errors import CheckFailed, InfraError
from .limits import Confinement, Limits
from .sandbox import COPY_SUBMISSION, KILL_ALL, LEARNER, SCRATCH, WORKDIR, Sandbox

EXEC_TIMEOUT = 60   # seconds for a trusted command (a kill, a compile is bounded by its own)
# What the learner's programs see of the environment: nothing of the platform's (its variables
# may hold tokens), only what a login in the lab image would set.
LEARNER_ENV = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/home/learner", "LANG=C.UTF-8"]
HALTED_HERE = "the grader had stopped the learner's programs"
KILL_ROUNDS = 200   # kill(-1)s, for a fork bomb that forks again between two
KILL_TRIES = 3
ENGINE_FREE = "engine-free"   # what stands for a container or image ID here
# RLIMIT_NPROC counts every process of a uid on the machine, whatever its container: with the
# lab images' uid 1000, other jobs on a platform's host (or the lab containers beside a test)
# would count against this one's limit, and a fork bomb in one would stop forks in all. A uid no
# one else uses gives each grading a limit of its own.
JOB_UID = random.randrange(2**20, 2**30)
PR_SET_CHILD_SUBREAPER = 36   # prctl(2); Docker's default seccomp profile allows it
NON_REAPING_INIT = "noinit"   # the image whose PID 1 adopts orphans and never reaps them


class LocalSandbox(Sandbox):
    """This machine as the sandbox: the learner's programs run here, confined by uid and
    rlimits; entering the first empties the learner's folders and copies the submission in.
    A sandbox of another image (the lab's other init) shares the machine and its folders: what
    differs is who adopts the orphans of the programs started in it (_be_subreaper)."""

    kernel_record = False
    learner_uid = JOB_UID
    _entered: "list[LocalSandbox]" = []   # of this grading, on this machine

    def __init__(self, client: None, variant: str, limits: Limits,
                 files: dict[str, Path] | None = None, support: Path | None = None,
                 command: list[str] | None = None, confinement: Confinement = Confinement()):
        if command:
            raise InfraError("lab bug: a program booted as a container's command needs the "
                             "Docker engine; its checks must declare `needs: [pid-namespace]`")
        super().__init__(client, variant, limits, files, support, None, confinement)

    def __enter__(self) -> "LocalSandbox":
        LocalSandbox._entered.append(self)
        if len(LocalSandbox._entered) > 1:
            return self   # the machine is ready: another image's sandbox made it so
        try:
            self._end_learner_processes()
            _unpack(submission_tar(self.files, self.support))
            self._fill_workdir()
        except BaseException:
            self.remove()
            raise
        return self

    def _end_learner_processes(self) -> None:
        """Before the submission goes in: no program of the learner's still runs, and their
        folders are empty (another sandbox of this grading may have used them)."""
        self._kill_all()
        workdir = Path(WORKDIR)
        if workdir.is_symlink() or not workdir.is_dir():
            workdir.unlink(missing_ok=True)
            workdir.mkdir(parents=True, mode=0o755)
        os.chown(workdir, JOB_UID, JOB_UID, follow_symlinks=False)
        code, _ = self.exec_output("python3", "-I", "-c", KILL_ALL, str(self.limits.zombies_kept),
                                   WORKDIR, *SCRATCH)
        if code == 1:
            raise InfraError("the learner's processes of an earlier program could not be ended")

    def _fill_workdir(self) -> None:
        code, output = self.exec_output("sh", "-c", COPY_SUBMISSION)
        if code != 0:
            raise InfraError(f"could not copy the submission into {WORKDIR}: {output.strip()}")

    def add_file(self, name: str, path: Path) -> None:
        _unpack(submission_tar({name: path}))
        code, output = self.exec_output("cp", "-p", f"{SUBMISSION_DIR}/{name}", f"{WORKDIR}/{name}")
        if code != 0:
            raise InfraError(f"could not copy {name} into {WORKDIR}: {output.strip()}")

    def remove(self) -> None:
        """Nothing to remove but the learner's processes: none outlives the grading."""
        if self in LocalSandbox._entered:
            self._kill_all()
            _reap_adopted()
            LocalSandbox._entered.remove(self)
            if not LocalSandbox._entered:
                _be_subreaper(False)

    @property
    def id(self) -> str:
        return ENGINE_FREE

    @property
    def adopter(self) -> int:
        """The grader, in the no-init image's sandbox. In the tini image's, the platform's
        init adopts, whose PID is not known here (PID 1 on PrairieLearn; Gradescope's grader
        runs under `tini -s`, which is not): a check must read the kernel's answer instead."""
        if self.variant != NON_REAPING_INIT:
            raise InfraError("lab bug: without an engine, the adopter's PID is known only in the "
                             f"{NON_REAPING_INIT} image's sandbox")
        return os.getpid()

    def running(self) -> bool:
        return not self.halted

    def wait_running(self, timeout: float = 10.0) -> bool:
        return self.running()

    def kill(self, signame: str) -> None:
        raise InfraError("lab bug: signalling a container's PID 1 needs the Docker engine")

    def halt(self) -> None:
        """Every process of the learner's, SIGKILLed (kill(-1) as the learner, round after
        round): the stop a fork bomb cannot outrun under its process limit."""
        self.halted = True
        self._kill_all()

    def kill_learner_processes(self, empty_scratch: bool = False) -> bool:
        """As in a container, once nothing of the learner's runs: the learner's commands that
        clean up could not even start while a fork bomb holds every process it may have."""
        if self.halted or not self._kill_all():
            return False
        _reap_adopted()   # the programs are closed: every zombie child of ours is an adopted orphan
        return super().kill_learner_processes(empty_scratch)

    def _kill_all(self) -> bool:
        """SIGKILL every process of the learner's, round after round until none runs, from a
        child of the grader's that becomes the learner without exec: exec fails while a fork
        bomb holds the learner's every process (RLIMIT_NPROC, which execve checks and setuid
        does not), and a grader that is root without CAP_SYS_ADMIN has no cgroup to freeze.
        True if none runs now (a program that kill(-1)s may kill the killer: it tries again)."""
        for _ in range(KILL_TRIES):
            child = os.fork()
            if child == 0:
                _kill_learners_and_exit()
            _, status = os.waitpid(child, 0)
            if status == 0:
                return True
        return False

    def exec_output(self, *argv: str) -> tuple[int, str]:
        """Run a trusted command as the learner; its exit code and standard output."""
        if self.halted:
            raise CheckFailed(HALTED_HERE)
        try:
            done = subprocess.run(self.exec_argv(*argv, tty=False), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  timeout=EXEC_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise InfraError(f"{argv[0]} as the learner did not end in {EXEC_TIMEOUT} s") from exc
        return done.returncode, done.stdout.decode("utf-8", "replace")

    def exec_argv(self, *argv: str, user: str = LEARNER, tty: bool = True) -> list[str]:
        """The command line that runs argv in WORKDIR: as root for user "0:0" (the probe), else
        as the learner, with the learner's limits. Its orphans, and those of whatever else
        runs from now on, are adopted as in this sandbox's image."""
        _be_subreaper(self.variant == NON_REAPING_INIT)
        env = ["env", "-i", "-C", WORKDIR, *LEARNER_ENV, *(["TERM=xterm"] if tty else [])]
        if user == "0:0":
            return [*env, *argv]
        limits = self.limits
        return ["setpriv", f"--reuid={JOB_UID}", f"--regid={JOB_UID}", "--clear-groups",
                "--inh-caps=-all", "--no-new-privs", "--",
                # RLIMIT_NPROC counts every process of the learner's uid, as the pids limit
                # counts a container's; memory and file size are per process and per file.
                "prlimit", f"--nproc={limits.pids}", f"--as={limits.memory_mb * 2**20}",
                f"--fsize={limits.disk_mb * 2**20}", "--", *env, *argv]


def require_ready() -> None:
    """What grading without an engine needs of this machine, found out before the first
    program: root, to run the learner's programs as a uid of their own and read their /proc,
    and util-linux's setpriv and prlimit."""
    if os.geteuid() != 0:
        raise InfraError("grading without an engine needs root: it runs the learner's programs "
                         f"as a uid of their own, and this grader is uid {os.geteuid()}")
    missing = [tool for tool in ("setpriv", "prlimit") if not shutil.which(tool)]
    if missing:
        raise InfraError(f"grading without an engine needs {' and '.join(missing)} (util-linux), "
                         "which this machine lacks")


def _kill_learners_and_exit() -> None:
    """In a forked child of the grader: become the learner, kill(-1) until nothing of the
    learner's runs, exit 0 (1 if it still does). Nothing imported or locked here: the grader
    has threads, and the child has only the one that forked."""
    code = 1
    try:
        os.setgroups([])
        os.setresgid(JOB_UID, JOB_UID, JOB_UID)
        os.setresuid(JOB_UID, JOB_UID, JOB_UID)
        for _ in range(KILL_ROUNDS):
            try:
                os.kill(-1, signal.SIGKILL)   # every process of the learner's but this one
            except ProcessLookupError:
                code = 0
                break
            if not _learners_running():
                code = 0
                break
    finally:
        os._exit(code)


def _learners_running() -> bool:
    """Whether a process of the learner's other than the caller runs (zombies are their
    parents' to reap)."""
    return any(pid != os.getpid() and status["State"].split()[0] != "Z"
               for pid, status in _learner_processes())


def _learner_processes():
    """(PID, /proc/PID/status as a dict) of each process of the learner's. By its real uid:
    /proc shows a process that made itself undumpable as root's."""
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/status") as f:
                    status = dict(line.split(":", 1) for line in f if ":" in line)
            except OSError:
                continue
            if int(status["Uid"].split()[0]) == JOB_UID:
                yield int(name), status


def _be_subreaper(on: bool) -> None:
    """Make the grader adopt the orphans of its descendants (the learner's programs), or stop."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) != 0:
        raise InfraError(f"prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}")


def _reap_adopted() -> None:
    """Reap the learner's orphans this grader adopted as a subreaper and left as zombies. Only
    called once the grader's own children of the learner's (its programs) are waited for."""
    for pid, status in _learner_processes():
        if int(status["PPid"]) == os.getpid() and status["State"].split()[0] == "Z":
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def _unpack(tar: bytes) -> None:
    """Root-owned files (the submission as given, the lab's support files) in place, as
    put_archive puts them into a container."""
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall("/")
