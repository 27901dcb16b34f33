"""How close an AND-OR split is to the optimum, in words: said under every view that draws one (:mod:`ui.certificate`)
and by the CLI.

Every AND-OR solve carries a certified lower bound L on the optimal loss (a dual feasible point, weak duality), so
its relative gap (loss − L)/L bounds how far above the optimum the split is. The words say it as a fact: "the
optimum", "within 0.3 % of the optimum", or, when the solver stopped short of GAP_OK, a warning that names the gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from .and_or import exact_max_players
from .result import SolverReport

EXACT_GAP = 1e-4  # a gap below this is the exact solvers' precision: "the optimum"
GAP_OK = 0.01  # the views warn above this


@dataclass(frozen=True)
class Note:
    """What to say about a solve, and whether it is a warning."""

    text: str
    warning: bool


def _solver_words(report: SolverReport) -> str:
    joint = report.solver.endswith("-joint")
    if report.solver.startswith("lp"):
        return ("exact joint LP" if joint else "exact LP") + f" (interior point), {report.seconds:.1f} s"
    return f"first-order solver (PDHG), {report.iterations:,} iterations, {report.seconds:.1f} s"


def _percent(gap: float) -> str:
    """100·gap to three significant figures, without exponents: 4.37, 234, 5,860."""
    return f"{100 * gap:.3g}" if gap < 1 else f"{float(f'{100 * gap:.3g}'):,.0f}"


def certificate_note(report: SolverReport, what: str = "AND-OR split") -> Note:
    """The sentence for one solve: its certified gap in words, the solver and its time."""
    solver = _solver_words(report)
    gap = report.gap
    if gap is not None and gap <= EXACT_GAP:
        return Note(f"{what}: the optimum of the L1 loss, certified by a dual bound ({solver}).", False)
    if gap is not None and gap <= GAP_OK:
        return Note(f"{what}: within {100 * gap:.2g} % of the optimum of the L1 loss, certified by a dual bound "
                    f"({solver}).", False)
    stopped = (f"may be up to {_percent(gap)} % above the optimum" if gap is not None
               else "has no certified bound on its distance to the optimum")
    models = (len(report.models) or 2) if report.solver.endswith("-joint") else 1  # an old report names none: a pair
    if report.solver.startswith("lp"):  # the exact LP itself stopped short: no other solver to name
        instead = ""
    elif report.exact_skipped:  # "auto" would have run the exact LP, but it did not fit
        instead = f" The exact LP was not run: it needs {report.exact_skipped}."
    else:
        instead = f" With at most {exact_max_players(models)} players the exact LP runs instead."
    return Note(f"{what}: the solver stopped before reaching the optimum — this split {stopped} ({solver}), so it "
                f"may look less sparse than the optimal one.{instead}", True)
