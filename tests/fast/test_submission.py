"""Which file answers an exercise: one per exercise, in either language, a plain reason otherwise;
and the languages' commands."""
from pathlib import Path

from grader.languages import C, PYTHON, alternatives
from grader.submission import Submission

LIMIT = 5 * 2**20


def folder_with(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_an_exercise_is_answered_in_either_language(tmp_path):
    submission = Submission.of(folder_with(tmp_path, {"zombie.c": "int main(void){}", "reaper.py": "pass\n"}), LIMIT)
    assert submission.answer("zombie.py") == ("zombie.c", None)
    assert submission.answer("reaper.py") == ("reaper.py", None)
    assert submission.answer("server.py") == (None, "server.py was not submitted (nor server.c)")
    assert submission.answer("pid_max.conf") == (None, "pid_max.conf was not submitted")


def test_both_languages_are_a_plain_error_unless_one_is_the_untouched_starter(tmp_path):
    starters, work = tmp_path / "starter", tmp_path / "work"
    starters.mkdir()
    work.mkdir()
    folder_with(starters, {"zombie.py": "# TODO\n", "zombie.c": "/* TODO */\n"})
    folder_with(work, {"zombie.py": "print('mine')\n", "zombie.c": "int main(void) { return 1; }\n"})
    both = Submission.of(work, LIMIT)
    assert both.answer("zombie.py", starters) == \
        (None, "both zombie.py and zombie.c were submitted: keep the one to be graded")
    (work / "zombie.py").write_text("# TODO\n")   # the Python starter, left as it was
    assert Submission.of(work, LIMIT).answer("zombie.py", starters) == ("zombie.c", None)
    (work / "zombie.c").write_text("/* TODO */\n")   # neither touched: the first language's
    assert Submission.of(work, LIMIT).answer("zombie.py", starters) == ("zombie.py", None)


def test_a_python_answer_that_does_not_parse_says_where(tmp_path):
    submission = Submission.of(folder_with(tmp_path, {"zombie.py": "def f(:\n"}), LIMIT)
    file, problem = submission.answer("zombie.py")
    assert file == "zombie.py" and problem.startswith("zombie.py has a syntax error at line 1")


def test_languages_start_the_program_and_name_what_the_kernel_execs():
    assert alternatives("zombie.py") == {"zombie.py": PYTHON, "zombie.c": C}
    assert alternatives("pid_max.conf") == {"pid_max.conf": None}
    assert PYTHON.command("zombie.py") == ["python3", "zombie.py"]
    assert C.command("zombie.c") == ["/home/learner/work/zombie"] == [C.program("zombie.c")]
    assert (PYTHON.program("zombie.py"), C.program("zombie.c")) == \
        ("/usr/bin/python3", "/home/learner/work/zombie")
