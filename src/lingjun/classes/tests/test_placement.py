"""The placement optimiser (lingjun.classes.placement.place) on hand-made and random inputs (issue #4).

Guarantees under test: capacity is never exceeded; each trainee is placed at most once; as many are placed as
there are seats; every preference that can be honoured is honoured (small cases, checked by brute force);
the preference cost is never above first-come-first-served; the result is deterministic and explained."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lingjun.classes.placement import (
    NOT_PREFERRED,
    Candidate,
    Seat,
    greedy,
    place,
    preference_cost,
    total_cost,
)

REGIONS = ("110000", "330000", "440000")


def per_class(assigned: dict[int, int]) -> Counter:
    return Counter(assigned.values())


def number_of(seats, class_id) -> int:
    return next(s.number for s in seats if s.id == class_id)


# --- strategies -----------------------------------------------------------------------------------------


@st.composite
def seat_lists(draw, max_classes=5, max_capacity=6):
    k = draw(st.integers(1, max_classes))
    numbers = draw(st.permutations(range(1, max_classes + 2)))[:k]
    return [
        Seat(
            id=100 + number,
            number=number,
            capacity=draw(st.integers(0, max_capacity)),
            track=draw(st.sampled_from(["regional", "specialized", "theme"])),
        )
        for number in numbers
    ]


@st.composite
def candidate_lists(draw, max_n=16, max_class_number=7, max_prefs=5, specialized=True):
    n = draw(st.integers(0, max_n))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    return [
        Candidate(
            id=i,
            region=draw(st.sampled_from(REGIONS)),
            preferences=tuple(
                draw(st.lists(st.integers(1, max_class_number), max_size=max_prefs, unique=True))
            ),
            specialized=draw(st.booleans()) if specialized else False,
        )
        for i in ids
    ]


# --- capacity, cardinality, consistency -------------------------------------------------------------------


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cands=candidate_lists(), seats=seat_lists())
def test_capacity_never_exceeded_and_everyone_placed_at_most_once(cands, seats):
    result = place(cands, seats)
    capacity = {s.id: s.capacity for s in seats}
    for class_id, count in per_class(result.assigned).items():
        assert count <= capacity[class_id], (class_id, count, capacity[class_id])
    ids = {c.id for c in cands}
    assert set(result.assigned) <= ids
    assert not set(result.assigned) & set(result.unassigned)
    assert len(result.unassigned) == len(set(result.unassigned))
    assert set(result.assigned) | set(result.unassigned) == ids
    assert len(result.assigned) == min(len(cands), sum(max(s.capacity, 0) for s in seats))
    assert set(result.reasons) == set(result.assigned)
    assert result.cost == total_cost(cands, seats, result.assigned)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cands=candidate_lists(), seats=seat_lists())
def test_preference_cost_never_above_first_come_first_served(cands, seats):
    result = place(cands, seats)
    fcfs = greedy(cands, seats)
    assert len(result.assigned) >= len(fcfs)
    assert result.cost <= total_cost(cands, seats, fcfs)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cands=candidate_lists(max_n=4, max_class_number=4, max_prefs=3, specialized=False),
    seats=seat_lists(max_classes=4, max_capacity=2),
)
def test_every_feasible_preference_is_honoured_on_small_cases(cands, seats):
    """Brute force: when some placement gives every trainee one of their preferences, the optimiser's does too."""
    slots = [s.number for s in seats for _ in range(s.capacity)]
    feasible = len(cands) <= len(slots) and any(
        all(number in c.preferences for c, number in zip(cands, perm, strict=True))
        for perm in itertools.permutations(slots, len(cands))
    )
    result = place(cands, seats)
    if feasible:
        assert result.unassigned == []
        for c in cands:
            assert number_of(seats, result.assigned[c.id]) in c.preferences, (c, result.assigned)


# --- hand-made cases ------------------------------------------------------------------------------------


def test_everyone_gets_the_first_choice_when_all_first_choices_fit():
    seats = [Seat(11, 1, 3, "regional"), Seat(12, 2, 2, "specialized"), Seat(13, 3, 4, "theme")]
    firsts = [1, 1, 1, 2, 2, 3, 3, 3]
    cands = [Candidate(i, REGIONS[i % 2], (first, (first % 3) + 1)) for i, first in enumerate(firsts, 1)]
    result = place(cands, seats)
    assert result.unassigned == []
    for c in cands:
        assert number_of(seats, result.assigned[c.id]) == c.preferences[0]
        assert result.reasons[c.id].startswith("第1志愿")
    assert result.cost == 0


def test_first_choices_win_over_region_spread():
    """Eight trainees of one region all want class 1 (then 2); class 1 has room for all: they all go there."""
    seats = [Seat(11, 1, 8), Seat(12, 2, 8)]
    cands = [Candidate(i, "330000", (1, 2)) for i in range(1, 9)]
    result = place(cands, seats)
    assert set(result.assigned.values()) == {11}


def test_optimum_where_first_come_first_served_fails():
    """A (registered first) would take B's only choice; the optimiser gives B class 1 and A class 2."""
    seats = [Seat(11, 1, 1), Seat(12, 2, 1)]
    a = Candidate(1, "110000", (1, 2))
    b = Candidate(2, "110000", (1,))
    fcfs = greedy([a, b], seats)
    assert fcfs == {1: 11, 2: 12}  # the baseline puts B outside any choice
    result = place([a, b], seats)
    assert result.assigned == {1: 12, 2: 11}
    assert result.reasons[2] == "第1志愿"
    assert result.reasons[1] == "第2志愿"
    assert result.cost == 10 < total_cost([a, b], seats, fcfs) == NOT_PREFERRED


def test_chain_of_preferences_all_honoured():
    """C wants only 1, A wants 1 or 2, B wants 2 or 3: everyone can be honoured, and is."""
    seats = [Seat(11, 1, 1), Seat(12, 2, 1), Seat(13, 3, 1)]
    cands = [Candidate(1, "110000", (1, 2)), Candidate(2, "330000", (2, 3)), Candidate(3, "440000", (1,))]
    result = place(cands, seats)
    assert result.assigned == {3: 11, 1: 12, 2: 13}


def test_more_trainees_than_seats_leaves_the_rest_unassigned():
    seats = [Seat(11, 1, 2), Seat(12, 2, 1)]
    cands = [Candidate(i, "110000", (1,)) for i in range(1, 6)]
    result = place(cands, seats)
    assert len(result.assigned) == 3
    assert sorted(result.unassigned) == sorted(set(range(1, 6)) - set(result.assigned))
    assert per_class(result.assigned) == {11: 2, 12: 1}
    # The one placed outside the choice is told so.
    moved = [cid for cid, s in result.assigned.items() if s == 12]
    assert result.reasons[moved[0]] == "志愿期次已满，调剂安排"


def test_full_classes_and_no_classes():
    assert place([Candidate(1, "110000", (1,))], [Seat(11, 1, 0)]).unassigned == [1]
    assert place([Candidate(1, "110000", (1,))], []).unassigned == [1]
    empty = place([], [Seat(11, 1, 3)])
    assert empty.assigned == {} and empty.unassigned == []


def test_region_spread_with_no_preferences_fills_ten_and_ten():
    seats = [Seat(11, 1, 10), Seat(12, 2, 10)]
    cands = [Candidate(i, "330000") for i in range(1, 21)]
    result = place(cands, seats)
    assert per_class(result.assigned) == {11: 10, 12: 10}
    assert all(r == "未填志愿，按地区均衡安排" for r in result.reasons.values())


def test_region_spread_when_seats_are_plentiful():
    """Room for everyone in either class: each region is still split evenly rather than piled into class 1."""
    seats = [Seat(11, 1, 30), Seat(12, 2, 30)]
    cands = [Candidate(i, "330000") for i in range(1, 11)] + [Candidate(i, "440000") for i in range(11, 17)]
    result = place(cands, seats)
    by_region = Counter((c.region, result.assigned[c.id]) for c in cands)
    assert by_region == {("330000", 11): 5, ("330000", 12): 5, ("440000", 11): 3, ("440000", 12): 3}


def test_little_giant_goes_to_the_specialized_track_when_there_is_room():
    seats = [Seat(11, 1, 5, "regional"), Seat(12, 2, 5, "specialized"), Seat(13, 3, 5, "theme")]
    giant = Candidate(1, "110000", (), specialized=True)
    ordinary = Candidate(2, "110000")
    result = place([giant, ordinary], seats)
    assert result.assigned[1] == 12
    assert "专精特新班优先" in result.reasons[1]


def test_little_giants_of_one_region_all_go_to_the_specialized_track_when_there_is_room():
    seats = [Seat(11, 1, 4, "specialized"), Seat(12, 2, 4, "regional")]
    giants = [Candidate(i, "330000", (), specialized=True) for i in range(1, 5)]
    result = place(giants, seats)
    assert set(result.assigned.values()) == {11}, result.reasons


def test_little_giant_beyond_the_specialized_seats_is_told_so():
    seats = [Seat(11, 1, 1, "specialized"), Seat(12, 2, 5, "regional")]
    giants = [Candidate(1, "110000", (), True), Candidate(2, "330000", (), True)]
    result = place(giants, seats)
    assert per_class(result.assigned) == {11: 1, 12: 1}
    reasons = sorted(result.reasons.values())
    assert any(r.endswith("专精特新班优先") for r in reasons)
    assert any(r.endswith("专精特新班已满") for r in reasons)


def test_an_explicit_choice_outweighs_the_track():
    seats = [Seat(11, 1, 5, "regional"), Seat(12, 2, 5, "specialized")]
    result = place([Candidate(1, "110000", (1,), specialized=True)], seats)
    assert result.assigned == {1: 11}
    assert result.reasons[1].startswith("第1志愿")


def test_explanations_name_the_choice():
    """The unique optimum: C1 class 1, C2 its 2nd choice, C3 its 3rd, and C4 (whose only choice does not
    exist) the seat that is left."""
    seats = [Seat(11, 1, 1), Seat(12, 2, 1), Seat(13, 3, 1), Seat(14, 4, 1)]
    cands = [
        Candidate(1, "110000", (1,)),
        Candidate(2, "110000", (1, 2)),
        Candidate(3, "330000", (1, 2, 3)),
        Candidate(4, "440000", (5,)),
    ]
    result = place(cands, seats)
    assert result.assigned == {1: 11, 2: 12, 3: 13, 4: 14}
    assert result.reasons == {1: "第1志愿", 2: "第2志愿", 3: "第3志愿", 4: "志愿期次已满，调剂安排"}
    giant = place(
        [Candidate(9, "110000", (2,), True)], [Seat(11, 1, 1, "specialized"), Seat(12, 2, 1, "regional")]
    )
    assert (
        giant.reasons[9] == "第1志愿"
    )  # their own choice: not “the specialized class was full” (it was not)


def test_deterministic_whatever_the_input_order():
    rng = random.Random(2030)
    seats = [
        Seat(100 + j, j, rng.randint(2, 6), rng.choice(["regional", "specialized"])) for j in range(1, 6)
    ]
    cands = [
        Candidate(
            i, rng.choice(REGIONS), tuple(rng.sample(range(1, 6), rng.randint(0, 3))), rng.random() < 0.3
        )
        for i in range(1, 31)
    ]
    first = place(cands, seats)
    for _ in range(3):
        again = place(cands, seats)
        assert (again.assigned, again.reasons, again.unassigned, again.cost) == (
            first.assigned,
            first.reasons,
            first.unassigned,
            first.cost,
        )
    shuffled_c, shuffled_s = cands[:], seats[:]
    rng.shuffle(shuffled_c)
    rng.shuffle(shuffled_s)
    other = place(shuffled_c, shuffled_s)
    assert other.assigned == first.assigned
    assert sorted(other.unassigned) == sorted(first.unassigned)


def test_preference_cost_matches_the_documented_scale():
    regional, specialized = Seat(11, 1, 1, "regional"), Seat(12, 2, 1, "specialized")
    assert preference_cost(Candidate(1, "x", (1, 2)), regional) == 0
    assert preference_cost(Candidate(1, "x", (2, 1)), regional) == 10
    assert preference_cost(Candidate(1, "x", (2,)), regional) == NOT_PREFERRED
    assert preference_cost(Candidate(1, "x", (), True), specialized) < preference_cost(
        Candidate(1, "x", (), True), regional
    )


def test_honouring_a_preference_comes_before_its_rank():
    """Everyone can be placed in a class they named (C1→2, C2→3, C3→4, D→1): the optimiser must find it, even
    though keeping C1–C3 on their first choices would give a lower sum of ranks."""
    from lingjun.classes.placement import Candidate, Seat, place

    seats = [Seat(i, i, 1) for i in range(1, 5)]
    cands = [
        Candidate(1, "110000", (1, 91, 92, 93, 2)),
        Candidate(2, "110000", (2, 91, 92, 93, 3)),
        Candidate(3, "110000", (3, 91, 92, 93, 4)),
        Candidate(4, "110000", (1,)),
    ]
    result = place(cands, seats)
    assert result.assigned == {1: 2, 2: 3, 3: 4, 4: 1}
    assert all("志愿" in r and "调剂" not in r for r in result.reasons.values())
