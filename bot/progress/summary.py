"""Progress stats as Markdown text (Discord embeds and the terminal show the same words)."""

from __future__ import annotations

from bot.progress.stats import ProgressStats
from bot.wording import plural

#: Where Discord members find study sessions (the terminal has none: it says so instead).
DISCORD_STUDY_HINT = "join a study session in your server (`/study now` starts one)"


def trend_words(trend: float | None) -> str:
    if trend is None:
        return "not enough answers yet"
    if abs(trend) < 0.25:
        return f"steady ({trend:+.1f})"
    return f"improving ({trend:+.1f})" if trend > 0 else f"slipping ({trend:+.1f})"


def sessions_line(stats: ProgressStats) -> str:
    parts = []
    if stats.sessions or not stats.study_sessions:
        parts.append(f"{plural(stats.sessions, 'interview')} ({stats.finished_sessions} finished)")
    if stats.study_sessions:
        parts.append(plural(stats.study_sessions, "study session"))
    return "Sessions: " + ", ".join(parts)


def no_practice_text(subject: str, *, start_hint: str = "/interview start",
                     study_hint: str = DISCORD_STUDY_HINT) -> str:
    """The empty state, for `subject` ("You have", "**Ada** has"): both kinds of practice count."""
    return (f"{subject} no practice yet: no interviews and no answers in study sessions. "
            f"Start an interview with `{start_hint}`, or {study_hint}.")


def overview_lines(stats: ProgressStats) -> list[str]:
    average = "—" if stats.average_score is None else f"{stats.average_score:.1f}/5"
    return [
        sessions_line(stats),
        f"Questions answered: {stats.questions_answered} (skipped {stats.questions_skipped})",
        f"Average score: {average}",
        f"Trend: {trend_words(stats.trend)}",
        f"Reviews due now: {stats.reviews_due}",
    ]


def topic_lines(stats: ProgressStats) -> list[str]:
    return [f"{t.topic_id} {t.name}: {t.mastery:.0f}% ({t.answered}/{plural(t.available, 'question')})"
            for t in stats.topics]


def weak_point_lines(stats: ProgressStats) -> list[str]:
    return [f"[{w.question_id}] {w.point} (covered {100 * w.mean_coverage:.0f}%, missed {w.times_missed}×)"
            for w in stats.weakest_points]


def render_markdown(stats: ProgressStats, *, start_hint: str = "/interview start",
                    study_hint: str = DISCORD_STUDY_HINT) -> str:
    if not stats.has_practice:
        return no_practice_text(f"**{stats.display_name}** has", start_hint=start_hint, study_hint=study_hint)
    parts = [f"**Progress · {stats.display_name}**", *overview_lines(stats)]
    if stats.topics:
        parts += ["", "**Mastery by topic**", *(f"• {line}" for line in topic_lines(stats))]
    if stats.weakest_points:
        parts += ["", "**Weakest key points**", *(f"• {line}" for line in weak_point_lines(stats))]
    return "\n".join(parts)
