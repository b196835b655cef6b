"""Placement of approved trainees into classes (SPEC §3.3) as a min-cost flow (OR-Tools).

Network: source → trainee (capacity 1) → (class, region) → class → sink (capacity = seats left).
- A trainee's arc to a class costs by preference: 1st choice 0, 2nd 10, 3rd 20, …; a class the trainee did
  not name costs more than all ranks of all trainees together, so the number of trainees placed in a class
  they named is maximal (every preference that can be honoured is), and then the sum of ranks is minimal.
  (NOT_PREFERRED is the cost reported for such a placement; NO_PREFERENCE when the trainee named none.)
- Track fit: a 专精特新“小巨人” enterprise in a class that is not a 专精特新 track costs TRACK_MISMATCH.
- Region spread: each (class, region) node passes its fair share (ceil(region size / classes)) at no cost;
  more costs SPREAD_PENALTY per trainee, so a region is spread over classes unless preferences say otherwise.
  Spread is strictly secondary: the trainee arcs' costs are scaled so that no amount of spread penalty can
  outweigh one unit of preference cost (preference or track fit never yields to spread).
- Capacity is a hard arc capacity; the flow is maximal first (as many trainees placed as seats allow), then
  of minimal cost. Deterministic: arcs are added in a fixed order (trainee id, class number).
People of one enterprise never meet in one class: R1 already allows one person per enterprise a year.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

PREFERENCE_STEP = 10
NOT_PREFERRED = 100
NO_PREFERENCE = 15
TRACK_MISMATCH = 6
SPREAD_PENALTY = 8


@dataclass(frozen=True)
class Candidate:
    id: int
    region: str
    preferences: tuple[int, ...] = ()  # class numbers, most wanted first
    specialized: bool = False  # 专精特新“小巨人”: belongs in a 专精特新 class first


@dataclass(frozen=True)
class Seat:
    id: int
    number: int
    capacity: int  # seats still free
    track: str = ""


@dataclass
class Placement:
    assigned: dict[int, int] = field(default_factory=dict)  # candidate id → class id
    reasons: dict[int, str] = field(default_factory=dict)
    unassigned: list[int] = field(default_factory=list)
    cost: int = 0


def preference_cost(c: Candidate, s: Seat) -> int:
    if s.number in c.preferences:
        cost = c.preferences.index(s.number) * PREFERENCE_STEP
    else:
        cost = NOT_PREFERRED if c.preferences else NO_PREFERENCE
    if c.specialized and s.track != "specialized":
        cost += TRACK_MISMATCH
    return cost


def explain(c: Candidate, s: Seat) -> str:
    if s.number in c.preferences:
        text = f"第{c.preferences.index(s.number) + 1}志愿"
    elif c.preferences:
        text = "志愿期次已满，调剂安排"
    else:
        text = "未填志愿，按地区均衡安排"
    # A 小巨人 in a class of their own choosing needs no track remark (“专精特新班已满” would be untrue).
    if c.specialized and (s.track == "specialized" or s.number not in c.preferences):
        text += "；专精特新班优先" if s.track == "specialized" else "；专精特新班已满"
    return text


def total_cost(cands: list[Candidate], seats: list[Seat], assigned: dict[int, int]) -> int:
    by_id = {s.id: s for s in seats}
    return sum(preference_cost(c, by_id[assigned[c.id]]) for c in cands if c.id in assigned)


def place(cands: list[Candidate], seats: list[Seat]) -> Placement:
    from ortools.graph.python import min_cost_flow

    cands = sorted(cands, key=lambda c: c.id)
    seats = sorted((s for s in seats if s.capacity > 0), key=lambda s: s.number)
    result = Placement()
    if not cands or not seats:
        result.unassigned = [c.id for c in cands]
        return result
    n, m = len(cands), len(seats)
    regions = sorted({c.region for c in cands})
    r_index = {r: i for i, r in enumerate(regions)}
    region_size = Counter(c.region for c in cands)
    # Node numbering: 0 source, 1 sink, trainees 2..n+1, classes, then (class, region) pairs.
    source, sink = 0, 1
    t0 = 2
    c0 = t0 + n
    p0 = c0 + m
    pair = lambda ci, ri: p0 + ci * len(regions) + ri  # noqa: E731

    # Trainee → (class, region) arcs, built with numpy for large inputs.
    # The same costs as preference_cost(), vectorised (20,000 × 100 arcs).
    col = {s.number: j for j, s in enumerate(seats)}
    # Honouring a preference at all comes before which rank it is: leaving someone outside every class they
    # named costs more than moving all others down their whole lists, so the number of trainees placed in a
    # class they chose is maximal (then ranks are minimised, then track fit, then spread).
    max_rank = max((len(c.preferences) for c in cands), default=1)
    outside = (max_rank * PREFERENCE_STEP + TRACK_MISMATCH) * n + 1
    base = np.array([outside if c.preferences else NO_PREFERENCE for c in cands], dtype=np.int64)
    cost = np.repeat(base[:, None], m, axis=1)
    for i, c in enumerate(cands):
        for rank, number in enumerate(c.preferences):
            j = col.get(number)
            if j is not None and cost[i, j] > rank * PREFERENCE_STEP:
                cost[i, j] = rank * PREFERENCE_STEP
    mismatch = np.array([s.track != "specialized" for s in seats], dtype=np.int64) * TRACK_MISMATCH
    specialized = np.array([c.specialized for c in cands], dtype=bool)
    cost[specialized] += mismatch
    cand_region = np.array([r_index[c.region] for c in cands], dtype=np.int64)
    tails = np.repeat(np.arange(n, dtype=np.int64) + t0, m)
    heads = p0 + np.tile(np.arange(m, dtype=np.int64), n) * len(regions) + np.repeat(cand_region, m)
    caps = np.ones(n * m, dtype=np.int64)
    # Preferences (with track fit) come first, region spread second: one unit of preference cost outweighs the
    # largest possible total spread penalty, so spread only decides between placements of equal preference cost
    # and the optimiser is never worse than first-come-first-served on preferences.
    costs = cost.reshape(-1) * (SPREAD_PENALTY * n + 1)

    extra_tails, extra_heads, extra_caps, extra_costs = [], [], [], []

    def arc(t, h, cap, cst):
        extra_tails.append(t)
        extra_heads.append(h)
        extra_caps.append(cap)
        extra_costs.append(cst)

    for i in range(n):
        arc(source, t0 + i, 1, 0)
    for ci in range(m):
        for r, ri in r_index.items():
            share = math.ceil(region_size[r] / m)
            arc(pair(ci, ri), c0 + ci, share, 0)
            arc(pair(ci, ri), c0 + ci, n, SPREAD_PENALTY)
        arc(c0 + ci, sink, seats[ci].capacity, 0)

    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([tails, np.array(extra_tails, dtype=np.int64)]),
        np.concatenate([heads, np.array(extra_heads, dtype=np.int64)]),
        np.concatenate([caps, np.array(extra_caps, dtype=np.int64)]),
        np.concatenate([costs, np.array(extra_costs, dtype=np.int64)]),
    )
    smcf.set_node_supply(source, n)
    smcf.set_node_supply(sink, -n)
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"placement solver failed with status {status}")
    flows = smcf.flows(np.arange(n * m, dtype=np.int64))
    chosen = np.flatnonzero(flows)
    for k in chosen:
        i, j = divmod(int(k), m)
        c, s = cands[i], seats[j]
        result.assigned[c.id] = s.id
        result.reasons[c.id] = explain(c, s)
    result.unassigned = [c.id for c in cands if c.id not in result.assigned]
    result.cost = total_cost(cands, seats, result.assigned)
    return result


def greedy(cands: list[Candidate], seats: list[Seat]) -> dict[int, int]:
    """First come, first served (the baseline the optimiser must beat): each trainee in registration order
    takes the first preferred class with a free seat, else the first class with a free seat."""
    left = {s.number: s.capacity for s in seats}
    by_number = {s.number: s for s in seats}
    assigned = {}
    for c in sorted(cands, key=lambda c: c.id):
        for number in list(c.preferences) + sorted(left):
            if left.get(number, 0) > 0:
                left[number] -= 1
                assigned[c.id] = by_number[number].id
                break
    return assigned
