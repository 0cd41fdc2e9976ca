"""Lab 5 beyond what tests/test_labs.py checks for every lab: its sandbox keeps the host safe
(the host's pid_max and core_pattern stay as they were and cannot be written from the lab, by
the learner or by the learner's namespace root), pidns-shell works, the handout's demos show
what the handout says, other labs still refuse user namespaces, and an older kernel is graded
with the pid_max checks skipped."""
import json
import re
import shutil
from pathlib import Path

import pytest

from grader import labspec
from grader.grade import Containers
from grader.sandbox import IMAGES, LEARNER, Sandbox
from conftest import ROOT
from test_cli import grader

LAB = labspec.load("lab5")
HOST_SYSCTLS = [Path("/proc/sys/kernel/pid_max"), Path("/proc/sys/kernel/core_pattern")]
PIDNS_SHELL = "/opt/zombielab/lab/pidns-shell"


def host_sysctls(client) -> list[str]:
    """core_pattern (one for the machine) and pid_max (one per PID namespace since 6.14) as this
    process sees them, and as a new plain container inherits them from the Docker engine's."""
    fresh = client.containers.run(IMAGES["noinit"], ["cat", *map(str, HOST_SYSCTLS)],
                                  remove=True, network_mode="none")
    return [path.read_text() for path in HOST_SYSCTLS] + fresh.decode().splitlines()


@pytest.fixture(scope="module", autouse=True)
def host_sysctls_unchanged(client):
    """Whatever this module does in Lab 5's containers, the host's settings stay."""
    before = host_sysctls(client)
    yield
    assert host_sysctls(client) == before


@pytest.fixture(scope="module")
def lab5(client):
    """A Lab 5 grading container (its confinement, its support files), holding the demos."""
    with Containers(client, LAB, {p.name: p for p in (LAB.folder / "demos").glob("*.py")}) as containers:
        yield containers.get("noinit")[0]


def run(box: Sandbox, command: str, user: str = LEARNER) -> tuple[int, str]:
    result = box.container.exec_run(["sh", "-c", command], user=user)
    return result.exit_code, result.output.decode("utf-8", "replace")


@pytest.mark.parametrize("who, prefix", [
    ("learner", ""),
    ("namespace root", f"{PIDNS_SHELL} "),            # root in a user + PID namespace of its own
    ("user namespace root", "unshare --user --map-root-user "),   # root, no new PID namespace
])
@pytest.mark.parametrize("path", HOST_SYSCTLS, ids=lambda p: p.name)
def test_host_sysctls_are_not_writable_from_the_lab(lab5, who, prefix, path):
    name = f"kernel.{path.name}"
    container_before = run(lab5, f"cat {path}")[1]
    for write in (f"sh -c 'echo 12345 > {path}'", f"sysctl -w {name}=12345"):
        code, out = run(lab5, prefix + write)
        if who == "namespace root" and path.name == "pid_max":
            # Allowed, and only the namespace's own: the host's stays (the module's fixture).
            assert code == 0, out
        else:
            assert code != 0 and re.search(r"[Pp]ermission denied", out), (who, write, out)
    # The container's own PID namespace keeps its pid_max too.
    assert run(lab5, f"cat {path}")[1] == container_before


def test_pidns_shell_gives_a_namespace_of_ones_own(lab5):
    code, out = run(lab5, f"{PIDNS_SHELL} sh -c 'echo $$; id -u; sysctl -w kernel.pid_max=500; "
                          "cat /proc/sys/kernel/pid_max; ps -e -o pid= | wc -l'")
    assert code == 0, out
    assert out.split("\n")[:5] == ["1", "0", "kernel.pid_max = 500", "500", "3"], out  # sh, ps and wc
    code, out = run(lab5, f"{PIDNS_SHELL} sh -c 'cat /proc/self/uid_map'")
    assert out.split() == ["0", "1000", "1"], "namespace root is uid 1000 outside"


def test_the_grading_harness_is_undumpable(client):
    """PID 1 of a booted Lab 5 container is the harness, which the learner may not ptrace into
    entering a namespace of theirs (docker exec, and so the root probe, would follow it)."""
    command = ["python3", "-I", "/opt/zombielab/lab/harness.py", "--", "true"]
    with Containers(client, LAB, {}).sandbox("noinit", command) as box:
        box.container.start()
        assert box.wait_running()
        code, out = run(box, "cat /proc/1/environ >/dev/null && echo readable")
        assert code != 0 and "Permission denied" in out, out


def test_the_seccomp_profile_adds_only_unshare_and_mount():
    """Docker's default profile plus two rules, marked as ours (what they allow is tested in
    tests/test_sandbox.py; why, in the README)."""
    profile = json.loads((ROOT / "images" / LAB.spec.confinement.seccomp_profile).read_text())
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    added = [rule for rule in profile["syscalls"] if rule["comment"].startswith("zombielab:")]
    assert [(rule["names"], rule["action"]) for rule in added] == [
        (["unshare"], "SCMP_ACT_ALLOW"), (["mount"], "SCMP_ACT_ALLOW")]
    allowed = 0x10000000 | 0x20000000 | 0x00020000     # CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS
    assert added[0]["args"] == [{"index": 0, "value": (2**64 - 1) ^ allowed, "valueTwo": 0,
                                 "op": "SCMP_CMP_MASKED_EQ"}]


def test_other_labs_still_refuse_user_namespaces(client):
    with Containers(client, labspec.load("lab3"), {}) as containers:
        box = containers.get("noinit")[0]
        code, out = run(box, "unshare --user --map-root-user true")
        assert code != 0 and "Operation not permitted" in out, out


def test_demo_pid_limits(lab5):
    code, out = run(lab5, "python3 pid_limits.py")
    assert code == 0, out
    assert re.search(r"smallest allowed +max\(301, 8 x \d+ possible CPUs\) = \d+", out), out
    assert re.search(rf"pids cgroup +\d+ of {LAB.limits.pids} in use", out), out


def test_demo_zombie_holds_pid(lab5):
    code, out = run(lab5, "python3 zombie_holds_pid.py")
    assert code == 0, out
    before, during = map(int, re.search(r"state is Z \(zombie\), pids in use (\d+) -> (\d+)", out).groups())
    assert during == before + 1, out
    assert re.search(rf"exit code 7\); /proc/\d+ exists: False, pids in use {before}$", out, re.M), out


def test_demo_wraparound_restarts_at_300(lab5):
    code, out = run(lab5, f"{PIDNS_SHELL} python3 wraparound.py")
    assert code == 0, out
    assert "children got PIDs 2..399, then 300, 301, 302" in out, out


def test_demo_nested_limit(lab5):
    code, out = run(lab5, f"{PIDNS_SHELL} python3 nested_limit.py")
    assert code == 0, out
    count = int(re.search(r"pid_max 4194304, but fork failed with EAGAIN after (\d+) children", out).group(1))
    assert 390 <= count < 400, out


def test_an_older_kernel_skips_the_pid_max_checks(tmp_path):
    shutil.copytree(LAB.folder / "solution", tmp_path / "submission")
    result = grader("grade", "lab5", tmp_path / "submission", "--only", "pid_max.conf",
                    "--only", "exhaust.py", env={"ZOMBIELAB_KERNEL_RELEASE": "6.13.0"})
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = {m.group(2): m.group(1) for m in
                re.finditer(r"^(OK|FAIL|SKIP) +\d+/\d+ +(\S+: .+)$", result.stdout, re.M)}
    skipped = {name for name, verdict in verdicts.items() if verdict == "SKIP"}
    assert skipped == {"exhaust.py: in a PID namespace with a small pid_max, holds and counts every free PID"} | {
        f"pid_max.conf: {c.name}" for c in LAB.spec.exercises[1].checks}, result.stdout
    assert set(verdicts.values()) == {"OK", "SKIP"}, result.stdout
    assert "skipped: kernel 6.13.0 has one kernel.pid_max for the whole machine" in result.stdout
    assert re.search(r"^Score: 5/5 ", result.stdout, re.M), result.stdout
