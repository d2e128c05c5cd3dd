"""Progress stats as Markdown text (Discord embeds and the terminal show the same words)."""

from __future__ import annotations

from bot.progress.stats import ProgressStats


def trend_words(trend: float | None) -> str:
    if trend is None:
        return "not enough answers yet"
    if abs(trend) < 0.25:
        return f"steady ({trend:+.1f})"
    return f"improving ({trend:+.1f})" if trend > 0 else f"slipping ({trend:+.1f})"


def overview_lines(stats: ProgressStats) -> list[str]:
    average = "—" if stats.average_score is None else f"{stats.average_score:.1f}/5"
    return [
        f"Sessions: {stats.sessions} ({stats.finished_sessions} finished)",
        f"Questions answered: {stats.questions_answered} (skipped {stats.questions_skipped})",
        f"Average score: {average}",
        f"Trend: {trend_words(stats.trend)}",
        f"Reviews due now: {stats.reviews_due}",
    ]


def topic_lines(stats: ProgressStats) -> list[str]:
    return [f"{t.topic_id} {t.name}: {t.mastery:.0f}% ({t.answered}/{t.available} questions)"
            for t in stats.topics]


def weak_point_lines(stats: ProgressStats) -> list[str]:
    return [f"[{w.question_id}] {w.point} (covered {100 * w.mean_coverage:.0f}%, missed {w.times_missed}×)"
            for w in stats.weakest_points]


def render_markdown(stats: ProgressStats, *, start_hint: str = "/interview start") -> str:
    if not stats.sessions:
        return f"**{stats.display_name}** has no interviews yet. Start one with `{start_hint}`."
    parts = [f"**Progress · {stats.display_name}**", *overview_lines(stats)]
    if stats.topics:
        parts += ["", "**Mastery by topic**", *(f"• {line}" for line in topic_lines(stats))]
    if stats.weakest_points:
        parts += ["", "**Weakest key points**", *(f"• {line}" for line in weak_point_lines(stats))]
    return "\n".join(parts)
