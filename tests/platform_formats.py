"""The results files of Gradescope and PrairieLearn, as their documentation gives them, for tests
to validate what zombielab writes against: a field neither documents, a wrong type or value,
or a file over PrairieLearn's size limit fails.

Gradescope: https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format").
PrairieLearn: docs/externalGrading.md ("Grading results") and the pl-external-grader-results
element, which renders the tests and images."""
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PRAIRIELEARN_LIMIT = 1_000_000   # bytes: "this file should be limited to 1 MB"

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
Format = Literal["text", "html", "simple_format", "md", "ansi"]


class Documented(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class GradescopeTest(Documented):
    score: float | None = None
    max_score: float | None = None
    status: Literal["passed", "failed"] | None = None
    name: str | None = None
    name_format: Format | None = None
    number: str | None = None
    output: str | None = None
    output_format: Format | None = None
    tags: list[str] | None = None
    visibility: Visibility | None = None
    extra_data: dict[str, Any] | None = None


class LeaderboardEntry(Documented):
    name: str
    value: float | str
    order: Literal["asc", "desc"] | None = None


class GradescopeResults(Documented):
    score: float | None = None
    execution_time: float | None = None
    output: str | None = None
    output_format: Format | None = None
    test_output_format: Format | None = None
    test_name_format: Format | None = None
    visibility: Visibility | None = None
    stdout_visibility: Visibility | None = None
    extra_data: dict[str, Any] | None = None
    tests: list[GradescopeTest] | None = None
    leaderboard: list[LeaderboardEntry] | None = None

    @model_validator(mode="after")
    def scored(self):
        # "score: optional, but required if not on each test case"
        assert self.score is not None or (self.tests and all(t.score is not None
                                                             for t in self.tests)), "no score"
        return self


class Image(Documented):
    url: str = Field(pattern=r"^data:image/[a-z+.-]+;base64,")
    label: str | None = None


class PrairieLearnTest(Documented):
    name: str
    description: str | None = None
    points: float
    max_points: float
    message: str | None = None
    output: str | None = None
    images: list[Image] | None = None


class PrairieLearnResults(Documented):
    gradable: bool = True
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    format_errors: str | list[str] | None = None
    message: str | None = None
    output: str | None = None
    images: list[Image] | None = None
    tests: list[PrairieLearnTest] | None = None

    @model_validator(mode="after")
    def scored(self):
        # "If the submission is gradable, the result only has one mandatory field: score"
        assert not self.gradable or self.score is not None, "gradable, with no score"
        return self


def valid_gradescope(results: dict) -> dict:
    GradescopeResults.model_validate(results)
    return results


def valid_prairielearn(results: dict) -> dict:
    size = len(json.dumps(results).encode())
    assert size <= PRAIRIELEARN_LIMIT, f"results.json is {size} bytes, over PrairieLearn's 1 MB"
    PrairieLearnResults.model_validate(results)
    return results
