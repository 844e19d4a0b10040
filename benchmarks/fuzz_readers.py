"""Fuzzing the readers (issue 17, "bad input never crashes"): a long run of the property of
``tests/fuzz_inputs.py`` over mutated copies of the shipped files of every format.

    python benchmarks/fuzz_readers.py                      # 15,000 cases, seed 0
    python benchmarks/fuzz_readers.py --cases 3000 --seed 1

Case ``i`` of seed ``s`` is always the same file (``fuzz_inputs.case_for(s, i)``). Each case is
read as the CLI reads it and, when accepted, solved by a fast method and checked; it runs in a
worker process with a per-case time limit (SIGALRM in the worker, and a kill from here if the
worker does not answer ``--timeout`` + 5 s later) and an address-space limit (``--memory-mb`` more
than the worker maps before the case), so a hang, a memory blow-up or a dead worker counts as a
crash like any unexpected exception.

Prints and writes ``results/fuzz_readers.json``: inputs tried, refused (a clean input error),
accepted, accepted and solved with a checked finite answer, accepted but too large to solve,
crashes (must be 0), per seed file, and per distinct crash its count and first case. The first
case of each distinct crash (up to ``--keep``) is saved under ``results/fuzz_crashes/``: the file
itself (``NN-<seed>-<file name>``), a copy shrunk to what still fails the same way
(``min-NN/<file name>``: lines, then space-separated pieces, dropped greedily) and ``NN-<seed>.txt``
with the exception line, where it was raised, the mutations, the shrunk text and the traceback tail.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from _common import RESULTS, hardware, save

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fuzz_inputs import Case, Outcome, case_for, check_case, shrink  # noqa: E402

CRASHES = RESULTS / "fuzz_crashes"
COUNTS = ("tried", "refused", "accepted", "instances", "solved", "too_large", "crashes")
"""The counts of a run, in the order they are written (zeros included)."""
SLOW_FAILURES = ("CaseTimeout", "Hang", "WorkerDied")
"""Signatures of crashes that take seconds to reproduce, so are saved but not shrunk."""


def _worker(connection, timeout_s: float, memory_mb: int) -> None:
    """Run the cases sent over ``connection`` one by one, answering each with its outcome."""
    import warnings

    import torch

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # numpy's overflow warnings; what they lead to is checked
    while True:
        case = connection.recv()
        if case is None:
            return
        connection.send(check_case(case, timeout_s, memory_mb))


class Worker:
    """A worker process that is replaced when it hangs or dies."""

    STARTUP_S = 60.0
    """Extra seconds the first case of a fresh worker may take (start, imports)."""

    def __init__(self, timeout_s: float, memory_mb: int):
        self.timeout_s, self.memory_mb = timeout_s, memory_mb
        self.process, self.fresh = None, True

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, self.timeout_s, self.memory_mb), daemon=True)
        self.process.start()
        self.fresh = True

    def _replace(self) -> None:
        self.process.kill()
        self.process.join()
        self.process = None

    def run(self, case: Case) -> Outcome:
        """The outcome of ``case``; a worker that hangs or dies is a crash (and is replaced)."""
        if self.process is None:
            self._start()
        self.connection.send(case)
        if self.connection.poll(self.timeout_s + 5.0 + (self.STARTUP_S if self.fresh else 0.0)):
            try:
                outcome = self.connection.recv()
                self.fresh = False
                return outcome
            except EOFError:
                pass
        exitcode = self.process.exitcode
        self._replace()
        if exitcode is None:
            return Outcome("crash", error="worker did not answer (hang in C code?)", signature="Hang (worker killed)")
        return Outcome("crash", error=f"worker died with exit code {exitcode}", signature=f"WorkerDied ({exitcode})")

    def close(self) -> None:
        if self.process is not None:
            self.connection.send(None)
            self.process.join(timeout=10)


def save_reproducer(number: int, case: Case, small: Case, outcome: Outcome) -> list[str]:
    """Write the crashing file, its shrunk copy (in ``min-<number>/`` under the same name, which
    detection may depend on) and a note; returns their paths relative to results/."""
    base = f"{number:02d}-{case.seed}"
    path, minimal = CRASHES / f"{base}-{case.file_name}", CRASHES / f"min-{number:02d}" / case.file_name
    minimal.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(case.data)
    minimal.write_bytes(small.data)
    note = [
        outcome.error or "", f"where: {outcome.signature}", f"case: {case.describe()}",
        f"shrunk ({len(small.data)} of {len(case.data)} bytes): {small.data[:600]!r}", "", outcome.trace or "",
    ]  # fmt: skip
    (CRASHES / f"{base}.txt").write_text("\n".join(note) + "\n")
    return [str(p.relative_to(RESULTS)) for p in (path, minimal)]


class Tally:
    """Counts of a run, overall and per seed file, and the distinct crashes (the first ``keep``
    of them shrunk with ``worker`` and saved)."""

    def __init__(self, keep: int, worker: Worker):
        self.keep, self.worker = keep, worker
        self.total: Counter = Counter()
        self.by_seed: dict[str, Counter] = defaultdict(Counter)
        self.crashes: dict[str, dict] = {}
        self.shrink_s = 0.0

    def add(self, index: int, case: Case, outcome: Outcome) -> None:
        counts = Counter(tried=1, **{outcome.kind if outcome.kind != "crash" else "crashes": 1})
        if outcome.kind == "accepted":
            counts.update(instances=outcome.instances, solved=outcome.solved, too_large=outcome.skipped)
        self.total.update(counts)
        self.by_seed[case.seed].update(counts)
        if outcome.kind == "crash":
            self._add_crash(index, case, outcome)

    def _add_crash(self, index: int, case: Case, outcome: Outcome) -> None:
        entry = self.crashes.get(outcome.signature)
        if entry is not None:
            entry["count"] += 1
            return
        entry = {"count": 1, "error": outcome.error, "case": index, "made": case.describe()}
        if len(self.crashes) < self.keep:
            small = self._shrink(case, outcome.signature)
            entry["shrunk"] = small.data[:600].decode("utf-8", "backslashreplace")
            entry["reproducer"] = save_reproducer(len(self.crashes) + 1, case, small, outcome)
        self.crashes[outcome.signature] = entry

    def _shrink(self, case: Case, signature: str) -> Case:
        """``case`` shrunk to what still fails the same way (hangs and dead workers are not shrunk)."""
        if signature.startswith(SLOW_FAILURES):
            return case
        begin = time.perf_counter()
        small = shrink(case, lambda candidate: self.worker.run(candidate).signature == signature)
        self.shrink_s += time.perf_counter() - begin
        return small

    def line(self) -> str:
        t = self.total
        return (
            f"tried {t['tried']}, refused {t['refused']}, accepted {t['accepted']} "
            f"({t['solved']} instances solved and checked, {t['too_large']} too large to solve), crashes {t['crashes']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=15_000, help="number of mutated files to try")
    parser.add_argument("--seed", type=int, default=0, help="seed of the run (case i of seed s is always the same)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds a case may take")
    parser.add_argument("--memory-mb", type=int, default=4096, help="address space a case may add")
    parser.add_argument("--keep", type=int, default=20, help="distinct crashes to save as reproducers")
    parser.add_argument("--out", default="fuzz_readers", help="results name (.json added), in results/ unless absolute")
    args = parser.parse_args()
    shutil.rmtree(CRASHES, ignore_errors=True)
    worker = Worker(args.timeout, args.memory_mb)
    tally = Tally(args.keep, worker)
    started = time.perf_counter()
    try:
        for index in range(args.cases):
            case = case_for(args.seed, index)
            tally.add(index, case, worker.run(case))
            if (index + 1) % 1000 == 0:
                print(f"{index + 1}: {tally.line()} ({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        worker.close()
    seconds = time.perf_counter() - started
    print(tally.line())
    for signature, entry in sorted(tally.crashes.items(), key=lambda item: -item[1]["count"]):
        print(f"  {entry['count']:5d}  {signature}: {entry['error']}")
    payload = {
        "hardware": hardware(),
        "cases": args.cases,
        "seed": args.seed,
        "timeout_s": args.timeout,
        "memory_mb": args.memory_mb,
        "seconds": round(seconds - tally.shrink_s, 1),
        "shrink_seconds": round(tally.shrink_s, 1),
        "counts": {key: tally.total[key] for key in COUNTS},
        "by_seed": {seed: {key: counts[key] for key in COUNTS} for seed, counts in sorted(tally.by_seed.items())},
        "crashes": tally.crashes,
    }
    print(f"wrote {save(args.out, payload)} ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
