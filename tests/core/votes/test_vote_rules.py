"""Article 278 arithmetic: thresholds exactly at and either side, by area and head apart."""

from __future__ import annotations

from fractions import Fraction

import pytest

from core.infra.enums import VoteMatter, VoteMeasure, VoteRule, VoteVerdict
from core.votes.rules import Count, decide

SIMPLE = VoteMatter.PROPERTY_MANAGER
SPECIAL = VoteMatter.REBUILDING
# 3 owners by head holding 3000.00 m² (300000 hundredths): two thirds is 2 and 200000.
ELECTORATE = Count(heads=3, area_cm=300_000)


def closed(matter, participating, approving, electorate=ELECTORATE):
    return decide(matter, electorate, participating, approving, closed=True)


@pytest.mark.parametrize(
    ("heads", "area", "verdict", "failed"),
    [
        (2, 200_000, VoteVerdict.PASSED, ()),  # exactly two thirds of both: valid
        (2, 199_999, VoteVerdict.INVALID, (VoteMeasure.AREA,)),  # 0.01 m² short
        (2, 200_001, VoteVerdict.PASSED, ()),
        (1, 299_999, VoteVerdict.INVALID, (VoteMeasure.HEADS,)),  # area enough, heads not
        (3, 300_000, VoteVerdict.PASSED, ()),
        (1, 100_000, VoteVerdict.INVALID, (VoteMeasure.AREA, VoteMeasure.HEADS)),
    ],
)
def test_quorum_is_two_thirds_of_area_and_of_heads(heads, area, verdict, failed):
    participating = Count(heads, area)
    outcome = closed(SIMPLE, participating, approving=participating)
    assert (outcome.verdict, outcome.failed) == (verdict, failed)
    expected_rule = (
        VoteRule.QUORUM_TWO_THIRDS
        if verdict is VoteVerdict.INVALID
        else VoteRule.SIMPLE_MAJORITY_HALF
    )
    assert outcome.rule is expected_rule
    assert outcome.participation_area == Fraction(area, 300_000)


def test_two_thirds_is_exact_where_floats_are_not():
    # 0.10 + 0.20 m² of 0.45 m² is exactly two thirds; as floats it is not.
    assert (0.1 + 0.2) / 0.45 != 2 / 3
    electorate = Count(3, 45)
    outcome = closed(SIMPLE, Count(2, 10 + 20), Count(2, 30), electorate)
    assert outcome.participation_area == Fraction(2, 3)
    assert outcome.verdict is VoteVerdict.PASSED


@pytest.mark.parametrize(
    ("heads", "area", "verdict", "failed"),
    [
        (3, 75_000, VoteVerdict.PASSED, ()),  # exactly three quarters of both
        (3, 74_999, VoteVerdict.REJECTED, (VoteMeasure.AREA,)),
        (3, 75_001, VoteVerdict.PASSED, ()),
        (2, 90_000, VoteVerdict.REJECTED, (VoteMeasure.HEADS,)),  # passes by area, not head
        (4, 74_000, VoteVerdict.REJECTED, (VoteMeasure.AREA,)),  # passes by head, not area
    ],
)
def test_matters_six_to_eight_need_three_quarters_of_both(heads, area, verdict, failed):
    # Four owners holding 1000.00 m² take part; all of them count towards the quorum.
    electorate = Count(4, 100_000)
    outcome = closed(SPECIAL, Count(4, 100_000), Count(heads, area), electorate)
    assert (outcome.verdict, outcome.failed) == (verdict, failed)
    assert outcome.rule is VoteRule.SPECIAL_MAJORITY_THREE_QUARTERS


@pytest.mark.parametrize("matter", [VoteMatter.MAINTENANCE_FUND_RAISE, VoteMatter.COMMON_PARTS_USE])
def test_each_of_matters_six_to_eight_takes_the_special_rule(matter):
    outcome = closed(matter, Count(4, 100_000), Count(3, 70_000), Count(4, 100_000))
    assert outcome.verdict is VoteVerdict.REJECTED  # 70 % would pass a simple matter


@pytest.mark.parametrize(
    ("heads", "area", "verdict", "failed"),
    [
        (2, 50_000, VoteVerdict.REJECTED, (VoteMeasure.AREA, VoteMeasure.HEADS)),  # exactly half
        (3, 50_000, VoteVerdict.REJECTED, (VoteMeasure.AREA,)),
        (2, 50_001, VoteVerdict.REJECTED, (VoteMeasure.HEADS,)),
        (3, 50_001, VoteVerdict.PASSED, ()),  # just over half of both
    ],
)
def test_other_matters_need_more_than_half_of_both(heads, area, verdict, failed):
    electorate = Count(4, 100_000)
    outcome = closed(SIMPLE, Count(4, 100_000), Count(heads, area), electorate)
    assert (outcome.verdict, outcome.failed) == (verdict, failed)


def test_approval_counts_against_participants_not_the_electorate():
    # 2 of 3 owners take part (exactly the quorum); both approve: 100 % of participants.
    outcome = closed(SPECIAL, Count(2, 200_000), Count(2, 200_000))
    assert outcome.approval_heads == 1
    assert outcome.verdict is VoteVerdict.PASSED


def test_an_open_vote_is_pending_whatever_its_numbers():
    outcome = decide(SIMPLE, ELECTORATE, Count(3, 300_000), Count(3, 300_000), closed=False)
    assert outcome.verdict is VoteVerdict.PENDING
    assert outcome.failed == ()
