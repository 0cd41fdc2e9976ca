"""What zombielab writes for Gradescope and PrairieLearn holds only their documented fields
(platform_formats), from a real grading's results kept as a fixture; and the validators
themselves refuse what the platforms' documentation does not allow."""
import copy

import pytest
from pydantic import ValidationError

from grader import exports, labspec, report
from grader.grading import ENGINE_FREE_BACKEND, Scorecard
from platform_formats import valid_gradescope, valid_prairielearn

from .test_engine_free import exercise
from .test_feedback import RESULTS, failed_twice


def test_a_gradings_results_are_gradescopes_format():
    valid_gradescope(RESULTS)
    valid_gradescope(report.gradescope(failed_twice()))


def test_a_gradings_results_are_prairielearns_format():
    valid_prairielearn(exports.prairielearn(exports.Record("ann", RESULTS)))


def test_what_is_not_gradable_is_prairielearns_format():
    valid_prairielearn(exports.prairielearn(exports.Record("carol", None, "engine unreachable")))
    init = exercise("lab4", "mini_init.py")
    init.skip_unmet(frozenset())
    card = Scorecard(labspec.load("lab4"), init.ordered_results(), 0.1, backend=ENGINE_FREE_BACKEND)
    valid_prairielearn(exports.prairielearn(exports.Record("s", report.gradescope(card))))


@pytest.mark.parametrize("spoil", [
    lambda r: r.update(grade=3),                               # a field not documented
    lambda r: r["tests"][0].update(status="skipped"),          # not passed or failed
    lambda r: r.update(visibility="students"),
    lambda r: (r.pop("score"), r["tests"][0].pop("score")),    # no score anywhere
])
def test_gradescopes_validator_refuses_what_is_not_documented(spoil):
    results = copy.deepcopy(RESULTS)
    spoil(results)
    with pytest.raises((ValidationError, AssertionError)):
        valid_gradescope(results)


@pytest.mark.parametrize("spoil", [
    lambda r: r.update(score=1.5),                             # a score is in [0, 1]
    lambda r: r.pop("score"),                                  # gradable, with no score
    lambda r: r["tests"][0].pop("max_points"),
    lambda r: r["images"].append({"url": "https://example.org/a.png"}),
    lambda r: r.update(output="x" * 1_000_001),                # over 1 MB
])
def test_prairielearns_validator_refuses_what_is_not_documented(spoil):
    results = exports.prairielearn(exports.Record("ann", RESULTS))
    spoil(results)
    with pytest.raises((ValidationError, AssertionError)):
        valid_prairielearn(results)
