"""One throw-away container per submission: locked down, labelled, and always removed."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import docker
import docker.errors
import docker.models.containers

from .archive import SUBMISSION_DIR, SUPPORT_DIR, submission_tar
from .engine import IMAGES, LABEL, OWNER_LABEL, force_remove, owner
from .errors import CheckFailed, InfraError
from .interrupts import held
from .limits import Confinement, Limits
from .timeline import Action

WORKDIR = "/home/learner/work"
LEARNER = "1000:1000"
LEARNER_UID = 1000
PROBE = "/opt/zombielab/probe.py"
COPY_SUBMISSION = f"cp -pR {SUBMISSION_DIR}/. {WORKDIR}"
BOOT_SHELL = "/bin/sh"     # a booted container's first program: it copies, then execs the command
HALTED = "the grader had stopped the container"   # why a halted sandbox's work fails


# Run as the learner: SIGKILL every process of the learner's (kill(-1) spares only the caller)
# round after round until none runs, as a fork bomb forks again between two rounds. Zombies
# stay for their parent: the noinit image's PID 1 never reaps them, which is that image's point.
# But each holds a PID, so exit 2 if more than argv[1] are left (thousands, after a fork bomb):
# the next exercise needs a fresh container. Then empty the folders argv[2:] of what the learner
# left there (an exercise that filled /tmp must not cost the next one its output file).
KILL_ALL = """
import os, shutil, signal, sys, time
def learner_processes(zombie):
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
                if (state == "Z") == zombie and os.stat(f"/proc/{pid}").st_uid == os.getuid():
                    yield int(pid)
            except (OSError, IndexError):
                pass
for _ in range(100):
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        break
    if not any(learner_processes(zombie=False)):
        break
else:
    raise SystemExit(1)
for _ in range(40):   # a reaping PID 1 (tini) needs a moment
    if len(list(learner_processes(zombie=True))) <= int(sys.argv[1]):
        break
    time.sleep(0.05)
else:
    raise SystemExit(2)
for folder in sys.argv[2:]:
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass
"""
SCRATCH = ("/tmp", "/var/tmp", "/run/lock")   # where learner programs leave files: emptied after each exercise


def _runs_support_program(command: list[str]) -> bool:
    """Whether the command runs one of the lab's root-owned support programs (directly or with
    python3), not a file of the learner's."""
    program = command[0]
    if program == "python3":
        program = next((arg for arg in command[1:] if not arg.startswith("-")), "")
    return program.startswith(SUPPORT_DIR + "/")


class Sandbox:
    """A lab container, removed when the `with` block ends, however it ends.

    By default its first process is a root keep-alive that the grader execs the learner's
    programs into. With `command`, the container's own command is the learner's (run as the
    learner, with a terminal): in the noinit image it is PID 1 itself, in the tini image tini's
    child. Such a container is created but not started: whoever attaches to it starts it, so
    that none of its output is lost. Either way the learner's programs find the submission in
    WORKDIR, copied there as the learner before any of them runs.
    """

    kernel_record = True   # its processes are in the kernel recorder's record (recorder.py)
    learner_uid = LEARNER_UID   # whom the learner's programs run as
    adopter = 1   # who adopts the learner's orphans, as the probe sees it: the container's PID 1

    def __init__(self, client: docker.DockerClient, variant: str, limits: Limits,
                 files: dict[str, Path] | None = None, support: Path | None = None,
                 command: list[str] | None = None, confinement: Confinement = Confinement()):
        if command and confinement.loosened and not _runs_support_program(command):
            # The learner's program as PID 1, free to make namespaces, could put the root
            # `docker exec` of the probe (which joins PID 1's mount namespace) in a world of
            # its making: such a lab boots a trusted harness that runs the learner's code.
            raise InfraError(f"lab bug: with a loosened confinement, a container's command must "
                             f"be a support program in {SUPPORT_DIR}, not {' '.join(command)}")
        self.client = client
        self.confinement = confinement
        self.variant = variant
        self.image = IMAGES[variant]
        self.limits = limits
        self.files = files or {}
        self.support = support
        self.command = command
        self.container = None
        self.halted = False   # by halt(): the grader stopped it
        self.actions: list[Action] = []   # the grader's signals, shown in the learner's timeline

    def __enter__(self) -> "Sandbox":
        # A known name, so that a Ctrl-C landing after the engine made the container but before
        # create() returned can still find and remove it.
        name = f"zombielab-{uuid.uuid4().hex[:12]}"
        try:
            self.container = self._create(
                self.image,
                # The command copies the submission in first, then becomes the program with
                # exec, which keeps its PID (1 in the noinit image).
                [BOOT_SHELL, "-c", f'{COPY_SUBMISSION} && exec "$@"', "sh", *self.command]
                if self.command else ["sleep", "infinity"],
                name=name,
                # The keep-alive runs as root with every capability dropped: learner code runs as
                # uid 1000 and can neither kill it nor the root-owned probe.
                user=LEARNER if self.command else "0:0",
                tty=bool(self.command),
                stdin_open=bool(self.command),
                # No network: a namespace with only loopback. Disabled outright, the engine
                # also skips the network sandbox it would set up for "none" (two re-execs of
                # dockerd per container, ~130 ms of CPU).
                network_mode="none",
                network_disabled=True,
                cap_drop=["ALL"],
                security_opt=self.confinement.security_opt(),
                pids_limit=self.limits.pids,
                mem_limit=f"{self.limits.memory_mb}m",
                memswap_limit=f"{self.limits.memory_mb}m",
                nano_cpus=int(self.limits.cpus * 1e9),
                tmpfs=self._tmpfs(),
                labels={LABEL: "1", OWNER_LABEL: owner()},
                hostname="lab",
            )
            self._copy_in()
            if not self.command:
                self.container.start()
                self._fill_workdir()
        except docker.errors.ImageNotFound as exc:
            raise InfraError(f"image {self.image} is missing: run `make images`") from exc
        except BaseException as exc:
            self._remove_by_name(name)
            if isinstance(exc, docker.errors.DockerException):
                raise InfraError(f"could not start a grading container: {exc}") from exc
            raise
        return self

    def _create(self, image: str, command: list[str], **options):
        """containers.create, plus unmasking /proc, which docker-py has no option for. With
        interrupts held (grader/interrupts.py): a create cut short leaves the engine making the
        container after __enter__ looked for it by name (it stays, Created), or the client's
        connection pool locked, which hangs the cleanup's next call; this one ends within the
        client's timeout, and the interrupt comes then, when the name finds the container."""
        with held():
            if not self.confinement.proc_unmasked:
                return self.client.containers.create(image, command, **options)
            args = docker.models.containers._create_container_args(
                dict(options, image=image, command=command, version=self.client.api._version))
            args["host_config"].update(MaskedPaths=[], ReadonlyPaths=[])   # systempaths=unconfined
            return self.client.containers.get(self.client.api.create_container(**args)["Id"])

    def _tmpfs(self) -> dict[str, str]:
        """Every place uid 1000 can write is a size-bounded tmpfs: memory, counted in the
        memory limit, never the writable layer on the host's disk. The learner's home (whose
        dotfiles the learner owns) is covered too. Docker mounts each nosuid, nodev, noexec
        unless told otherwise: the work folder keeps exec, as programs there had it before."""
        learners = "mode=0755,uid=1000,gid=1000"
        return {
            "/tmp": f"size={self.limits.tmp_mb}m,mode=1777",
            "/var/tmp": "size=1m,mode=1777",
            "/run/lock": "size=1m,mode=1777",
            "/home/learner": f"size=1m,{learners}",
            WORKDIR: f"size={self.limits.disk_mb}m,exec,{learners}",
        }

    def _copy_in(self) -> None:
        if not self.container.put_archive("/", submission_tar(self.files, self.support)):
            raise InfraError("could not copy the submission and the lab's files into the container")

    def add_file(self, name: str, path: Path) -> None:
        """One more file of the submission's (a compiled program) in a running container's
        work folder, copied in as the learner, as the others were."""
        if not self.container.put_archive("/", submission_tar({name: path})):
            raise InfraError(f"could not copy {name} into the container")
        code, output = self.container.exec_run(
            ["cp", "-p", f"{SUBMISSION_DIR}/{name}", f"{WORKDIR}/{name}"], user=LEARNER)
        if code != 0:
            raise InfraError(f"could not copy {name} into {WORKDIR}: "
                             f"{output.decode('utf-8', 'replace').strip()}")

    def _fill_workdir(self) -> None:
        """Copy the submission into the work folder as the learner, so the learner owns it."""
        code, output = self.container.exec_run(["sh", "-c", COPY_SUBMISSION], user=LEARNER)
        if code != 0:
            raise InfraError(f"could not copy the submission into {WORKDIR}: "
                             f"{output.decode('utf-8', 'replace').strip()}")

    def _remove_by_name(self, name: str) -> None:
        try:
            force_remove(self.client.containers.get(name))
        except docker.errors.NotFound:
            pass

    def __exit__(self, *exc_info) -> None:
        self.remove()

    def remove(self) -> None:
        if self.container is not None:
            force_remove(self.container)
            self.container = None

    @property
    def id(self) -> str:
        return self.container.id

    def running(self) -> bool:
        try:
            self.container.reload()
        except docker.errors.NotFound:
            return False
        return self.container.status == "running"

    def wait_running(self, timeout: float = 10.0) -> bool:
        """After an attach has started the container: wait until it runs (False if it ended)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.container.reload()
            if self.container.status == "running":
                return True
            if self.container.status in ("exited", "dead"):
                return False
            time.sleep(0.02)
        raise InfraError(f"the container did not start within {timeout:g} s")

    def kill(self, signame: str) -> None:
        """Signal the container's PID 1 from outside, as `docker kill -s` does."""
        self.actions.append(Action(time.monotonic(), f"SIG{signame} from outside (docker kill)", [1]))
        try:
            self.container.kill(signal=f"SIG{signame}")
        except docker.errors.APIError as exc:
            if self.running():
                raise InfraError(f"could not send SIG{signame} to the container: {exc}") from exc

    def halt(self) -> None:
        """SIGKILL the container's PID 1, which ends every process of its PID namespace at once:
        the one stop a fork bomb cannot outrun and that needs no PID free inside."""
        self.halted = True
        try:
            self.container.kill()
        except docker.errors.APIError:
            pass    # it had stopped already

    def exec_output(self, *argv: str) -> tuple[int, str]:
        """Run a trusted command as the learner (root here has no CAP_KILL or CAP_SYS_PTRACE,
        so signals and ptrace-guarded /proc files need the learner's uid); return its exit
        code and standard output."""
        if self.halted:
            raise CheckFailed(HALTED)
        try:
            result = self.container.exec_run(list(argv), user=LEARNER, stderr=False)
        except docker.errors.DockerException as exc:
            if self.command and not self.running():
                # A booted container stops when its command ends: the learner's doing.
                raise CheckFailed(f"the container's command ({' '.join(self.command[:2])}) had "
                                  "exited, and the container with it") from exc
            raise InfraError(f"docker exec failed: {exc}") from exc
        return result.exit_code, result.output.decode("utf-8", "replace")

    def exec_learner(self, *argv: str) -> int:
        return self.exec_output(*argv)[0]

    def signal(self, pids: int | list[int], signame: str) -> None:
        """Signal one process, or several with one kill (one docker exec for them all)."""
        pids = [pids] if isinstance(pids, int) else pids
        # Noted as the grader asks: the kill runs in the container tens of milliseconds later.
        self.actions.append(Action(time.monotonic(), f"SIG{signame}", list(pids)))
        if pids and self.exec_learner("kill", "-s", signame, "--", *map(str, pids)) != 0:
            # kill runs as the learner, on the learner's process: it had ended, or a fork bomb
            # left no PID to run kill in (the engine failing raises InfraError on its own).
            which = f"PID {pids[0]}" if len(pids) == 1 else \
                f"one of PIDs {', '.join(map(str, pids[:5]))}{' ...' if len(pids) > 5 else ''}"
            raise CheckFailed(f"could not send SIG{signame} to {which}: it had ended, or "
                              "the container had no PID left to run kill in")

    def kill_learner_processes(self, empty_scratch: bool = False) -> bool:
        """End everything the learner's programs left behind, so exercises don't meet. False
        if the container is not clean for the next exercise: a fork bomb at the pids limit can
        leave docker exec no PID to run in, or zombies no one will reap hold many PIDs."""
        if self.halted:
            return False
        for _ in range(3):
            try:
                code = self.exec_learner("python3", "-I", "-c", KILL_ALL, str(self.limits.zombies_kept),
                                         *(SCRATCH if empty_scratch else ()))
            except InfraError:
                continue
            if code in (0, 2):
                return code == 0
        return False

    def exec_argv(self, *argv: str, user: str = LEARNER, tty: bool = True) -> list[str]:
        """The `docker exec` command line that runs argv in this container."""
        flags = ["-it"] if tty else ["-i"]
        return ["docker", "exec", *flags, "-u", user, "-w", WORKDIR, self.id, *argv]
