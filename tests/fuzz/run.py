"""A fuzz run: hypothesis draws examples, each is sent to the server and judged, and a
failing example is shrunk to a minimal one (hypothesis replays it at the end)."""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Flaky

from tests.fuzz.requests import CITIES, KINDS, TRANSPORTS, Example, documents, examples
from tests.fuzz.wire import Wire

Say = Callable[[str], None]


@dataclasses.dataclass
class Options:
    examples: int = 100
    cities: tuple[str, ...] = CITIES
    kinds: tuple[str, ...] = KINDS
    transports: tuple[str, ...] = TRANSPORTS
    seed: int | None = None  # None: derandomized, the same examples every run
    shrink: bool = True
    keep_going: bool = False  # record each kind of failure once and go on, unshrunk


@dataclasses.dataclass
class Summary:
    examples: int = 0
    seconds: float = 0.0
    answers: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    failures: list[str] = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        answers = ", ".join(f"{k} {v}" for k, v in sorted(self.answers.items()))
        head = f"{self.examples} requests sent in {self.seconds:.1f} s ({answers})"
        if not self.failures:
            return [head, "no failures"]
        return [head, f"{len(self.failures)} failure(s), each minimal:", *self.failures]


class Failed(AssertionError):
    pass


def _errors(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [e for inner in error.exceptions for e in _errors(inner)]
    return [error]


def fuzz(base: str, options: Options, say: Say | None = None) -> Summary:
    """Send `options.examples` examples to the server at `base`; what it answered."""
    for city in options.cities:
        for kind in options.kinds:
            documents(city, kind)  # built before drawing: building one touches `random`
    wire = Wire(base, options.cities)
    summary = Summary()
    step = max(1, options.examples // 20)
    seen: set[str] = set()
    started = time.monotonic()
    strategy = examples(
        tuple(sorted(wire.tokens[options.cities[0]])),
        options.cities,
        options.kinds,
        options.transports,
    )

    @settings(
        max_examples=options.examples,
        deadline=None,
        database=None,
        derandomize=options.seed is None,
        phases=[Phase.generate, Phase.shrink] if options.shrink else [Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(example=strategy)
    def check(example: Example) -> None:
        outcome = wire.send(example)
        summary.examples += 1
        summary.answers[outcome.answer] += 1
        if say and summary.examples % step == 0:
            say(f"  {summary.examples} sent, {time.monotonic() - started:.0f} s")
        if outcome.failure:
            failure = f"{outcome.failure}\n{example!r}"
            if not options.keep_going:
                raise Failed(failure)
            kind = outcome.failure.splitlines()[0][:100]
            if kind not in seen:
                seen.add(kind)
                summary.failures.append(failure)
                if say:
                    say(f"  FAILED: {failure[:2_000]}")

    if options.seed is not None:
        check = seed(options.seed)(check)
    try:
        check()
    except (Failed, Flaky, BaseExceptionGroup) as error:
        summary.failures = [str(e) for e in _errors(error)]
    finally:
        wire.close()
        summary.seconds = time.monotonic() - started
    return summary
