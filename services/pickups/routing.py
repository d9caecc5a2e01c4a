"""A collector's day: nearest neighbour, then 2-opt and or-opt, on haversine distance.

Pure functions over (lat, lon) points. The route is an open path from a fixed start (the depot
or the last stop of the previous slot) that does not return; slots are routed one after another
so that ordering never breaks a promised time window. A routing library (OR-Tools, VROOM) would
add vehicle capacities and time windows, which the slot grid already handles; for tens of stops
a day this is within a few per cent of optimal and needs no dependency.
"""
from __future__ import annotations

from typing import Sequence, TypeVar

from services.pickups.geo import haversine_km

Point = tuple[float, float]
T = TypeVar("T")


def path_length(start: Point, points: Sequence[Point]) -> float:
    """Length in km of start -> points[0] -> ... -> points[-1]."""
    total, prev = 0.0, start
    for p in points:
        total += haversine_km(prev[0], prev[1], p[0], p[1])
        prev = p
    return total


def nearest_neighbour(start: Point, points: Sequence[Point]) -> list[int]:
    """Indices of `points` in greedy nearest-first order from `start` (ties: lower index)."""
    left = list(range(len(points)))
    order: list[int] = []
    cur = start
    while left:
        best = min(left, key=lambda i: (haversine_km(cur[0], cur[1], points[i][0], points[i][1]), i))
        order.append(best)
        left.remove(best)
        cur = points[best]
    return order


def two_opt(start: Point, points: Sequence[Point], order: list[int], *, max_rounds: int = 50) -> list[int]:
    """Improve an open path by reversing segments while that strictly shortens it.

    Only strictly improving moves are taken, so the result is never longer than `order`.
    """
    route = [start] + [points[i] for i in order]
    idx = [-1] + list(order)
    n = len(route)

    def d(a: int, b: int) -> float:
        return haversine_km(route[a][0], route[a][1], route[b][0], route[b][1])

    for _ in range(max_rounds):
        improved = False
        for i in range(0, n - 2):
            for k in range(i + 2, n):
                # Reverse route[i+1..k]: edges (i, i+1) and (k, k+1) become (i, k) and (i+1, k+1).
                before = d(i, i + 1) + (d(k, k + 1) if k + 1 < n else 0.0)
                after = d(i, k) + (d(i + 1, k + 1) if k + 1 < n else 0.0)
                if after < before - 1e-9:
                    route[i + 1:k + 1] = route[i + 1:k + 1][::-1]
                    idx[i + 1:k + 1] = idx[i + 1:k + 1][::-1]
                    improved = True
        if not improved:
            break
    return idx[1:]


def or_opt(start: Point, points: Sequence[Point], order: list[int], *, max_rounds: int = 50) -> list[int]:
    """Move a run of 1-3 stops (either way round) to wherever it shortens the path most.

    2-opt alone stalls on an open path when the fix is to visit a far pair first; relocating a
    segment finds that. Only strictly improving moves are taken."""
    def d(a: Point | None, b: Point | None) -> float:
        return 0.0 if a is None or b is None else haversine_km(a[0], a[1], b[0], b[1])

    best = list(order)
    for _ in range(max_rounds):
        improved = False
        for size in (1, 2, 3):
            i = 0
            while i + size <= len(best):
                route = [start] + [points[k] for k in best]
                a, b = i + 1, i + size  # the run's positions in `route`
                after = route[b + 1] if b + 1 < len(route) else None
                gain = d(route[a - 1], route[a]) + d(route[b], after) - d(route[a - 1], after)
                seg, rest = best[i:i + size], best[:i] + best[i + size:]
                rest_pts = [start] + [points[k] for k in rest]
                move, move_gain = None, 1e-9
                for j in range(len(rest_pts)):  # insert after rest_pts[j]
                    nxt = rest_pts[j + 1] if j + 1 < len(rest_pts) else None
                    for s in (seg, seg[::-1]):
                        first, last = points[s[0]], points[s[-1]]
                        cost = d(rest_pts[j], first) + d(last, nxt) - d(rest_pts[j], nxt)
                        if gain - cost > move_gain:
                            move, move_gain = rest[:j] + s + rest[j:], gain - cost
                if move is not None:
                    best, improved = move, True
                i += 1
        if not improved:
            break
    return best


def improve(start: Point, points: Sequence[Point], order: list[int]) -> list[int]:
    """2-opt and or-opt in turn until neither shortens the path (never longer than `order`)."""
    length = path_length(start, [points[i] for i in order])
    while True:
        order = or_opt(start, points, two_opt(start, points, order))
        new = path_length(start, [points[i] for i in order])
        if new >= length - 1e-9:
            return order
        length = new


def order_stops(start: Point, stops: Sequence[T], where) -> list[T]:
    """`stops` ordered to cut travel from `start`; `where(stop)` gives its (lat, lon)."""
    points = [where(s) for s in stops]
    order = improve(start, points, nearest_neighbour(start, points))
    return [stops[i] for i in order]


def plan_day(start: Point, windows: Sequence[Sequence[T]], where) -> list[T]:
    """Stops grouped by time window (in time order): each window routed from where the last ended."""
    out: list[T] = []
    cur = start
    for group in windows:
        ordered = order_stops(cur, list(group), where)
        out.extend(ordered)
        if ordered:
            cur = where(ordered[-1])
    return out
