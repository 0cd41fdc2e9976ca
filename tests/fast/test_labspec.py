"""lab.yaml and checks.py as labspec validates them: every real lab loads, and each way of
breaking a lab is one LabError naming the file and what is wrong. Labs come from a copy of
lab3's definition in a temporary labs folder."""
import pytest
import yaml

from .conftest import ROOT
from grader import labspec


@pytest.fixture
def labs(labs_dir, monkeypatch):
    monkeypatch.setattr(labspec, "LABS_DIR", labs_dir)
    return labs_dir


def edit_spec(labs_dir, change) -> None:
    path = labs_dir / "lab3" / "lab.yaml"
    spec = yaml.safe_load(path.read_text())
    change(spec)
    path.write_text(yaml.safe_dump(spec, sort_keys=False))


def refusal(name: str = "lab3") -> str:
    with pytest.raises(labspec.LabError) as refused:
        labspec.load(name)
    return str(refused.value)


@pytest.mark.parametrize("name", sorted(p.parent.name for p in ROOT.glob("labs/*/lab.yaml")))
def test_every_real_lab_loads(name):
    lab = labspec.load(name)
    assert set(lab.scenarios) == {e.file for e in lab.exercises()}
    assert lab.spec.max_score == sum(c.points for e in lab.spec.exercises for c in e.checks) > 0


def test_bad_yaml(labs):
    (labs / "lab3" / "lab.yaml").write_text("title: [unclosed\nexercises: {\n")
    message = refusal()
    assert message.startswith(f"{labs / 'lab3' / 'lab.yaml'} is not valid YAML at line "), message


@pytest.mark.parametrize("change, says", [
    (lambda spec: spec.update(colour="red"), "field colour: Extra inputs are not permitted"),
    (lambda spec: spec["exercises"][0]["checks"][0].update(weight=2),
     "field exercises.0.checks.0.weight: Extra inputs are not permitted"),
    (lambda spec: spec["exercises"][2]["checks"][0].update(id=spec["exercises"][0]["checks"][0]["id"]),
     "check ids must be unique; repeated: zombie-is-child"),
    (lambda spec: spec["limits"].update(memory_mb=256),
     "field limits: Value error, tmp_mb + disk_mb (192) must be at most half of memory_mb (256)"),
    (lambda spec: spec["limits"].update(submission_mb=64, disk_mb=32),
     "disk_mb must be at least submission_mb"),
    (lambda spec: spec.update(confinement={"seccomp_profile": "nosuch.json"}),
     "no seccomp profile images/nosuch.json"),
], ids=["unknown-field", "unknown-check-field", "duplicate-ids", "tmpfs-over-memory",
        "submission-over-disk", "missing-seccomp-profile"])
def test_invalid_lab_yaml(labs, change, says):
    edit_spec(labs, change)
    message = refusal()
    assert message.startswith(f"{labs / 'lab3' / 'lab.yaml'}: field "), message
    assert says in message


def test_checks_py_that_fails_to_load(labs):
    (labs / "lab3" / "checks.py").write_text("import nonexistent_module_41\n")
    assert refusal() == (f"{labs / 'lab3' / 'checks.py'} failed to load: ModuleNotFoundError: "
                         "No module named 'nonexistent_module_41'")


def test_checks_py_missing(labs):
    (labs / "lab3" / "checks.py").unlink()
    assert refusal() == f"{labs / 'lab3' / 'checks.py'} is missing"


def test_an_exercise_without_its_scenario(labs):
    file = yaml.safe_load((labs / "lab3" / "lab.yaml").read_text())["exercises"][0]["file"]
    path = labs / "lab3" / "checks.py"
    path.write_text(path.read_text().replace(f'@exercise("{file}")', "", 1))
    assert refusal() == f"{path}: no @exercise({file!r}) for lab.yaml's exercise"


def test_a_scenario_not_in_lab_yaml(labs):
    edit_spec(labs, lambda spec: spec["exercises"].pop(0))
    assert "is not in lab.yaml" in refusal()


def test_unknown_lab_names_the_labs_there_are(labs):
    assert refusal("lab9") == "unknown lab 'lab9'; the labs are: lab3"


def test_exercises_only(labs):
    lab = labspec.load("lab3")
    files = [e.file for e in lab.spec.exercises]
    assert [e.file for e in lab.exercises()] == files
    assert [e.file for e in lab.exercises([files[1]])] == [files[1]]
    with pytest.raises(labspec.LabError, match=r"^lab3 has no exercise nosuch\.py, zombie$"):
        lab.exercises(["zombie", files[0], "nosuch.py"])


def test_lab_yaml_sets_the_limits(labs):
    edit_spec(labs, lambda spec: spec["limits"].update(disk_mb=32))
    assert labspec.load("lab3").limits.disk_mb == 32
