"""The three ways grading can go wrong, kept apart so that none is mistaken for another."""


ENGINE_DOWN = "Docker engine unreachable"   # why a grading an engine outage stopped was not done


class InfraError(Exception):
    """The grader or its machine failed (engine down, image missing): never the learner's zero."""


class SubmissionError(Exception):
    """The submission as a whole cannot be graded (too large, not regular files): a plain message."""


class CheckFailed(Exception):
    """What the kernel showed does not meet the contract; the message says what was observed."""
