"""`make lab3` as the learner meets it: a real terminal (pexpect), the real Makefile, Compose v2
and the engine. The workspace is a temporary copy of the reference solution."""
import os
import re
import subprocess
import uuid

import pexpect
import pytest

from conftest import ROOT
from grader import corpus, labspec

LAB = labspec.load("lab3")
HANDOUT = LAB.folder / "README.md"
# Compose names the project after the folder holding compose.yaml.
PROJECT = re.sub(r"[^a-z0-9_-]", "", ROOT.name.lower())
PROMPT = r"learner@lab:~/work\$ "
ENTER_TIMEOUT = 60


def learner_env(**extra: str) -> dict:
    """The environment of a learner's terminal: no make state inherited from `make test`
    (MAKEFLAGS would pass, say, INIT=tini on to the inner make), no stray WORKSPACE."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "WORKSPACE"}}
    env["TERM"] = "xterm"
    env.update(extra)
    return env


def project_containers(client, project: str) -> set[str]:
    return {c.id for c in client.containers.list(
        all=True, filters={"label": f"com.docker.compose.project={project}"}, sparse=True)}


@pytest.fixture
def handout() -> str:
    """The handout's title line. Compose mounts the handout into the container; were it missing,
    Compose would create a root-owned *folder* in its place, so check before starting anything."""
    assert HANDOUT.is_file(), f"{HANDOUT} is missing (compose.yaml mounts it as /lab/README.md)"
    title = next(line for line in HANDOUT.read_text().splitlines() if line.strip())
    return title.lstrip("#").strip()


@pytest.fixture
def no_new_project_containers(client, monkeypatch):
    """The test must leave no container of its Compose project; any it leaves are removed. The
    project is the test's own (COMPOSE_PROJECT_NAME, which make and Compose pass on), so that a
    shell another test starts meanwhile (the demos', another worker's) is neither counted nor
    removed."""
    project = f"{PROJECT}-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("COMPOSE_PROJECT_NAME", project)
    yield lambda: project_containers(client, project)
    for container_id in project_containers(client, project):
        client.containers.get(container_id).remove(force=True)


@pytest.fixture
def workspace(tmp_path):
    work = tmp_path / "work"
    corpus.reference(LAB, work)
    return work


@pytest.mark.parametrize("init", ["noinit", "tini"])
def test_make_lab3_gives_a_working_lab_shell(init, handout, workspace, no_new_project_containers):
    args = ["-s", "lab3", f"WORK={workspace}"] + (["INIT=tini"] if init == "tini" else [])
    child = pexpect.spawn("make", args, cwd=str(ROOT), env=learner_env(), encoding="utf-8",
                          codec_errors="replace", dimensions=(50, 250), timeout=20)
    try:
        child.expect_exact(handout, timeout=ENTER_TIMEOUT)
        child.expect(PROMPT, timeout=ENTER_TIMEOUT)

        # Who is PID 1: the shell itself (noinit), or tini with the shell as its child.
        child.sendline('echo "pid1=$(ps -o comm= -p 1) shell=$$"')
        child.expect(r"pid1=(\S+) shell=(\d+)\r\n")
        pid1, shell = child.match.group(1), int(child.match.group(2))
        if init == "noinit":
            assert (pid1, shell) == ("bash", 1)
        else:
            assert pid1 == "tini" and shell != 1
        child.expect(PROMPT)

        # The learner's first exercise, run in the background, shows a real zombie in ps.
        child.sendline("python3 zombie.py &")
        child.expect(r"\[1\] (\d+)")
        job = int(child.match.group(1))
        child.expect(r"zombie (\d+)\r\n")
        zombie = int(child.match.group(1))
        child.sendline("ps -ef")
        child.expect(rf"learner +{zombie} +(\d+) .*<defunct>")
        assert int(child.match.group(1)) == job, "the zombie's parent is zombie.py"
        child.expect(PROMPT)

        # The workspace is the host folder: a file made here is there after the shell ends.
        child.sendline("touch made-in-container")
        child.expect(PROMPT)
        child.sendline('kill %1; wait %1; echo "zombie.py exited with $?"')
        child.expect(r"zombie\.py exited with (\d+)\r\n")
        assert child.match.group(1) == "0", "zombie.py exits 0 on SIGTERM"
        child.expect(PROMPT)

        # Leaving with a process that still holds the terminal ends the session all the same.
        child.sendline("setsid sleep 600 &")
        child.expect(PROMPT)
        child.sendline("exit")
        child.expect(pexpect.EOF, timeout=ENTER_TIMEOUT)
    finally:
        child.close(force=True)   # reaps make (and through it compose) in every case
    assert (child.exitstatus, child.signalstatus) == (0, None)

    made = workspace / "made-in-container"
    assert made.is_file()
    assert made.stat().st_uid == 1000, "files the learner makes belong to the learner's uid"
    assert no_new_project_containers() == set(), "`docker compose run --rm` left its container"


@pytest.mark.parametrize("service, pid_is_1", [("lab3", True), ("lab3-tini", False)])
def test_docker_compose_run_works(service, pid_is_1, handout, tmp_path, no_new_project_containers):
    """Compose v2 (`docker compose`, the CLI plugin) runs each lab service, as uid 1000."""
    result = subprocess.run(
        ["docker", "compose", "run", "--rm", "-T", service,
         "python3", "-c", "import os; print(os.getpid(), os.getuid())"],
        cwd=ROOT, env=learner_env(WORKSPACE=str(tmp_path)), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    pid, uid = map(int, result.stdout.split())
    assert uid == 1000
    assert (pid == 1) == pid_is_1, f"{service}: python3 is PID {pid}"
    assert no_new_project_containers() == set()


def test_unknown_lab_is_refused_plainly(client, no_new_project_containers):
    result = subprocess.run(["make", "-s", "lab9"], cwd=ROOT, env=learner_env(),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    about = [line for line in output.splitlines()
             if "lab9" in line and not line.startswith("make")]
    assert len(about) == 1, output
    assert "unknown lab" in about[0] and "lab3" in about[0], about[0]
    assert not (ROOT / "workspace" / "lab9").exists(), "no workspace for a lab that does not exist"
    assert no_new_project_containers() == set()
