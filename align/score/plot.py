"""A picture of a corpus: histogram of link scores and counts of flags by check and severity (matplotlib, Agg)."""

from __future__ import annotations

from collections import Counter

from align.score.flags import SEVERITIES

COLOURS = {"critical": "#8b0000", "major": "#d9480f", "minor": "#9a9a9a"}


def plot_scores(scores: list[float], flags: list[list[dict]], path: str, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")   # no display; must come before pyplot
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 2]})
    left.hist([s for s in scores if s is not None], bins=20, range=(0, 1), color="#4c78a8", edgecolor="white")
    left.axvline(0.5, color="black", linestyle="--", linewidth=1)
    left.set(xlabel="link score", ylabel="links", title=f"Link scores ({len(scores)} links; dashed: 0.5)")

    counts = Counter((f["check"], f["severity"]) for fl in flags for f in fl)
    checks = sorted({c for c, _ in counts}, key=lambda c: -sum(v for (k, _), v in counts.items() if k == c))
    bottom = [0] * len(checks)
    for sev in SEVERITIES:
        values = [counts.get((c, sev), 0) for c in checks]
        right.barh(checks, values, left=bottom, color=COLOURS[sev], label=sev)
        bottom = [a + b for a, b in zip(bottom, values)]
    right.invert_yaxis()
    for ax in (left, right):   # counts are whole numbers
        (ax.yaxis if ax is left else ax.xaxis).set_major_locator(MaxNLocator(integer=True))
    right.set(xlabel="flags", title="QA flags by check")
    if checks:
        right.legend(loc="lower right", fontsize=8)
    else:
        right.text(0.5, 0.5, "no flags", ha="center", va="center", transform=right.transAxes)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    from align.formats import atomic_open

    ext = path.rsplit(".", 1)[-1].lower() if "." in path else "png"
    try:
        with atomic_open(path, "wb") as f:  # its folder created, a failed write leaves no half picture
            fig.savefig(f, dpi=100, format=ext if ext in fig.canvas.get_supported_filetypes() else "png")
    finally:
        plt.close(fig)
