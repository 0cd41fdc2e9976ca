"""zombielab's command line (`zombielab`, or `python -m grader`): grade a submission, grade a
class, write a class's exports, serve as a Dask worker, list the labs.

Every failure ends in main() as one plain line on stderr and exit status 2 (1 means "graded, not
full marks"); only a bug of the grader's shows a traceback, for its maintainers.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from . import batch, exports, feedback, labspec, report
from .engine import engine_answers
from .errors import ENGINE, InfraError, SubmissionError, disk_full
from .grading import grade
from .outage import OUTAGE_LIMIT

ERROR_EXIT = 2
# What the learner or the instructor got wrong: the message is theirs to act on.
USAGE_ERRORS = (labspec.LabError, SubmissionError, NotADirectoryError, batch.SettingsMismatch,
                batch.BatchRunning)


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    # SIGTERM (a closed terminal, a batch system) must clean up exactly as Ctrl-C does; and so
    # must SIGINT itself where it was inherited ignored (a job a shell started in the background).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"interrupted: {args.interrupted}", file=sys.stderr)
        return 130
    except BrokenPipeError:   # the reader went away (`zombielab labs | head`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # nor at exit's flush
        return 141   # as a shell reports a death by SIGPIPE
    except USAGE_ERRORS as exc:
        return failed(f"error: {exc}", getattr(args, "prairielearn", None))
    except InfraError as exc:
        return failed(f"grader error (not the {args.whose} fault): {exc}" if args.whose
                      else f"grader error: {exc}", getattr(args, "prairielearn", None))
    except batch.EngineDiskFull as exc:
        return failed(f"error: the {ENGINE}'s storage is full ({exc}). Every result written before "
                      "it is kept; free some space (docker system prune) and run the same command "
                      "again.")
    except Exception as exc:
        if disk_full(exc):
            where = exc.filename or getattr(args, "out", None) or getattr(args, "json", None)
            return failed(f"error: no space left for {where}{args.after_disk_full}")
        # requests' ConnectionError is an OSError too: the engine gone mid-grading, not a disk.
        if args.whose != "submission's" or engine_answers():
            raise   # a bug of the grader's: its traceback is what its maintainers need
        return failed(f"grader error (not the submission's fault): the {ENGINE} stopped answering "
                      "during the grading; start it again (scripts/ensure-docker) and grade again "
                      "(which removes the container this grading left)")


def failed(message: str, prairielearn: Path | None = None) -> int:
    """Say it; for PrairieLearn, also as a result that is not gradable (no attempt counted),
    and exit 0: it reads no results after any other status."""
    print(message, file=sys.stderr)
    if prairielearn:
        report.write_json(prairielearn, {"gradable": False, "score": 0.0, "message": message,
                                         "tests": []})
        return 0
    return ERROR_EXIT


def grade_command(args) -> int:
    result = grade(labspec.load(args.lab), args.folder, only=args.only, engine_free=args.engine_free)
    print(report.terminal(result))
    results = report.gradescope(result)
    if args.json:
        report.write_json(args.json, results)
    if args.feedback:
        page = feedback.write(results, result.lab.spec.title, args.feedback)
        print(f"Your feedback page, with a timeline of each run: {page.resolve()}")
    if args.prairielearn:
        report.write_json(args.prairielearn, exports.prairielearn(exports.Record("", results)))
        return 0   # PrairieLearn reads the results only after a 0
    return 0 if result.score == result.max_score else 1


def batch_command(args) -> int:
    return batch.run(args.lab, args.submissions, args.out, args.only, args.workers, args.regrade,
                     args.scheduler, args.wait, args.outage_limit)


def export_command(args) -> int:
    if not (args.out / "batch.json").is_file():
        return failed(f"error: {args.out} holds no batch results")
    for path in exports.export_all(args.out):
        print(f"wrote {path}")
    return 0


def worker_command(args) -> int:
    from .cluster import worker   # Dask is needed only for a cluster
    worker(args.scheduler, args.nthreads, args.name)


def labs_command(args) -> int:
    for name in labspec.available():
        spec = labspec.load(name).spec
        print(f"{name}: {spec.title}" + (f" — {spec.topic}" if spec.topic else ""))
    return 0


def environment_command(args) -> int:
    from .environment import detect
    print("\n".join(detect().described()))
    return 0


def package_command(args) -> int:
    from . import platforms
    if args.platform == "gradescope":
        for path in platforms.gradescope(args.lab, args.out):
            print(f"wrote {path}: upload it as the assignment's autograder (zip file upload)")
        return 0
    for path in platforms.prairielearn(args.lab, args.out, args.image):
        print(f"wrote {path}")
    print(f"built {args.image}: push it where PrairieLearn pulls from, under your course's name, "
          "and set that name as the image in info.json")
    return 0


def lab_name(text: str) -> str:
    """`3` and `lab3` both name Lab 3."""
    return f"lab{text}" if text.isdigit() else text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zombielab",
                                description="zombielab's grader: checks what processes really did.")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, run, help: str, interrupted: str = "stopped", whose: str = "",
                after_disk_full: str = "") -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help)
        c.set_defaults(run=run, interrupted=interrupted, whose=whose, after_disk_full=after_disk_full)
        return c

    g = command("grade", grade_command, "grade one submission folder", whose="submission's",
                interrupted="nothing graded, the grading container was removed")
    g.add_argument("lab", type=lab_name, help="the lab, e.g. lab3 or 3")
    g.add_argument("folder", type=Path, help="the folder holding the learner's files")
    g.add_argument("--json", type=Path, metavar="FILE",
                   help="also write Gradescope's results.json format to FILE")
    g.add_argument("--feedback", type=Path, metavar="FILE",
                   help="also write the feedback page (HTML: checks and process timelines) to FILE")
    g.add_argument("--only", action="append", metavar="FILE",
                   help="grade only this exercise (repeatable), e.g. --only reaper.py")
    g.add_argument("--prairielearn", type=Path, metavar="FILE",
                   help="also write PrairieLearn's results.json to FILE, and exit 0 once written "
                        "(an error is written there as not gradable)")
    g.add_argument("--engine-free", action="store_true",
                   help="grade with no Docker engine, on this machine, as root (inside a grading "
                        "platform's container): checks that need what only the engine gives "
                        "are skipped")

    b = command("batch", batch_command, "grade every submission of a class (one subfolder each)",
                whose="submissions'", interrupted="run the same command again to go on",
                after_disk_full=". Every result written before it is kept; free some space and "
                "run the same command again, which grades the rest and writes the exports.")
    b.add_argument("lab", type=lab_name, help="the lab, e.g. lab3 or 3")
    b.add_argument("submissions", type=Path, help="a folder with one subfolder per student id")
    b.add_argument("--out", type=Path, required=True, metavar="RESULTS",
                   help="the results folder; a batch run again resumes there")
    b.add_argument("--only", action="append", metavar="FILE", help="grade only this exercise")
    b.add_argument("--workers", type=int, metavar="N",
                   help="submissions graded at once (default: what this machine can take)")
    b.add_argument("--regrade", action="store_true", help="grade again those already graded")
    b.add_argument("--outage-limit", type=float, default=OUTAGE_LIMIT, metavar="SECONDS",
                   help="how long to wait for a Docker engine that stopped answering before "
                        f"giving up (default {OUTAGE_LIMIT})")
    b.add_argument("--wait", action="store_true",
                   help="if another batch grades into RESULTS, wait for it to end, then go on")
    b.add_argument("--scheduler", metavar="tcp://HOST:8786",
                   help="grade on this Dask cluster's workers instead of locally")

    e = command("export", export_command, "write a batch's gradebook, JUnit, PrairieLearn, report",
                after_disk_full="; nothing half-written was kept")
    e.add_argument("out", type=Path, metavar="RESULTS")

    w = command("worker", worker_command, "a Dask worker for batches (needs Docker and the images)")
    w.add_argument("scheduler", metavar="tcp://HOST:8786")
    w.add_argument("--nthreads", type=int, help="submissions graded at once (default: cores)")
    w.add_argument("--name", help="the worker's name in the cluster")

    command("labs", labs_command, "list the labs")
    k = command("package", package_command,
                "zombielab for a grading platform: Gradescope's autograder zip, or PrairieLearn's "
                "grading image and a lab's question")
    k.add_argument("platform", choices=["gradescope", "prairielearn"])
    k.add_argument("lab", type=lab_name, help="the lab, e.g. lab3 or 3")
    k.add_argument("--out", type=Path, required=True, metavar="FOLDER")
    k.add_argument("--image", default="zombielab/prairielearn",
                   help="the image's name (default zombielab/prairielearn)")

    command("environment", environment_command,
            "what this machine lets the grader do (engine, capabilities, namespaces, recorder)")
    return p
