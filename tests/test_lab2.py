"""Lab 2 beyond what tests/test_labs.py checks for every lab: the handout's demos show on real
containers of the lab images what the handout says they show."""
import re

import pytest

from grader import labspec
from grader.containers import Containers

LAB = labspec.load("lab2")
DEMOS = LAB.folder / "demos"


@pytest.fixture(scope="module")
def demo_containers(client):
    """One container per image holding the demos, as the grader makes them."""
    files = {p.name: p for p in DEMOS.glob("*.py")}
    with Containers(client, LAB, files) as containers:
        yield containers


def run_demo(containers, image: str, command: str) -> str:
    """Run a shell command as the learner; the shell outlives the demo's orphans, so that their
    output is not cut off with the demo's."""
    sandbox = containers.get(image)[0]
    code, output = sandbox.exec_output("bash", "-c", f"{command}; sleep 0.5")
    assert code == 0, output
    return output


@pytest.mark.parametrize("image, pid1", [("noinit", "sleep"), ("tini", "tini")])
def test_adoption_demo_names_the_containers_pid_1(demo_containers, image, pid1):
    output = run_demo(demo_containers, image, "python3 adoption_demo.py")
    assert re.search(rf"adopted by 1 \({pid1}\)", output), output


@pytest.mark.parametrize("flag, adopter", [("", "demo"), ("--no-prctl", "1")])
def test_subreaper_demo_adopts_only_with_prctl(demo_containers, flag, adopter):
    output = run_demo(demo_containers, "noinit", f"python3 subreaper_demo.py {flag}")
    demo = re.search(r"demo (\d+):", output).group(1)
    new_parent = re.search(r"my parent is now (\d+)", output).group(1)
    assert new_parent == (demo if adopter == "demo" else "1"), output
    assert ("exit code 7" in output) == (adopter == "demo"), output


@pytest.mark.parametrize("flag, fate", [("", "killed by SIGHUP"), ("--nohup", "exited with status 0")])
def test_hangup_demo_orphan_of_a_session_leader(demo_containers, flag, fate):
    output = run_demo(demo_containers, "tini", f"python3 hangup_demo.py {flag}")
    leader, orphan = re.search(r"leader (\d+) \(session \d+\): forked (\d+)", output).groups()
    assert f"PID {leader} exited with status 0" in output, output
    assert f"PID {orphan} {fate}" in output, output


def test_ctty_demo_only_the_session_leader_acquires_a_terminal(demo_containers):
    output = run_demo(demo_containers, "tini", "python3 ctty_demo.py")
    assert re.search(r"session leader: controlling terminal now device 136:\d+", output), output
    assert "leader's child: controlling terminal now none" in output, output


def test_daemon_steps_demo_ends_detached(demo_containers):
    output = run_demo(demo_containers, "noinit",
                      "python3 daemon_steps.py; sleep 0.5; cat /tmp/daemon_steps.log; "
                      "kill $(sed -n 's/^6 .* pid=\\([0-9]*\\) .*/\\1/p' /tmp/daemon_steps.log)")
    steps = dict(re.findall(r"^(\d) .*?(pid=.*)$", output, re.MULTILINE))
    fields = {step: dict(re.findall(r"(\w+)=(\S+)", line)) for step, line in steps.items()}
    assert fields["3"]["sid"] == fields["3"]["pid"] != fields["0"]["sid"], output   # setsid()
    daemon = fields["6"]
    assert daemon["ppid"] == "1" and daemon["sid"] != daemon["pid"], output          # second fork
    assert daemon["tty"] == "0" and daemon["cwd"] == "/", output
