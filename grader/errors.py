"""The three ways grading can go wrong, kept apart so that none is mistaken for another."""
import errno

ENGINE = "Docker engine"
ENGINE_DOWN = f"{ENGINE} unreachable"   # why a grading an engine outage stopped was not done


def disk_full(exc: BaseException) -> bool:
    """Whether an error is a full disk (or a quota used up): the machine's, not the code's."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class InfraError(Exception):
    """The grader or its machine failed (engine down, image missing): never the learner's zero."""


class SubmissionError(Exception):
    """The submission as a whole cannot be graded (too large, not regular files): a plain message."""


class CheckFailed(Exception):
    """What the kernel showed does not meet the contract; the message says what was observed."""
