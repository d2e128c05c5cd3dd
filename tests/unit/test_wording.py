"""User-facing wording: plurals, lists, Discord's permission labels and what /forget-me says it deleted."""

from __future__ import annotations

from bot.exts._shared.permissions import permission_name, permissions_phrase
from bot.progress.forget import ForgetSummary
from bot.wording import join_words, plural


def test_plurals_and_lists() -> None:
    assert [plural(n, "answer") for n in (0, 1, 2)] == ["0 answers", "1 answer", "2 answers"]
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"
    assert [join_words(items) for items in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == ["", "a", "a and b",
                                                                                        "a, b and c"]


def test_permissions_are_named_as_the_discord_client_names_them() -> None:
    assert permission_name("manage_guild") == "Manage Server"
    assert permission_name("moderate_members") == "Timeout Members"
    assert permission_name("manage_threads") == "Manage Threads"
    assert permission_name("view_guild_insights") == "View Server Insights"
    assert permissions_phrase(["manage_guild"]) == "the Manage Server permission"
    assert permissions_phrase(["manage_guild", "manage_roles"]) == "the Manage Server and Manage Roles permissions"


def test_forget_me_lists_everything_it_deleted_with_correct_plurals() -> None:
    summary = ForgetSummary(found=True, deleted={
        "users": 1, "interview_sessions": 1, "turns": 1, "study_answers": 3, "study_members": 0,
        "review_cards": 2, "code_submissions": 1}, unlinked={"study_schedules": 1})
    assert summary.describe() == (
        "Done. I deleted your profile and all your data: 1 interview, 1 interview answer, "
        "3 study-session answers, 2 review-schedule entries and 1 code submission. "
        "1 study schedule you created keeps running without your name.")
    assert ForgetSummary(found=True, deleted={"users": 1}).describe() == (
        "Done. I deleted your profile; there was nothing else about you.")
    assert ForgetSummary(found=False).describe() == "Viva had no data about you. Nothing to delete."
