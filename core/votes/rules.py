"""Article 278 of the Civil Code as arithmetic: quorum, majorities, the verdict.

Everything is a Fraction of whole numbers (areas in hundredths of m², heads), so a vote at
exactly two thirds or three quarters is decided exactly; no float is ever compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from core.infra.enums import VoteMatter, VoteMeasure, VoteRule, VoteVerdict

TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)
HALF = Fraction(1, 2)

# Matters (6)-(8) need three quarters; every other matter more than half.
SPECIAL_MATTERS = frozenset(
    {VoteMatter.MAINTENANCE_FUND_RAISE, VoteMatter.REBUILDING, VoteMatter.COMMON_PARTS_USE}
)


@dataclass(frozen=True)
class Count:
    """A number of owners and the exclusive area they hold (hundredths of m²)."""

    heads: int
    area_cm: int


@dataclass(frozen=True)
class Outcome:
    verdict: VoteVerdict
    # The quorum rule when it failed, else the majority rule the matter is judged by.
    rule: VoteRule
    # The measures the deciding rule failed on (empty when the vote passed or is pending).
    failed: tuple[VoteMeasure, ...]
    participation_heads: Fraction
    participation_area: Fraction
    approval_heads: Fraction
    approval_area: Fraction


def ratio(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)


def majority_rule(matter: VoteMatter) -> VoteRule:
    if matter in SPECIAL_MATTERS:
        return VoteRule.SPECIAL_MAJORITY_THREE_QUARTERS
    return VoteRule.SIMPLE_MAJORITY_HALF


def _meets(rule: VoteRule, share: Fraction) -> bool:
    if rule is VoteRule.SPECIAL_MAJORITY_THREE_QUARTERS:
        return share >= THREE_QUARTERS
    if rule is VoteRule.SIMPLE_MAJORITY_HALF:
        return share > HALF
    return share >= TWO_THIRDS


def _failed(rule: VoteRule, heads: Fraction, area: Fraction) -> tuple[VoteMeasure, ...]:
    pairs = ((VoteMeasure.AREA, area), (VoteMeasure.HEADS, heads))
    return tuple(measure for measure, share in pairs if not _meets(rule, share))


def decide(
    matter: VoteMatter, electorate: Count, participating: Count, approving: Count, closed: bool
) -> Outcome:
    """The verdict of a vote; PENDING until it is closed, with the shares so far."""
    p_heads = ratio(participating.heads, electorate.heads)
    p_area = ratio(participating.area_cm, electorate.area_cm)
    a_heads = ratio(approving.heads, participating.heads)
    a_area = ratio(approving.area_cm, participating.area_cm)
    shares = (p_heads, p_area, a_heads, a_area)
    rule = majority_rule(matter)
    if not closed:
        return Outcome(VoteVerdict.PENDING, rule, (), *shares)
    quorum_failed = _failed(VoteRule.QUORUM_TWO_THIRDS, p_heads, p_area)
    if quorum_failed:
        return Outcome(VoteVerdict.INVALID, VoteRule.QUORUM_TWO_THIRDS, quorum_failed, *shares)
    failed = _failed(rule, a_heads, a_area)
    verdict = VoteVerdict.REJECTED if failed else VoteVerdict.PASSED
    return Outcome(verdict, rule, failed, *shares)
