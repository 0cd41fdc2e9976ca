"""Lab 5 beyond what tests/test_labs.py checks for every lab: its sandbox keeps the host safe
(the host's pid_max and core_pattern stay as they were and cannot be written from the lab, by
the learner or by the learner's namespace root), pidns-shell works, the handout's demos show
what the handout says (with the numbers they imply), other labs still refuse user namespaces,
an older kernel is graded with the pid_max checks skipped, the demos and the harness find the
pids cgroup on cgroup v1 and v2, and they and the checks find pid_max's bounds with any number of
CPUs (support/pidspace.py, tried on fixture trees of both layouts; this machine is cgroup v1)."""
import importlib.util
import json
import re
import time
from pathlib import Path

import pytest

from grader import corpus, labspec
from grader.containers import Containers
from grader.engine import IMAGES
from grader.sandbox import LEARNER, Sandbox
from conftest import ROOT
from test_cli import grader

LAB = labspec.load("lab5")
SPEC = importlib.util.spec_from_file_location("pidspace", LAB.folder / "support" / "pidspace.py")
pidspace = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(pidspace)
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
        # PID 1 is the boot shell until it execs the harness, which then makes itself
        # undumpable before it says it is ready.
        deadline = time.monotonic() + 15
        while b"harness ready" not in box.container.logs() and time.monotonic() < deadline:
            time.sleep(0.05)
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
    assert re.search(rf"exit code 7\); /proc/\d+ exists: False, pids in use {before} ", out), out


def test_demo_wraparound_restarts_at_300(lab5):
    code, out = run(lab5, f"{PIDNS_SHELL} python3 wraparound.py")
    assert code == 0, out
    pid_max = pidspace.smallest_pid_max() + 100     # the same kernel as the container's
    assert f"pid_max {pid_max}: children got PIDs 2..{pid_max - 1}, then 300, 301, 302..." in out, out


def test_demo_nested_limit(lab5):
    code, out = run(lab5, f"{PIDNS_SHELL} python3 nested_limit.py")
    assert code == 0, out
    count = int(re.search(r"pid_max 4194304, but fork failed with EAGAIN after (\d+) children", out).group(1))
    # The outer namespace's PIDs 1 to 3 are the demo, unshare and the nested namespace's PID 1.
    pid_max = pidspace.smallest_pid_max() + 100
    assert count == pid_max - 4, out
    assert f"handed out every PID up to {pid_max - 1} = pid_max - 1" in out, out


def test_demo_nproc_limit(lab5):
    code, out = run(lab5, f"{PIDNS_SHELL} python3 nproc_limit.py")
    assert code == 0, out
    # RLIMIT_NPROC 8 in a fresh user namespace: pidns-shell's unshare, the demo, 6 children.
    assert "RLIMIT_NPROC 8: fork failed with EAGAIN after 6 children" in out, out


# --- where the PID limits are, on any machine (support/pidspace.py) ---------------------------
def reader(root: Path):
    """pidspace's own reader, on a fixture tree instead of the machine's files."""
    return lambda path: pidspace.read_here(f"{root}{path}")


def fixture_tree(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / path.lstrip("/")).write_text(text)
    return root


CGROUP_V1 = {"/sys/fs/cgroup/pids/pids.max": "512\n", "/sys/fs/cgroup/pids/pids.current": "3\n",
             "/sys/fs/cgroup/pids/pids.events": "max 2\n",
             "/sys/fs/cgroup/memory/memory.limit_in_bytes": "1073741824\n"}
CGROUP_V2 = {"/sys/fs/cgroup/pids.max": "512\n", "/sys/fs/cgroup/pids.current": "3\n",
             "/sys/fs/cgroup/pids.events": "max 2\nmax.imposed 2\n",     # Linux 6.13 and newer
             "/sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n"}
# A machine's root cgroup under v2 (no container): no pids.max there, nor a pids hierarchy.
NO_PIDS_CGROUP = {"/sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n"}


@pytest.mark.parametrize("files, folder", [
    (CGROUP_V1, "/sys/fs/cgroup/pids"), (CGROUP_V2, "/sys/fs/cgroup"), (NO_PIDS_CGROUP, None),
], ids=["cgroup v1", "cgroup v2", "no pids cgroup"])
def test_the_pids_cgroup_is_found_in_either_layout(tmp_path, files, folder):
    read = reader(fixture_tree(tmp_path, files))
    assert pidspace.pids_cgroup(read) == folder
    assert pidspace.forks_refused_by_pids_limit(read) == (2 if folder else 0)


@pytest.mark.parametrize("possible, cpus, smallest, default", [
    ("0\n", 1, 301, 32768),
    ("0-1\n", 2, 301, 32768),
    ("0-37\n", 38, 304, 38912),
    ("0-50\n", 51, 408, 52224),            # 400 is too small here: the demos used to set it
    ("0,2-5\n", 5, 301, 32768),             # ranges with gaps
    ("0-8191\n", 8192, 65536, 4194304),     # the default stops at PID_MAX_LIMIT
], ids=lambda value: str(value).strip())
def test_the_pid_max_bounds_follow_the_possible_cpus(tmp_path, possible, cpus, smallest, default):
    read = reader(fixture_tree(tmp_path, {pidspace.POSSIBLE_CPUS: possible}))
    assert pidspace.possible_cpus(read) == cpus
    assert pidspace.smallest_pid_max(read) == smallest
    assert pidspace.default_pid_max(read) == default


def test_the_kernel_refuses_one_below_the_smallest_pid_max(lab5):
    """The bound pidspace computes is the kernel's own, on this machine."""
    smallest = pidspace.smallest_pid_max()
    # The refusal on stdout too: docker exec's two streams may reach us in either order.
    code, out = run(lab5, f"{PIDNS_SHELL} sh -c 'sysctl -w kernel.pid_max={smallest - 1} 2>&1; "
                          f"sysctl -w kernel.pid_max={smallest}'")
    assert "Invalid argument" in out and out.strip().endswith(f"kernel.pid_max = {smallest}"), out


def test_no_lab5_program_names_a_cgroup_path_of_its_own():
    """The demos and the harness take the pids cgroup from pidspace.py, the checks from the
    probe: both know either layout."""
    programs = [*(LAB.folder / "demos").glob("*.py"), LAB.folder / "support" / "harness.py",
                LAB.folder / "checks.py"]
    code = {p.name: [line.partition("#")[0] for line in p.read_text().splitlines()] for p in programs}
    assert [name for name, lines in code.items() if any("/sys/fs/cgroup" in line for line in lines)] == []


def test_an_older_kernel_skips_the_pid_max_checks(tmp_path):
    corpus.reference(LAB, tmp_path / "submission")
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
