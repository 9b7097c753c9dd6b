"""Printing a benchmark's figures beside the same run's baseline (the first row)."""

from __future__ import annotations


def ratio_table(
    title: str,
    first: str,
    columns: tuple[str, str],
    rows: list[tuple[str, tuple[float, float]]],
    *,
    decimals: int = 0,
) -> None:
    """Rows of (name, (figure, second figure)), each figure with its ratio to row one's."""
    (base_a, base_b) = rows[0][1]
    print(f"\n{title}")
    print(f"{first:<36}{columns[0]:>10}{'× base':>8}{columns[1]:>11}{'× base':>8}")
    for name, (a, b) in rows:
        print(
            f"{name:<36}{a:>10.{decimals}f}{a / base_a:>8.2f}{b:>11.{decimals}f}{b / base_b:>8.2f}"
        )
