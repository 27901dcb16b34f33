"""Benchmark (run by hand: `python -m bench.transforms`): fast transforms vs the dense 2^n×2^n matrices, and solvers.

Prints a table with ratios against the obvious approach, measured in the same run.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

import engine  # noqa: E402
from engine.masks import all_masks  # noqa: E402


def best_of(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def dense_matrices(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference code's approach: dense M_and and M_or (float32), built from the masks."""
    masks = torch.from_numpy(all_masks(n))
    subset = (masks[None, :, :] <= masks[:, None, :]).all(-1)  # T ⊆ S
    sizes = masks.sum(-1)
    sign = (-1.0) ** (sizes[:, None] - sizes[None, :]).float()
    m_and = torch.where(subset, sign, torch.zeros(())).float()
    m_or = -m_and.flip(1)
    m_or[0] = 0
    m_or[0, 0] = 1
    return m_and, m_or


def main() -> None:
    print("| n | dense AND+OR (build + mat-vec) | dense memory | fast AND+OR | speed-up |")
    print("|---|---|---|---|---|")
    for n in range(8, 15, 2):
        v = torch.randn(1 << n, dtype=torch.float32)
        start = time.perf_counter()
        m_and, m_or = dense_matrices(n)
        build = time.perf_counter() - start
        matvec = best_of(lambda: (m_and @ v, m_or @ v))
        fast = best_of(lambda: (engine.and_interactions(v), engine.or_interactions(v)))
        mem = 2 * m_and.numel() * 4 / 2**20
        del m_and, m_or
        print(f"| {n} | {build + matvec:.3f} s ({matvec * 1e3:.1f} ms per mat-vec) | {mem:,.0f} MiB | "
              f"{fast * 1e3:.2f} ms | {(build + matvec) / fast:,.0f}× (mat-vec alone {matvec / fast:,.0f}×) |")
    print("\n| n | fast AND+OR, float64 |")
    print("|---|---|")
    for n in (16, 18, 20, 22, 24):
        v = torch.randn(1 << n, dtype=torch.float64)
        print(f"| {n} | {best_of(lambda: (engine.and_interactions(v), engine.or_interactions(v)), 2):.3f} s |")
    print("\nThe AND-OR solvers against each other and the exact optimum: python -m bench.solvers")

if __name__ == "__main__":
    main()
