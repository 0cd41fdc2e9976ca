"""python -m grader: grade a submission, list the labs."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from . import batch, labspec, report
from .errors import InfraError, SubmissionError
from .grade import grade
from .sandbox import connect, engine_answers, remove_strays

ERROR_EXIT = 2  # usage and infrastructure errors alike; 1 means "graded, not full marks"


def lab_name(text: str) -> str:
    """`3` and `lab3` both name Lab 3."""
    return f"lab{text}" if text.isdigit() else text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m grader",
                                description="zombielab's grader: checks what processes really did.")
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade one submission folder")
    g.add_argument("lab", type=lab_name, help="the lab, e.g. lab3 or 3")
    g.add_argument("folder", type=Path, help="the folder holding the learner's files")
    g.add_argument("--json", type=Path, metavar="FILE",
                   help="also write Gradescope's results.json format to FILE")
    g.add_argument("--only", action="append", metavar="FILE",
                   help="grade only this exercise (repeatable), e.g. --only reaper.py")
    sub.add_parser("labs", help="list the labs")
    batch.add_parsers(sub, lab_name)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    # SIGTERM (a closed terminal, a batch system) must clean up exactly as Ctrl-C does; and so
    # must SIGINT itself where it was inherited ignored (a job a shell started in the background).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.command in ("batch", "export", "worker"):
        return batch.command(args)
    try:
        if args.command == "labs":
            for name in labspec.available():
                print(f"{name}: {labspec.load(name).spec.title}")
            return 0
        lab = labspec.load(args.lab)
        client = connect()
        remove_strays(client)   # what a grading the engine stopped under could not remove
        result = grade(lab, args.folder, only=args.only, client=client)
    except (labspec.LabError, SubmissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ERROR_EXIT
    except InfraError as exc:
        print(f"grader error (not the submission's fault): {exc}", file=sys.stderr)
        return ERROR_EXIT
    except KeyboardInterrupt:
        print("interrupted: nothing graded, the grading container was removed", file=sys.stderr)
        return 130
    except Exception:
        if engine_answers():
            raise   # a bug of the grader's: its traceback is what its maintainers need
        print("grader error (not the submission's fault): the Docker engine stopped answering "
              "during the grading; start it again (scripts/ensure-docker) and grade again (which "
              "removes the container this grading left)", file=sys.stderr)
        return ERROR_EXIT
    print(report.terminal(result))
    if args.json:
        report.write_json(args.json, report.gradescope(result))
    return 0 if result.score == result.max_score else 1
