"""compose.yaml is made by scripts/compose-file from the labs there are: each lab gets its two
services (labN, the shell as PID 1; labN-tini, tini as PID 1) with the settings the hand-written
file had, and a new lab folder is all it takes to get them. No Docker engine needed."""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LABS = sorted(path.parent.name for path in ROOT.glob("labs/*/lab.yaml"))

SANDBOX = {
    "stdin_open": True,
    "tty": True,
    "user": "1000:1000",
    "network_mode": "none",
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "pids_limit": 512,
    "mem_limit": "1g",
    "hostname": "lab",
    "working_dir": "/home/learner/work",
}
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def read_only(source: str, target: str) -> dict:
    return {"type": "bind", "source": source, "target": target, "read_only": True,
            "bind": {"create_host_path": False}}


def expected_shell(lab: str) -> dict:
    """The service labN as compose.yaml spelled it by hand before it was generated."""
    service = {**SANDBOX, "image": "zombielab/noinit", "environment": {"LAB": lab.removeprefix("lab")},
               "volumes": [f"${{WORKSPACE:-./workspace/{lab}}}:/home/learner/work",
                           read_only(f"./labs/{lab}/README.md", "/lab/README.md"),
                           read_only(f"./labs/{lab}/demos", "/lab/demos")]}
    if lab == "lab5":   # pidns-shell: its seccomp profile, an unmasked /proc, support/ on PATH
        service["environment"]["PATH"] = f"/opt/zombielab/lab:{SYSTEM_PATH}"
        service["security_opt"] = ["no-new-privileges", "seccomp=./images/seccomp-userns.json",
                                   "systempaths=unconfined"]
        service["volumes"].append(read_only("./labs/lab5/support", "/opt/zombielab/lab"))
    return service


def tree_with(tmp_path: Path, labs: dict[str, str]) -> Path:
    """A repository root holding only labs/<lab>/lab.yaml, with the given texts."""
    for lab, text in labs.items():
        (tmp_path / "labs" / lab).mkdir(parents=True)
        (tmp_path / "labs" / lab / "lab.yaml").write_text(text)
    return tmp_path


def compose_file(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "compose-file"), str(root)],
                          capture_output=True, text=True, timeout=30)


def services_of(root: Path) -> dict:
    result = compose_file(root)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load((root / "compose.yaml").read_text())["services"]


def real_labs(tmp_path: Path) -> Path:
    return tree_with(tmp_path, {lab: (ROOT / "labs" / lab / "lab.yaml").read_text() for lab in LABS})


def test_each_lab_has_its_two_services_and_no_other(tmp_path):
    services = services_of(real_labs(tmp_path))
    assert set(services) == {name for lab in LABS for name in (lab, f"{lab}-tini")}


@pytest.mark.parametrize("lab", LABS)
def test_a_labs_services_keep_the_hand_written_settings(lab, tmp_path):
    services = services_of(real_labs(tmp_path))
    assert services[lab] == expected_shell(lab)
    assert services[f"{lab}-tini"] == {**expected_shell(lab), "image": "zombielab/tini"}


def test_a_new_lab_folder_is_all_it_takes(tmp_path):
    lab3 = (ROOT / "labs" / "lab3" / "lab.yaml").read_text()
    services = services_of(tree_with(tmp_path, {"lab3": lab3, "lab7": lab3}))
    assert services["lab7"] == expected_shell("lab7")
    assert services["lab7-tini"] == {**expected_shell("lab7"), "image": "zombielab/tini"}


def test_the_file_keeps_its_explanations(tmp_path):
    compose_file(real_labs(tmp_path))
    text = (tmp_path / "compose.yaml").read_text()
    for words in ("scripts/compose-file", "`docker compose run --rm lab3`", "tini is PID 1",
                  "WORKSPACE is the learner's folder", "create_host_path: false, so a missing handout"):
        assert words in text


def test_a_broken_lab_yaml_is_named_plainly(tmp_path):
    root = tree_with(tmp_path, {"lab3": (ROOT / "labs" / "lab3" / "lab.yaml").read_text(),
                                "lab8": "title: [unclosed\n"})
    result = compose_file(root)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("zombielab: ") and "labs/lab8/lab.yaml is not valid YAML" in result.stderr
    assert not (root / "compose.yaml").exists()


def test_the_repository_tracks_no_compose_file():
    """compose.yaml is made, so git must not keep a copy that would go stale."""
    ignored = subprocess.run(["git", "check-ignore", "-q", "compose.yaml"], cwd=ROOT)
    assert ignored.returncode == 0
