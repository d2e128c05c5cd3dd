"""The progress chart: mastery per topic (bars) and score over time (a line), as PNG bytes.

Rendered off-screen with matplotlib's Agg backend through an explicit `Figure` (never pyplot), so it
works in a headless bot process and in threads, and leaves no global figure state behind.
"""

from __future__ import annotations

import io

from bot.progress.history import STUDY
from bot.progress.stats import ProgressStats

FIGURE_SIZE_IN = (9.0, 4.0)
DPI = 100  # 900 x 400 px: readable in a Discord embed, small upload


def render_progress_chart(stats: ProgressStats) -> bytes:
    """A PNG with two panels: per-topic mastery (0-100 %) and the mean score of each session (0-5), interviews
    and study sessions alike (study sessions marked with squares)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGURE_SIZE_IN, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    topics_ax, time_ax = figure.subplots(1, 2, width_ratios=(1.1, 1.0))
    figure.suptitle(f"Progress · {stats.display_name}", fontsize=12)

    if stats.topics:
        labels = [t.topic_id for t in stats.topics]
        values = [t.mastery for t in stats.topics]
        colours = ["#d9534f" if v < 50 else "#f0ad4e" if v < 75 else "#5cb85c" for v in values]
        bars = topics_ax.barh(labels, values, color=colours)
        topics_ax.bar_label(bars, labels=[f"{v:.0f}%" for v in values], padding=3, fontsize=8)
        topics_ax.invert_yaxis()  # first topic on top, as in the text summary
    else:
        topics_ax.text(0.5, 0.5, "no answers yet", ha="center", va="center", transform=topics_ax.transAxes)
    topics_ax.set_xlim(0, 110)
    topics_ax.set_xlabel("mastery (%)")
    topics_ax.set_title("Mastery by topic", fontsize=10)

    if stats.timeline:
        xs = list(range(1, len(stats.timeline) + 1))
        ys = [p.mean_score for p in stats.timeline]
        interviews = any(p.kind != STUDY for p in stats.timeline)
        time_ax.plot(xs, ys, marker="o", color="#337ab7", label="interview" if interviews else None)
        study = [(x, p.mean_score) for x, p in zip(xs, stats.timeline, strict=True) if p.kind == STUDY]
        if study:  # study sessions are points of the same line, drawn apart so they can be told from interviews
            time_ax.plot([x for x, _ in study], [y for _, y in study], linestyle="none", marker="s",
                         color="#5cb85c", label="study session")
            time_ax.legend(loc="lower right", fontsize=8)
        time_ax.set_xticks(xs if len(xs) <= 12 else xs[:: max(1, len(xs) // 12)])
    else:
        time_ax.text(0.5, 0.5, "no sessions yet", ha="center", va="center", transform=time_ax.transAxes)
    time_ax.set_ylim(0, 5.2)
    time_ax.set_xlabel("session")
    time_ax.set_ylabel("mean score (0-5)")
    time_ax.set_title("Score over time", fontsize=10)
    time_ax.grid(alpha=0.3)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
