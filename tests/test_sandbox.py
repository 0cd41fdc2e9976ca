"""The grading sandbox really is locked down: asked from inside a real container, as the learner.

Every check here runs a command in a grader.sandbox.Sandbox with `docker exec` as uid 1000, the
way the learner's programs run while they are graded, and reads what the kernel says."""
import hashlib
import shutil
import threading
import time
from pathlib import Path

import docker.errors
import pytest

from grader.containers import Containers
from grader.labspec import load
from grader.proc import Probe
from grader.errors import InfraError
from grader.archive import SUBMISSION_DIR, SUPPORT_DIR
from grader.engine import IMAGES
from grader.limits import Confinement, Limits
from grader.sandbox import LEARNER, PROBE, WORKDIR, Sandbox

LIMITS = Limits()


def run(sandbox: Sandbox, *argv: str, user: str = LEARNER) -> tuple[int, str]:
    result = sandbox.container.exec_run(list(argv), user=user)
    return result.exit_code, result.output.decode("utf-8", "replace")


def status_fields(sandbox: Sandbox, user: str) -> dict[str, str]:
    code, out = run(sandbox, "cat", "/proc/self/status", user=user)
    assert code == 0, out
    return {key: value.strip() for key, _, value in
            (line.partition(":") for line in out.splitlines())}


@pytest.fixture(scope="module", params=sorted(IMAGES))
def sandbox(request, client):
    """One sandbox per image for the read-only checks; the tests that change it make their own."""
    with Sandbox(client, request.param, LIMITS) as box:
        yield box


def test_learner_is_uid_1000(sandbox):
    code, out = run(sandbox, "id", "-u")
    assert (code, out.strip()) == (0, "1000")
    code, out = run(sandbox, "id", "-g")
    assert (code, out.strip()) == (0, "1000")


@pytest.mark.parametrize("user", [LEARNER, "0:0"], ids=["learner", "root"])
def test_no_capabilities_and_no_new_privileges(sandbox, user):
    """Even the container's root (the probe, the keep-alive process) holds no capability."""
    status = status_fields(sandbox, user)
    for field in ("CapEff", "CapPrm", "CapBnd", "CapAmb"):
        assert int(status[field], 16) == 0, f"{field} is {status[field]} for {user}"
    assert status["NoNewPrivs"] == "1"


def test_only_the_loopback_interface(sandbox):
    code, out = run(sandbox, "cat", "/proc/net/dev")
    assert code == 0, out
    interfaces = {line.split(":")[0].strip() for line in out.splitlines()[2:] if ":" in line}
    assert interfaces == {"lo"}
    code, out = run(sandbox, "python3", "-c", (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 53), timeout=3)\n"
        "    print('connected')\n"
        "except OSError as exc:\n"
        "    print('errno', exc.errno)\n"))
    assert (code, out.strip()) == (0, "errno 101"), "the learner reached the network"  # ENETUNREACH


def test_memory_limit_is_set(sandbox):
    sandbox.container.reload()
    host_config = sandbox.container.attrs["HostConfig"]
    limit = LIMITS.memory_mb * 2**20
    assert host_config["Memory"] == limit
    assert host_config["MemorySwap"] == limit, "swap would let a learner exceed the memory limit"
    # What the kernel enforces, seen from inside (cgroup v1 here; cgroup v2 names it memory.max).
    code, out = run(sandbox, "sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes "
                                         "2>/dev/null || cat /sys/fs/cgroup/memory.max")
    assert (code, out.strip()) == (0, str(limit))


def test_probe_is_root_owned_and_read_only_to_the_learner(sandbox):
    code, out = run(sandbox, "stat", "-c", "%n %u %g %a", "/opt/zombielab", PROBE)
    assert code == 0, out
    assert out.split("\n")[:2] == ["/opt/zombielab 0 0 755", f"{PROBE} 0 0 755"]
    before = hashlib.sha256(sandbox.container.exec_run(["cat", PROBE]).output).hexdigest()

    attempts = {
        "append to the probe": f"echo 'print(1)' >> {PROBE}",
        "replace the probe": f"cp /bin/true {PROBE}",
        "chmod the probe": f"chmod 777 {PROBE}",
        "remove the probe": f"rm -f {PROBE}",
        "add a file next to it": "touch /opt/zombielab/sitecustomize.py",
        "rename its folder": "mv /opt/zombielab /opt/elsewhere",
    }
    for what, command in attempts.items():
        code, out = run(sandbox, "sh", "-c", command)
        assert code != 0, f"the learner could {what}: {out}"

    after = hashlib.sha256(sandbox.container.exec_run(["cat", PROBE]).output).hexdigest()
    assert after == before
    code, out = run(sandbox, "ls", "-A", "/opt/zombielab")
    assert out.split() == ["lab", "probe.py"]   # lab/: a lab's root-owned support files


# Writes 1 MiB blocks into a new file in each folder until it is refused or has written the
# first argument's MiB; prints each folder, the MiB written and the error's name.
FILL = """
import errno, os, sys
block = b"x" * 2**20
for folder in sys.argv[2:]:
    written, error = 0, "none"
    try:
        with open(os.path.join(folder, "fill"), "wb", buffering=0) as f:
            while written < int(sys.argv[1]):
                f.write(block)
                written += 1
    except OSError as exc:
        error = errno.errorcode[exc.errno]
    print(folder, written, error)
"""
# Filesystems that are not disk: memory (tmpfs) and the kernel's own (device nodes, queues).
NOT_DISK = {"tmpfs", "devpts", "mqueue"}


def test_the_learner_cannot_fill_the_hosts_disk(client):
    """Past disk_mb the work folder is full; the other places the learner can write are small,
    and every one is memory, none the container's writable layer on the host's disk."""
    docker_root = client.info()["DockerRootDir"]
    with Sandbox(client, "noinit", LIMITS, {"zombie.py": Path(__file__)}) as box:
        code, out = run(box, "stat", "-c", "%U %a", f"{WORKDIR}/zombie.py")
        assert (code, out.strip()) == (0, "learner 644"), "the submission was not copied in"
        free = shutil.disk_usage(docker_root).free
        code, out = run(box, "python3", "-c", FILL, str(2 * LIMITS.disk_mb), WORKDIR, "/tmp",
                        "/var/tmp", "/run/lock", "/home/learner", SUBMISSION_DIR, "/")
        shrunk = free - shutil.disk_usage(docker_root).free
        assert code == 0, out
        filled = {folder: (int(mib), error) for folder, mib, error in map(str.split, out.splitlines())}
        assert filled[WORKDIR][1] == "ENOSPC" and filled[WORKDIR][0] <= LIMITS.disk_mb, filled
        assert filled["/tmp"][1] == "ENOSPC" and filled["/tmp"][0] <= LIMITS.tmp_mb, filled
        for folder in ("/var/tmp", "/run/lock", "/home/learner"):
            assert filled[folder][1] == "ENOSPC" and filled[folder][0] <= 1, filled
        assert filled[SUBMISSION_DIR] == filled["/"] == (0, "EACCES"), filled
        assert shrunk < 16 * 2**20, f"the host's disk lost {shrunk // 2**20} MiB"

        code, out = run(box, "sh", "-c", "find / \\( -path /proc -o -path /sys \\) -prune -o "
                                         "-writable ! -type l -exec stat -f -c '%T %n' {} + 2>/dev/null")
        writable = dict(reversed(line.split(" ", 1)) for line in out.splitlines())
        assert WORKDIR in writable, out
        assert set(writable.values()) <= NOT_DISK, out


def live_learner_processes(box: Sandbox) -> list[str]:
    """The learner's processes that still run (zombies are dead: under the noinit image's
    non-reaping PID 1, the killed orphans stay zombies, which is the lab's very point)."""
    code, out = run(box, "ps", "-o", "pid=,stat=,comm=", "-u", "1000", user="0:0")
    return [line.strip() for line in out.splitlines() if line.split() and line.split()[1][0] != "Z"]


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# Forks twice the pids limit. Each child blocks on a pipe until the parent closes it, so the
# children are all alive at once, and all end (and are reaped) however the parent ends.
FORK_BOMB = """
import os, sys
limit = int(sys.argv[1])
r, w = os.pipe()
forked = refused = 0
for _ in range(2 * limit):
    try:
        pid = os.fork()
    except BlockingIOError:      # EAGAIN: the pids cgroup refused
        refused += 1
        continue
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    forked += 1
os.close(w)
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
print(forked, refused)
"""


def test_pids_limit_holds(client):
    with Sandbox(client, "noinit", LIMITS) as box:
        code, out = run(box, "cat", "/sys/fs/cgroup/pids/pids.max")
        assert (code, out.strip()) == (0, str(LIMITS.pids))
        code, out = run(box, "timeout", "-s", "KILL", "60", "python3", "-c", FORK_BOMB,
                        str(LIMITS.pids))
        assert code == 0, out
        forked, refused = map(int, out.split())
        assert refused > 0, f"forked {forked} children under a limit of {LIMITS.pids}"
        assert forked < LIMITS.pids
        # The refusals came from the limit, not from something else failing early.
        assert forked > LIMITS.pids // 2
        box.kill_learner_processes()
        assert wait_until(lambda: not live_learner_processes(box), 5), live_learner_processes(box)


@pytest.mark.parametrize("variant", sorted(IMAGES))
def test_kill_learner_processes_ends_them_all(client, variant):
    """What the grader does between exercises, so that one exercise's leftovers don't meet the next."""
    with Sandbox(client, variant, LIMITS) as box:
        for _ in range(3):
            box.container.exec_run(["sleep", "1000"], user=LEARNER, detach=True)
        box.container.exec_run(["sh", "-c", "sleep 1000 & sleep 1000 & wait"], user=LEARNER,
                               detach=True)
        assert wait_until(lambda: len(live_learner_processes(box)) == 6, 10), \
            f"the learner's processes never started: {live_learner_processes(box)}"

        assert box.kill_learner_processes()
        assert wait_until(lambda: not live_learner_processes(box), 5), \
            f"still running after kill_learner_processes: {live_learner_processes(box)}"
        code, out = run(box, "ps", "-o", "pid=", "-p", "1", user="0:0")
        assert out.split() == ["1"], "the container's keep-alive PID 1 must survive"


@pytest.mark.parametrize("variant", sorted(IMAGES))
def test_many_zombies_left_for_pid_1_make_the_container_unclean(client, variant):
    """A hundred orphans killed at once are left as zombies of PID 1, which only tini reaps:
    in the noinit image they would hold PIDs the next exercise needs."""
    with Sandbox(client, variant, LIMITS) as box:
        code, out = run(box, "sh", "-c", "for i in $(seq 100); do sleep 1000 & done")
        assert code == 0, out
        assert wait_until(lambda: len(live_learner_processes(box)) == 100, 10)
        assert box.kill_learner_processes() == (variant == "tini")
        assert not live_learner_processes(box)


def test_container_removed_when_block_ends(client):
    with Sandbox(client, "noinit", LIMITS) as box:
        container_id = box.id
        assert client.containers.get(container_id).status == "running"
    with pytest.raises(docker.errors.NotFound):
        client.containers.get(container_id)


def test_container_removed_when_block_raises(client):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with Sandbox(client, "tini", LIMITS) as box:
            container_id = box.id
            assert client.containers.get(container_id).status == "running"
            raise Boom
    with pytest.raises(docker.errors.NotFound):
        client.containers.get(container_id)


@pytest.mark.parametrize("variant", sorted(IMAGES))
def test_probe_survives_the_learner_killing_everything(client, variant):
    with Sandbox(client, variant, LIMITS) as box:
        probe = Probe(box)
        try:
            box.container.exec_run(["sleep", "1000"], user=LEARNER, detach=True)
            seen = probe.wait_for(lambda procs: any(p.comm == "sleep" and p.uid == 1000
                                                    for p in procs.values()), timeout=10)
            assert seen is not None, "the learner's sleep never started"

            code, out = run(box, "kill", "-9", "-1")   # as the learner would type it
            procs = probe.wait_for(lambda procs: not any(p.uid == 1000 and p.state != "Z"
                                                         for p in procs.values()), timeout=5)
            assert procs is not None, "kill -9 -1 left learner processes: the test proves nothing"

            time.sleep(0.2)
            procs = probe.snapshot()   # raises InfraError if the probe was killed
            assert 1 in procs, "the container's PID 1 was killed by the learner"
            assert any(p.comm == "python3" and p.uid == 0 for p in procs.values()), procs
            assert probe.record().processes(), "the kernel's record of the container was lost"
        finally:
            probe.close()


def test_probe_details_read_cwd_and_open_files_as_the_learner(client):
    """cwd and /proc/PID/fd are ptrace-guarded: the probe reads them with the learner's uid."""
    with Sandbox(client, "tini", Limits()) as box:
        box.container.exec_run(["sh", "-c", "cd /tmp && exec sleep 30 </dev/null >/dev/null 2>&1"],
                               user="1000:1000", detach=True)
        probe = Probe(box)
        try:
            sleeper = probe.wait_for(lambda procs: any(p.comm == "sleep" and p.uid == 1000
                                                       for p in procs.values()), timeout=5)
            pid = next(p.pid for p in sleeper.values() if p.comm == "sleep" and p.uid == 1000)
            info = probe.details(pid)
        finally:
            probe.close()
    assert info["cwd"] == "/tmp"
    assert info["fds"] == {"0": "/dev/null", "1": "/dev/null", "2": "/dev/null"}


@pytest.mark.parametrize("variant", ["noinit", "tini"])
def test_a_booted_program_is_the_containers_command(client, variant):
    """ex.boot: the program is PID 1 itself without an init, tini's child with it; a signal
    from outside (docker kill) reaches PID 1, and the program's exit status is the container's."""
    from grader import labspec
    from grader.exercise import Exercise
    lab = labspec.load("lab3")
    program = ("import os, signal, sys, time\n"
               "signal.signal(signal.SIGTERM, lambda *_: sys.exit(7))\n"
               "print('pid', os.getpid(), 'in', os.listdir(), flush=True)\n"
               "time.sleep(60)\n")
    with Containers(client, lab, {"zombie.py": Path(__file__)}) as containers:
        ex = Exercise(lab.spec.exercises[0], containers, variant, 1 << 20)
        try:
            booted = ex.boot(command=["python3", "-c", program])
            # The submission was copied into its folder before the program became PID 1.
            pid = int(booted.program.expect_line(r"pid (\d+) in \['zombie.py'\]", 15).group(1))
            init = booted.probe.get(1)
            booted.kill("TERM")
            status = booted.program.wait_exit(10)
        finally:
            ex.stop_programs()
    assert (pid == 1) == (variant == "noinit")
    assert init.comm == ("python3" if variant == "noinit" else "tini")
    assert status == 7


USERNS_PIDNS = ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc",
                "cat", "/proc/sys/kernel/pid_max"]


def test_the_default_confinement_refuses_user_namespaces(client):
    with Sandbox(client, "noinit", LIMITS) as box:
        code, out = run(box, *USERNS_PIDNS)
        assert code != 0 and "Operation not permitted" in out, out


def test_a_confinement_allows_a_user_and_pid_namespace_with_its_own_proc(client):
    confinement = Confinement(seccomp_profile="seccomp-userns.json", proc_unmasked=True)
    with Sandbox(client, "noinit", LIMITS, confinement=confinement) as box:
        box.container.reload()
        assert box.container.attrs["HostConfig"]["MaskedPaths"] == []
        code, out = run(box, *USERNS_PIDNS)
        assert (code, out.strip()) == (0, "4194304"), out
        # Only those namespaces: a network or UTS namespace stays refused by the profile.
        for flag in ("--net", "--uts", "--ipc", "--cgroup"):
            code, out = run(box, "unshare", "--user", "--map-root-user", flag, "true")
            assert code != 0 and "Operation not permitted" in out, (flag, out)
        # No mount outside the learner's own mount namespace: the kernel wants CAP_SYS_ADMIN.
        code, out = run(box, "mount", "-t", "tmpfs", "none", "/tmp")
        assert code != 0, out


def test_a_loosened_confinement_boots_only_support_programs(client):
    """The learner's own program as PID 1, allowed namespaces, could trap the probe's exec."""
    confinement = Confinement(seccomp_profile="seccomp-userns.json", proc_unmasked=True)
    with pytest.raises(InfraError, match="lab bug: with a loosened confinement"):
        Sandbox(client, "noinit", LIMITS, command=["python3", "-I", "exhaust.py"], confinement=confinement)
    with Sandbox(client, "noinit", LIMITS, command=["python3", "-I", f"{SUPPORT_DIR}/harness.py"],
                 confinement=confinement):
        pass


def test_a_booted_container_can_have_its_own_pids_limit(client):
    with Containers(client, load("lab3"), {}) as containers:
        with containers.sandbox("noinit", ["true"], pids=32) as box:
            box.container.reload()
            assert box.container.attrs["HostConfig"]["PidsLimit"] == 32
        with containers.sandbox("noinit", ["true"]) as box:
            box.container.reload()
            assert box.container.attrs["HostConfig"]["PidsLimit"] == load("lab3").limits.pids


def test_removing_a_container_another_process_is_removing_is_not_an_error(client):
    """A killed batch's graders remove their containers while the next batch sweeps for strays;
    the engine answers the second removal with 409 "already in progress"."""
    with Sandbox(client, "noinit", LIMITS) as box:
        # Many files in the writable layer make the engine's removal last long enough to be seen
        # (root's: nothing there is the learner's to write).
        code, out = run(box, "sh", "-c", "mkdir /many && cd /many && seq 10000 | xargs touch",
                        user="0:0")
        assert code == 0, out
        container_id = box.id
        other = threading.Thread(target=client.api.remove_container, args=(container_id,),
                                 kwargs={"force": True})
        other.start()
        try:
            seen_removing = False
            while not seen_removing:
                try:
                    status = client.api.inspect_container(container_id)["State"]["Status"]
                except docker.errors.NotFound:
                    break
                seen_removing = status == "removing"
            assert seen_removing, "the removal ended before it could be seen; make it slower"
            box.remove()            # must not raise
        finally:
            other.join()
    with pytest.raises(docker.errors.NotFound):
        client.api.inspect_container(container_id)


def test_an_exercise_past_its_time_limit_is_halted_and_the_next_gets_a_fresh_container(client):
    """The watchdog: a scenario still waiting when the exercise's time is up (a fork bomb slows
    every probe answer) is ended by halting its containers, booted ones too; what it had not
    judged fails for the time limit, and the next exercise starts in a working container."""
    from grader.errors import CheckFailed
    from grader.exercise import OVERRUN_GRACE, Exercise
    lab = load("lab3")
    spec = lab.spec.exercises[0].model_copy(update={"timeout": 1.0})
    with Containers(client, lab, {}) as containers:
        other, _ = containers.get("tini")   # another exercise's: not this one's to halt
        ex = Exercise(spec, containers, "noinit", 1 << 20)
        started = time.monotonic()
        try:
            with pytest.raises(CheckFailed, match="the grader had stopped the container"):
                with ex.time_limit():
                    booted = ex.boot(command=["sleep", "600"])
                    booted.probe.get(1)
                    ex.probe.wait_for(lambda procs: False, timeout=120)   # never satisfied
            took = time.monotonic() - started
            ex.fail_unjudged("a reason the halt replaces")
            assert wait_until(lambda: not booted.sandbox.running(), 10)
        finally:
            ex.stop_programs()
        sandbox, probe = containers.get("noinit")
        assert sandbox.running() and probe.get(1) is not None
        assert other.running() and not other.halted
    assert took < 1.0 + OVERRUN_GRACE + 10
    assert {r.observed for r in ex.ordered_results()} == {
        "the exercise ran past its 1 s time limit; the grader stopped its containers"}
