"""Nearest neighbour + 2-opt + or-opt on haversine distance: pure, property-tested."""
import itertools

from hypothesis import given, settings, strategies as st

from services.pickups.geo import haversine_km
from services.pickups.routing import (improve, nearest_neighbour, or_opt, order_stops, path_length, plan_day,
                                      two_opt)

points = st.lists(st.tuples(st.floats(37.5, 38.2), st.floats(112.2, 112.9)), min_size=0, max_size=12)
start = st.tuples(st.floats(37.5, 38.2), st.floats(112.2, 112.9))


def test_haversine_known_distance():
    # Taiyuan to Beijing (city centres): about 400 km as the crow flies.
    assert 395 < haversine_km(37.8706, 112.5489, 39.9042, 116.4074) < 410
    assert haversine_km(37.8, 112.5, 37.8, 112.5) == 0


@given(start, points)
@settings(max_examples=200, deadline=None)
def test_two_opt_never_lengthens_a_route(s, pts):
    nn = nearest_neighbour(s, pts)
    assert sorted(nn) == list(range(len(pts)))
    better = two_opt(s, pts, nn)
    assert sorted(better) == list(range(len(pts)))
    assert path_length(s, [pts[i] for i in better]) <= path_length(s, [pts[i] for i in nn]) + 1e-9


@given(start, points, st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None)
def test_improvements_never_lengthen_any_route(s, pts, rnd):
    order = list(range(len(pts)))
    rnd.shuffle(order)
    before = path_length(s, [pts[i] for i in order])
    for step in (two_opt, or_opt, improve):
        after = step(s, pts, order)
        assert sorted(after) == sorted(order)
        assert path_length(s, [pts[i] for i in after]) <= before + 1e-9


@given(start, st.lists(st.tuples(st.floats(37.5, 38.2), st.floats(112.2, 112.9)), min_size=1, max_size=6))
@settings(max_examples=60, deadline=None)
def test_close_to_optimal_on_small_days(s, pts):
    got = path_length(s, [pts[i] for i in improve(s, pts, nearest_neighbour(s, pts))])
    best = min(path_length(s, list(p)) for p in itertools.permutations(pts))
    assert got <= best * 1.15 + 1e-9


def test_two_opt_untangles_a_crossing():
    s = (0.0, 0.0)
    pts = [(0.0, 1.0), (1.0, 0.0), (1.0, 1.0), (0.0, 2.0)]
    crossed = [0, 2, 1, 3]
    fixed = two_opt(s, pts, crossed)
    assert path_length(s, [pts[i] for i in fixed]) < path_length(s, [pts[i] for i in crossed])


def test_plan_day_keeps_windows_in_order():
    depot = (37.80, 112.55)
    nine = [("a", 37.70, 112.60), ("b", 37.86, 112.52), ("c", 37.75, 112.57)]
    ten = [("d", 37.80, 112.56)]
    plan = plan_day(depot, [nine, ten], lambda x: (x[1], x[2]))
    assert {x[0] for x in plan[:3]} == {"a", "b", "c"} and plan[3][0] == "d"
    assert order_stops(depot, [], lambda x: x) == []
