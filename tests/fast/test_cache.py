"""What the grader keeps between gradings (grader/cache.py): only what its maker said to keep,
under a name that changes with anything it was made from. No engine needed."""
from pathlib import Path

from grader import cache


def test_a_kept_result_is_reused_and_an_unkept_one_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOMBIELAB_CACHE", str(tmp_path))
    made = []

    def make(keep):
        made.append(keep)
        return {"run": len(made)}, keep

    assert cache.remembered("lab4-tini", "k1", lambda: make(False)) == {"run": 1}
    assert cache.remembered("lab4-tini", "k1", lambda: make(True)) == {"run": 2}
    assert cache.remembered("lab4-tini", "k1", lambda: make(True)) == {"run": 2}
    assert cache.remembered("lab4-tini", "k2", lambda: make(True)) == {"run": 3}
    assert len(made) == 3


def test_the_name_follows_the_labs_own_files_and_the_images(tmp_path):
    lab = tmp_path / "lab9"
    (lab / "solution").mkdir(parents=True)
    (lab / "checks.py").write_text("a")
    (lab / "solution" / "x.py").write_text("a")
    first = cache.fingerprint(lab, ["sha256:1"])
    (lab / "solution" / "x.py").write_text("b")      # the learner's side: no change
    assert cache.fingerprint(lab, ["sha256:1"]) == first
    assert cache.fingerprint(lab, ["sha256:2"]) != first
    (lab / "checks.py").write_text("b")
    assert cache.fingerprint(lab, ["sha256:1"]) != first


def test_a_folder_that_cannot_be_written_means_making_it_each_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("ZOMBIELAB_CACHE", str(blocker / "cache"))
    assert cache.remembered("x", "k", lambda: ({"v": 1}, True)) == {"v": 1}
    assert not Path(blocker / "cache").exists()
