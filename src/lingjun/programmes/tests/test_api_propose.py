"""Quota proposal by the largest-remainder (Hamilton) method (SPEC §3.1): service and API."""

import math
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lingjun.core.errors import ValidationFailed
from lingjun.core.tests.api_helpers import assert_error
from lingjun.programmes.models import Quota
from lingjun.programmes.services import propose_quotas
from lingjun.reference.models import Region

BJ, TJ, HE, SX, NM, LN = "110000", "120000", "130000", "140000", "150000", "210000"


# --- hand-made cases ----------------------------------------------------------------------------------


def test_ten_over_three_equal_weights_gives_the_extra_seat_to_the_lowest_code(db):
    assert propose_quotas(10, {BJ: 1, TJ: 1, HE: 1}) == {BJ: 4, TJ: 3, HE: 3}


def test_tie_break_does_not_depend_on_the_order_weights_are_given(db):
    assert propose_quotas(10, {HE: 1, TJ: 1, BJ: 1}) == {BJ: 4, TJ: 3, HE: 3}
    assert propose_quotas(11, {HE: 5, BJ: 5, TJ: 5}) == {BJ: 4, TJ: 4, HE: 3}


def test_textbook_hare_example(db):
    # The usual largest-remainder example: 100 000 votes, 10 seats, Hare quota 10 000.
    # Automatic seats 4,1,1,1,0,0; remainders .70 .60 .58 .20 .61 .31 → extra seats to 1st, 5th, 2nd.
    weights = {BJ: 47000, TJ: 16000, HE: 15800, SX: 12000, NM: 6100, LN: 3100}
    assert propose_quotas(10, weights) == {BJ: 5, TJ: 2, HE: 1, SX: 1, NM: 1, LN: 0}


def test_alabama_paradox_is_reproduced_exactly(db):
    # Hamilton's method is known for the Alabama paradox: with weights 6, 6, 2 the third unit gets
    # 2 of 10 seats but only 1 of 11. A faithful implementation shows it.
    weights = {BJ: 6, TJ: 6, HE: 2}
    assert propose_quotas(10, weights) == {BJ: 4, TJ: 4, HE: 2}
    assert propose_quotas(11, weights) == {BJ: 5, TJ: 5, HE: 1}


def test_fractional_weights_use_exact_arithmetic(db):
    # 0.1 + 0.2 is not 0.3 in floating point; exact fractions make these three shares exactly 1/6, 2/6, 3/6.
    assert propose_quotas(6, {BJ: 0.1, TJ: 0.2, HE: 0.3}) == {BJ: 1, TJ: 2, HE: 3}
    assert propose_quotas(800, {BJ: 12.5, TJ: 12.5}) == {BJ: 400, TJ: 400}


def test_zero_weights_get_zero_even_when_seats_are_left_over(db):
    result = propose_quotas(5, {BJ: 1, TJ: 1, HE: 0, SX: 0})
    assert result == {BJ: 3, TJ: 2, HE: 0, SX: 0}


def test_a_single_positive_weight_takes_everything(db):
    assert propose_quotas(800, {BJ: 0, TJ: 3}) == {BJ: 0, TJ: 800}


def test_total_zero_gives_zeros(db):
    assert propose_quotas(0, {BJ: 1, TJ: 0}) == {BJ: 0, TJ: 0}


def test_all_37_regions_sum_to_800(db):
    codes = list(Region.objects.order_by("code").values_list("code", flat=True))
    rnd = random.Random(2024)
    weights = {c: rnd.randint(1, 900) for c in codes}
    result = propose_quotas(800, weights)
    assert sum(result.values()) == 800 and set(result) == set(codes)


@pytest.mark.parametrize(
    "total, weights, field, code",
    [
        (10, {BJ: 0, TJ: 0}, "weights", "weights_all_zero"),
        (10, {}, "weights", "weights_required"),
        (-1, {BJ: 1}, "total", "invalid_total"),
        (10, {BJ: -1, TJ: 2}, f"weights.{BJ}", "invalid_weight"),
        (10, {BJ: "3", TJ: 2}, f"weights.{BJ}", "invalid_weight"),
        (10, {BJ: True, TJ: 2}, f"weights.{BJ}", "invalid_weight"),
        (10, {BJ: float("nan"), TJ: 2}, f"weights.{BJ}", "invalid_weight"),
        (10, {BJ: float("inf"), TJ: 2}, f"weights.{BJ}", "invalid_weight"),
        (10, {"999999": 1, TJ: 2}, "weights.999999", "unknown_region"),
    ],
)
def test_bad_proposals_are_refused(db, total, weights, field, code):
    with pytest.raises(ValidationFailed) as exc:
        propose_quotas(total, weights)
    assert (field, code) in {(e.field, e.code) for e in exc.value.errors}


# --- property test ------------------------------------------------------------------------------------

WEIGHTS = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 0, 1, 1, 2]),  # many ties and zeros
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), total=st.integers(min_value=0, max_value=5000))
def test_largest_remainder_properties(db, data, total):
    codes = sorted(Region.objects.values_list("code", flat=True))
    weights = data.draw(
        st.dictionaries(st.sampled_from(codes), WEIGHTS, min_size=1, max_size=37), label="weights"
    )
    exact = {c: Fraction(str(w)) for c, w in weights.items()}
    weight_sum = sum(exact.values())
    if total > 0 and weight_sum == 0:
        with pytest.raises(ValidationFailed):
            propose_quotas(total, weights)
        return

    result = propose_quotas(total, weights)

    assert set(result) == set(weights)
    assert sum(result.values()) == total
    shares = {c: (total * w / weight_sum if weight_sum else Fraction(0)) for c, w in exact.items()}
    for c, q in result.items():
        if exact[c] == 0:
            assert q == 0
        else:
            assert (
                math.floor(shares[c]) <= q <= math.floor(shares[c]) + 1
            )  # at least the floor, at most one more
    # Hamilton: an extra seat never goes to a smaller remainder, and ties go to the lower region code.
    winners = [c for c in result if exact[c] > 0 and result[c] > math.floor(shares[c])]
    losers = [c for c in result if exact[c] > 0 and result[c] == math.floor(shares[c])]
    for w in winners:
        for loser in losers:
            rw, rl = shares[w] - math.floor(shares[w]), shares[loser] - math.floor(shares[loser])
            assert rw > rl or (rw == rl and w < loser)
    # deterministic, whatever the order the weights come in
    shuffled = list(weights.items())
    random.Random(total).shuffle(shuffled)
    assert propose_quotas(total, dict(shuffled)) == result
    # integer weights: scaling them all changes nothing
    if all(isinstance(w, int) for w in weights.values()):
        assert propose_quotas(total, {c: 3 * w for c, w in weights.items()}) == result


# --- API ----------------------------------------------------------------------------------------------


def propose_url(programme):
    return f"programmes/{programme.pk}/quotas/propose"


def test_bureau_gets_a_proposal_that_is_not_saved(api_as, programme):
    bureau = api_as("bureau")
    bureau.put(f"programmes/{programme.pk}/quotas", {"quotas": {"110000": 7}})
    before = bureau.get(f"programmes/{programme.pk}/quotas").json()
    r = bureau.post(propose_url(programme), {"total": 10, "weights": {BJ: 1, TJ: 1, HE: 1}})
    assert r.status_code == 200, r.content
    assert r.json() == {"quotas": {BJ: 4, TJ: 3, HE: 3}, "total": 10}
    assert bureau.get(f"programmes/{programme.pk}/quotas").json() == before
    assert dict(
        Quota.objects.filter(programme=programme, amount__gt=0).values_list("region_id", "amount")
    ) == {BJ: 7}


def test_api_proposal_with_float_weights(api_as, programme):
    r = api_as("bureau").post(
        propose_url(programme), {"total": 800, "weights": {"110000": 12.5, "310000": 37.5}}
    )
    assert r.json()["quotas"] == {"110000": 200, "310000": 600}


def test_api_all_zero_weights_is_422(api_as, programme):
    r = api_as("bureau").post(propose_url(programme), {"total": 10, "weights": {BJ: 0, TJ: 0}})
    assert_error(r, 422, "weights_all_zero", {"weights": "weights_all_zero"})


def test_api_bad_weight_and_total_are_422(api_as, programme):
    bureau = api_as("bureau")
    assert_error(
        bureau.post(propose_url(programme), {"total": 10, "weights": {"999999": 1}}),
        422,
        "unknown_region",
        {"weights.999999": "unknown_region"},
    )
    assert_error(
        bureau.post(propose_url(programme), {"total": "十", "weights": {BJ: 1}}),
        422,
        "invalid_integer",
        {"total": "invalid_integer"},
    )
    assert_error(
        bureau.post(propose_url(programme), {"total": True, "weights": {BJ: 1}}),
        422,
        "invalid_integer",
        {"total": "invalid_integer"},
    )
    assert_error(
        bureau.post(propose_url(programme), {"total": -5, "weights": {BJ: 1}}),
        422,
        "invalid_total",
        {"total": "invalid_total"},
    )


@pytest.mark.parametrize("role", ["centre", "region", "institution", "assessor", "trainee"])
def test_only_the_bureau_asks_for_proposals(api_as, programme, role):
    r = api_as(role).post(propose_url(programme), {"total": 10, "weights": {BJ: 1}})
    assert_error(r, 403, "forbidden")


def test_proposal_for_an_unknown_programme_is_404(api_as, programme):
    r = api_as("bureau").post(
        f"programmes/{programme.pk + 9}/quotas/propose", {"total": 10, "weights": {BJ: 1}}
    )
    assert_error(r, 404, "not_found")
