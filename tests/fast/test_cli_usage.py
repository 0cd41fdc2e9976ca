"""The command line's usage errors, without a Docker engine: each is exit status 2 and one plain
line, found before anything would need the engine; and `zombielab labs` lists the labs."""
import json

import pytest

from .conftest import ROOT, plain_error, zombielab

LABS = sorted(path.parent.name for path in ROOT.glob("labs/*/lab.yaml"))


@pytest.fixture
def folder(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    return submission


@pytest.mark.parametrize("args, says", [
    ((), "the following arguments are required: command"),
    (("regrade",), "invalid choice: 'regrade'"),
    (("grade", "lab3"), "the following arguments are required: folder"),
], ids=["no-arguments", "unknown-subcommand", "grade-without-folder"])
def test_argument_errors(args, says):
    line = plain_error(zombielab(*args))
    assert line.startswith("zombielab") and says in line, line


@pytest.mark.parametrize("name", ["lab9", "9", "nosuchlab"])
def test_grade_an_unknown_lab(folder, name):
    line = plain_error(zombielab("grade", name, folder))
    assert line.startswith("error: unknown lab") and "lab3" in line, line
    assert repr("nosuchlab" if name == "nosuchlab" else "lab9") in line


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_grade_a_folder_that_is_not_one(tmp_path, kind):
    nowhere = tmp_path / "nowhere"
    if kind == "a file":
        nowhere.write_text("print('hi')\n")
    line = plain_error(zombielab("grade", "lab3", nowhere))
    assert str(nowhere) in line and "not a folder" in line


def test_only_naming_no_exercise(folder):
    line = plain_error(zombielab("grade", "lab3", folder, "--only", "zombie"))
    assert line == "error: lab3 has no exercise zombie"


def test_export_of_a_folder_without_batch_results(tmp_path):
    line = plain_error(zombielab("export", tmp_path))
    assert line == f"error: {tmp_path} holds no batch results"


def test_batch_with_no_submissions_folder(tmp_path):
    line = plain_error(zombielab("batch", "lab3", tmp_path / "class", "--out", tmp_path / "out"))
    assert line == f"error: {tmp_path / 'class'} is not a folder"
    assert not (tmp_path / "out").exists(), "nothing is written for a batch that cannot start"


def test_labs_lists_every_lab_with_its_title():
    result = zombielab("labs")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    listed = [line.split(": ", 1) for line in result.stdout.splitlines()]
    assert [name for name, _ in listed] == LABS   # the five of today, or however many there are
    assert all(title for _, title in listed), result.stdout


def test_labs_folder_comes_from_the_environment(labs_dir):
    (labs_dir / "lab3").rename(labs_dir / "lab7")
    result = zombielab("labs", env={"ZOMBIELAB_LABS": str(labs_dir)})
    assert result.returncode == 0, result.stderr
    assert [line.split(":", 1)[0] for line in result.stdout.splitlines()] == ["lab7"]


def test_a_broken_checks_py_is_one_plain_line(labs_dir, folder):
    (labs_dir / "lab3" / "checks.py").write_text("import nonexistent_module_41\n")
    line = plain_error(zombielab("grade", "lab3", folder, env={"ZOMBIELAB_LABS": str(labs_dir)}))
    assert "checks.py failed to load" in line and "nonexistent_module_41" in line


def test_for_prairielearn_an_error_is_a_result_that_is_not_gradable(tmp_path):
    """PrairieLearn reads results.json only after exit 0, and counts no attempt for a result
    that is not gradable: the error goes there as well as to stderr."""
    results = tmp_path / "results" / "results.json"
    done = zombielab("grade", "lab3", tmp_path / "nowhere", "--prairielearn", results)
    assert done.returncode == 0 and "not a folder" in done.stderr
    written = json.loads(results.read_text())
    assert written["gradable"] is False and written["message"] == done.stderr.strip()
