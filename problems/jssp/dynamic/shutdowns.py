"""Machine shutdown scenarios: when each machine fails and for how long it is repaired.

A scenario is a sequence of shutdown windows ``[start, end)`` per machine. The environment asks
for them one at a time (``window(k)``: the ``k``-th window of every machine), so a random
scenario is unbounded and costs nothing beyond the windows the run reaches (drawn a chunk at a
time, each window starting an up time after the previous one ends).

Random windows are a function of ``(seed, machine, k)`` alone (counter-based hashing,
:mod:`cosolve.problems.hashing`): a seed is the same scenario for every method, every batch
and every device, and a failure never depends on what the shop was doing — the failure
process runs on calendar time, whether the machine is busy or idle.

Up times (from the end of one window to the start of the next, at least 1):

- ``prob = p``: a machine that is up fails in each time step with probability ``p``, so the
  up time is geometric with mean ``1 / p``;
- ``mtbf = m``: exponential with mean ``m``, rounded up to whole time steps.

Repair times are uniform integers in ``repair = (low, high)``; the default ``(1, d)`` with ``d`` a
fifth of the instance's mean processing time (rounded, at least 1: short stoppages, 1..10 on
Taillard's 1..99 times) keeps the disruption in proportion to the operations whatever the time
unit of the file. At ``p = 0.05`` machines are then up about 78 % of the time on Taillard
instances, at 0.01 about 95 %. (Long repairs with frequent shutdowns jam a blocking shop:
measured with repairs up to the mean processing time and ``p = 0.05``, ``mwkr`` under blocking
and swaps took 50,243 on average on ta21-ta25, 1,973 with no shutdowns and no blocking.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from cosolve.errors import CosolveInputError
from cosolve.problems.hashing import uniform

NEVER = 2**60
"""The start of a window that never comes."""
REPAIR_FRACTION = 0.2
"""The default longest repair, as a fraction of the instance's mean processing time."""
CHUNK = 32
"""Random windows are drawn this many at a time per machine."""


@dataclass(frozen=True)
class ShutdownModel:
    """How machines fail: at most one of ``prob`` (per time step) and ``mtbf`` (mean time
    between failures) is positive; both 0 means machines never fail. ``repair`` is the range
    of repair times, inclusive, or ``None`` for ``(1, REPAIR_FRACTION * mean processing time)``."""

    prob: float = 0.0
    mtbf: float = 0.0
    repair: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.prob < 1.0 or not math.isfinite(self.prob):
            raise CosolveInputError(f"shutdown probability {self.prob}: expected a number in [0, 1)")
        if self.mtbf < 0 or not math.isfinite(self.mtbf):
            raise CosolveInputError(f"mean time between failures {self.mtbf}: expected a positive number")
        if self.prob > 0 and self.mtbf > 0:
            raise CosolveInputError("give a shutdown probability or a mean time between failures, not both")
        if self.repair is not None and not 1 <= self.repair[0] <= self.repair[1]:
            raise CosolveInputError(f"repair time range {self.repair}: expected 1 <= low <= high")

    @property
    def fails(self) -> bool:
        return self.prob > 0 or self.mtbf > 0


class RandomShutdowns:
    """The windows of ``model`` for a batch of scenario seeds.

    Args:
        seeds: ``[B]`` int64 scenario seeds.
        mean_durations: ``[B]`` float, each instance's mean processing time (sets the default
            repair range).
    """

    def __init__(self, model: ShutdownModel, seeds: torch.Tensor, mean_durations: torch.Tensor):
        self.model = model
        self.seeds = seeds.to(torch.int64).unsqueeze(1)  # [B, 1]
        if model.repair is None:
            self.repair_low = torch.ones_like(self.seeds)
            high = (REPAIR_FRACTION * mean_durations).round().clamp(min=1).to(torch.int64)
            self.repair_high = high.unsqueeze(1).to(seeds.device)
        else:
            self.repair_low = torch.full_like(self.seeds, model.repair[0])
            self.repair_high = torch.full_like(self.seeds, model.repair[1])

    def expected_restart_time(self, durations: torch.Tensor) -> torch.Tensor:
        """``[B, ...]`` float64: the expected time an operation of each length in ``durations``
        ``[B, ...]`` takes to complete when a shutdown restarts it.

        It needs an up time of at least its length, which comes with probability
        ``q = (1 - p) ** d`` (``exp(-d / mtbf)``); each failed try costs the time to the failure
        and a repair, ``(1 / q - 1) * (mean up time + mean repair)`` in all, plus the final run.
        ``inf`` where that overflows."""
        d = durations.double()
        if not self.model.fails:
            return d
        if self.model.prob > 0:
            log_q, mean_up = d * math.log1p(-self.model.prob), 1.0 / self.model.prob
        else:
            log_q, mean_up = -d / self.model.mtbf, self.model.mtbf
        mean_repair = ((self.repair_low + self.repair_high).double() / 2).view(-1, *[1] * (d.dim() - 1))
        tries = torch.expm1(-log_q)  # 1 / q - 1
        return tries * (mean_up + mean_repair) + d

    def window(self, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(start, end)`` ``[B, M]`` int64 of window ``k`` ``[B, M]`` of every machine."""
        if not self.model.fails:
            never = torch.full_like(k, NEVER)
            return never, never
        while self._starts is None or self._starts.shape[2] <= int(k.max()):
            self._draw_more(k.shape[1], k.device)
        index = k.unsqueeze(2)
        return self._starts.gather(2, index).squeeze(2), self._ends.gather(2, index).squeeze(2)

    _starts: torch.Tensor | None = None
    _ends: torch.Tensor | None = None

    def select(self, rows: torch.Tensor) -> RandomShutdowns:
        """The scenarios of the instances ``rows`` ``[R]`` (the windows drawn so far come along)."""
        chosen = RandomShutdowns.__new__(RandomShutdowns)
        chosen.model = self.model
        chosen.seeds, chosen.repair_low, chosen.repair_high = (
            self.seeds[rows],
            self.repair_low[rows],
            self.repair_high[rows],
        )
        if self._starts is not None:
            chosen._starts, chosen._ends = self._starts[rows], self._ends[rows]
        return chosen

    def _draw_more(self, n_machines: int, device: torch.device) -> None:
        """Draw the next :data:`CHUNK` windows of every machine (``[B, M, CHUNK]``)."""
        drawn = 0 if self._starts is None else self._starts.shape[2]
        k = torch.arange(drawn, drawn + CHUNK, device=device).view(1, 1, CHUNK)
        machines = torch.arange(n_machines, device=device).view(1, n_machines, 1)
        seeds = self.seeds.unsqueeze(2)
        u_up, u_repair = uniform(seeds, machines, k, 0), uniform(seeds, machines, k, 1)
        if self.model.prob > 0:
            up = torch.ceil(torch.log(u_up) / math.log1p(-self.model.prob))
        else:
            up = torch.ceil(-self.model.mtbf * torch.log(u_up))
        up = up.clamp(min=1, max=NEVER // (4 * CHUNK)).to(torch.int64)
        span = (self.repair_high - self.repair_low + 1).unsqueeze(2)
        repair = self.repair_low.unsqueeze(2) + (u_repair * span).floor().to(torch.int64).clamp(max=span - 1)
        previous_end = torch.zeros_like(up[..., :1]) if self._ends is None else self._ends[..., -1:]
        ends = (previous_end + (up + repair).cumsum(dim=2)).clamp(max=NEVER)
        starts = ends - repair
        self._starts = starts if self._starts is None else torch.cat([self._starts, starts], dim=2)
        self._ends = ends if self._ends is None else torch.cat([self._ends, ends], dim=2)


class FixedShutdowns:
    """Given windows, e.g. hand-made test cases or windows recorded from an earlier run.

    Args:
        windows: per instance of the batch, a list of ``(machine, start, end)`` with
            ``0 <= start < end``; the windows of one machine must not overlap.
        n_machines: machines per instance.
    """

    def __init__(self, windows: Sequence[Sequence[tuple[int, int, int]]], n_machines: int, device="cpu"):
        per_machine = [
            [sorted((s, e) for m, s, e in rows if m == machine) for machine in range(n_machines)] for rows in windows
        ]
        for rows in windows:
            for machine, start, end in rows:
                if not (0 <= machine < n_machines and 0 <= start < end):
                    raise CosolveInputError(f"shutdown window {(machine, start, end)}: expected 0 <= start < end")
        for machines in per_machine:
            for intervals in machines:
                if any(later[0] < earlier[1] for earlier, later in zip(intervals, intervals[1:])):
                    raise CosolveInputError(f"shutdown windows overlap on one machine: {intervals}")
        depth = max([len(intervals) for machines in per_machine for intervals in machines] + [0]) + 1
        table = torch.full((len(windows), n_machines, depth, 2), NEVER, dtype=torch.int64)
        for b, machines in enumerate(per_machine):
            for machine, intervals in enumerate(machines):
                if intervals:
                    table[b, machine, : len(intervals)] = torch.tensor(intervals, dtype=torch.int64)
        self.table = table.to(device)

    def select(self, rows: torch.Tensor) -> FixedShutdowns:
        """The windows of the instances ``rows`` ``[R]``."""
        chosen = FixedShutdowns.__new__(FixedShutdowns)
        chosen.table = self.table[rows]
        return chosen

    def window(self, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(start, end)`` ``[B, M]`` of window ``k`` ``[B, M]``."""
        index = k.clamp(max=self.table.shape[2] - 1).unsqueeze(2).unsqueeze(3).expand(-1, -1, 1, 2)
        picked = self.table.gather(2, index).squeeze(2)
        return picked[..., 0], picked[..., 1]
