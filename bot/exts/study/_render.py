"""Study sessions as Discord embeds, within Discord's limits (names escaped: the bot never pings)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.exts._shared.limits import EMBED_DESCRIPTION_MAX, EMBED_FIELD_VALUE_MAX, EMBED_TITLE_MAX
from bot.exts._shared.text import clip
from bot.scheduling.guild_settings import StudyDefaults
from bot.scheduling.leaderboard import Leaderboard
from bot.scheduling.recurrence import discord_timestamp
from bot.scheduling.schedules import ScheduleView
from bot.scheduling.study_run import (
    AnswerFeedback,
    HistoryEntry,
    JoinResult,
    PendingRun,
    QuestionPost,
    Reveal,
)
from bot.storage.vocabulary import OccurrenceStatus
from bot.wording import plural

COLOUR = discord.Colour.teal()
STATUS_ICONS = {"covered": "✅", "partial": "🟡", "missing": "❌", "contradicted": "⚠️"}
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
#: Leaderboard lines shown before "…and N more" (30 members fit; a larger group is cut, not rejected).
LEADERBOARD_LINES = 40


def safe_name(name: str) -> str:
    return discord.utils.escape_mentions(discord.utils.escape_markdown(name))


def minutes(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} s"
    return f"{seconds // 60} min"


def intro_text(run: PendingRun) -> str:
    lines = [f"**{run.title}**",
             f"{plural(run.question_count, 'question')}, up to {minutes(run.answer_window_s)} each. "
             "Press **Answer** under a question to reply; anyone may answer each question once, and your "
             "feedback is private. The key points come after each question, and a leaderboard at the end.",
             "Press **Join** if you are taking part: once everyone who joined (and everyone who answered the "
             "previous question) has answered, the question closes after a few seconds instead of waiting "
             "for its window to end."]
    if run.late_note:
        lines.append(f"*{run.late_note}*")
    return "\n".join(lines)


def announcement_text(run: PendingRun, thread_id: int) -> str:
    role = f"<@&{run.mention_role_id}> " if run.mention_role_id else ""
    return f"{role}📚 A study session is starting in <#{thread_id}>: **{run.title}**"


def question_embed(post: QuestionPost) -> discord.Embed:
    embed = discord.Embed(title=f"Question {post.number} of {post.total}",
                          description=clip(post.prompt, EMBED_DESCRIPTION_MAX), colour=COLOUR)
    embed.add_field(name="Answers close", value=f"{discord_timestamp(post.deadline_at, 'T')} "
                                                 f"({discord_timestamp(post.deadline_at, 'R')})")
    embed.set_footer(text=f"{post.topic_name} · {post.difficulty}")
    return embed


def reveal_embed(reveal: Reveal) -> discord.Embed:
    answered = plural(reveal.answers, "answer")
    lines = [f"• {clip(kp.point, 300)}" + (f" — covered by {kp.covered}/{reveal.answers}" if reveal.answers else "")
             for kp in reveal.key_points]
    embed = discord.Embed(title=clip(f"Question {reveal.number}: key points ({answered})", EMBED_TITLE_MAX),
                          description=clip("\n".join(lines), EMBED_DESCRIPTION_MAX), colour=COLOUR)
    return embed


def leaderboard_embed(board: Leaderboard, title: str) -> discord.Embed:
    embed = discord.Embed(title=clip(f"Leaderboard — {title}", EMBED_TITLE_MAX), colour=discord.Colour.gold())
    if not board.standings:
        embed.description = "Nobody answered this time. The key points are above; see you at the next session!"
        return embed
    lines = [f"{MEDALS.get(s.rank, f'{s.rank}.')} **{safe_name(s.display_name)}** — {s.total_score:.1f} / "
             f"{board.max_score:.0f} points · {plural(s.answers_given, 'answer')}"
             for s in board.standings[:LEADERBOARD_LINES]]
    if len(board.standings) > LEADERBOARD_LINES:
        lines.append(f"…and {len(board.standings) - LEADERBOARD_LINES} more")
    embed.description = clip("\n".join(lines), EMBED_DESCRIPTION_MAX)
    if board.weakest:
        weak = [f"Q{w.question_number}: {clip(w.key_point, 200)} (missed by {w.missed_share:.0%})"
                for w in board.weakest]
        embed.add_field(name="The group's weakest key points", value=clip("\n".join(weak), EMBED_FIELD_VALUE_MAX),
                        inline=False)
    embed.set_footer(text=f"{plural(board.participants, 'participant')} · "
                          f"{plural(board.questions_asked, 'question')}")
    return embed


def feedback_embed(feedback: AnswerFeedback) -> discord.Embed:
    lines = [f"{STATUS_ICONS.get(status, '•')} {clip(point, 300)}" for point, status in feedback.key_points]
    embed = discord.Embed(title=f"Question {feedback.number} — score {feedback.score:.1f} / 5",
                          description=clip("\n".join(lines), EMBED_DESCRIPTION_MAX), colour=COLOUR)
    if feedback.misconceptions:
        embed.add_field(name="Watch out", value=clip("\n".join(feedback.misconceptions), EMBED_FIELD_VALUE_MAX),
                        inline=False)
    if feedback.closes_at is not None:
        embed.add_field(name="Everyone taking part has answered", inline=False,
                        value=f"The key points come {discord_timestamp(feedback.closes_at, 'R')}.")
    embed.set_footer(text="✅ covered · 🟡 partly · ❌ missing · ⚠️ contradicted")
    return embed


def join_text(result: JoinResult) -> str:
    others = result.members - 1
    with_others = f" with {plural(others, 'other member')}" if others > 0 else ""
    if not result.joined:
        return f"You have already joined this session{with_others}."
    return (f"You joined this session{with_others}. Each question now waits for your answer "
            "(at most until its window ends).")


def _options_text(topic: str | None, question_count: int | None, answer_window_s: int | None) -> str:
    parts = [f"topic {topic}" if topic else "server topic"]
    if question_count:
        parts.append(plural(question_count, "question"))
    if answer_window_s:
        parts.append(f"{minutes(answer_window_s)} per question")
    return ", ".join(parts)


def schedule_line(view: ScheduleView) -> str:
    when = (f"next {discord_timestamp(view.next_run_at)} ({discord_timestamp(view.next_run_at, 'R')})"
            if view.next_run_at else "no further run")
    options = _options_text(view.topic, view.question_count, view.answer_window_s)
    return f"**#{view.id}** <#{view.channel_id}> — `{view.when_text}` ({view.timezone}) — {when} — {options}"


def schedules_embed(views: Sequence[ScheduleView]) -> discord.Embed:
    text = "\n".join(schedule_line(v) for v in views) or "No study sessions are scheduled. Add one with `/study schedule`."
    return discord.Embed(title="Scheduled study sessions", description=clip(text, EMBED_DESCRIPTION_MAX),
                         colour=COLOUR)


def history_embed(entries: Sequence[HistoryEntry]) -> discord.Embed:
    icons = {"finished": "✅", "late": "⏰", "running": "▶️", "abandoned": "🚫", "skipped": "⏭️"}
    lines = []
    for entry in entries:
        people = f" · {plural(entry.participants, 'participant')}" \
            if entry.status != OccurrenceStatus.SKIPPED else ""
        note = f" — *{entry.note}*" if entry.note else ""
        lines.append(f"{icons.get(entry.status, '•')} {discord_timestamp(entry.when, 'f')} {entry.title} "
                     f"({entry.status}{people}){note}")
    text = "\n".join(lines) or "No study session has run in this server yet."
    return discord.Embed(title="Study history", description=clip(text, EMBED_DESCRIPTION_MAX), colour=COLOUR)


def settings_embed(defaults: StudyDefaults) -> discord.Embed:
    role = f"<@&{defaults.mention_role_id}>" if defaults.mention_role_id else "nobody"
    text = (f"Default topic: {defaults.topic or 'any'}\nAnswer window: {minutes(defaults.answer_window_s)}\n"
            f"Questions per session: {defaults.question_count}\nMention at start: {role}")
    return discord.Embed(title="Study settings", description=text, colour=COLOUR)
