"""The end-of-session leaderboard: ranking, ties, answers given, and the group's weakest key points."""

from __future__ import annotations

from typing import Any

from bot.scheduling.leaderboard import AnswerRecord, build_leaderboard


def answer(member: str, position: int, score: float, **coverage: str) -> AnswerRecord:
    return AnswerRecord(member, member.title(), position, score, coverage)


def test_members_rank_by_total_then_by_answers_and_ties_share_a_rank(test_bank: Any):
    questions = [test_bank.question("T07-001"), test_bank.question("T04-001")]
    answers = [
        answer("ada", 0, 4.0), answer("ada", 1, 3.0),
        answer("bob", 0, 2.5),
        answer("cy", 0, 3.5), answer("cy", 1, 3.5),
        answer("dee", 1, 2.5),
    ]
    board = build_leaderboard(answers, questions)
    assert [(s.rank, s.display_name, s.total_score, s.answers_given) for s in board.standings] == [
        (1, "Ada", 7.0, 2), (1, "Cy", 7.0, 2), (3, "Bob", 2.5, 1), (3, "Dee", 2.5, 1)]
    assert board.max_score == 10.0 and board.participants == 4


def test_weakest_key_points_are_the_ones_most_of_the_group_missed(test_bank: Any):
    epoch = test_bank.question("T07-001")
    answers = [
        answer("ada", 0, 4.0, kp1="covered", kp2="missing", kp3="covered"),
        answer("bob", 0, 2.0, kp1="covered", kp2="missing", kp3="partial"),
        answer("cy", 0, 1.0, kp1="partial", kp2="contradicted", kp3="missing"),
    ]
    board = build_leaderboard(answers, [epoch], weakest_count=2)
    (first, second) = board.weakest
    assert first.key_point == epoch.key_point("kp2").point and first.missed_share == 1.0
    assert second.key_point == epoch.key_point("kp3").point and abs(second.missed_share - 0.5) < 1e-9
    assert first.answers == 3 and first.question_number == 1


def test_nobody_answering_gives_an_empty_board(test_bank: Any):
    board = build_leaderboard([], [test_bank.question("T07-001")])
    assert board.standings == () and board.weakest == () and board.questions_asked == 1


def test_thirty_members_are_all_ranked(test_bank: Any):
    answers = [answer(f"member{i:02d}", 0, i / 6) for i in range(30)]
    board = build_leaderboard(answers, [test_bank.question("T07-001")])
    assert board.participants == 30
    assert board.standings[0].display_name == "Member29" and board.standings[-1].display_name == "Member00"
    assert [s.rank for s in board.standings] == sorted(s.rank for s in board.standings)
