"""Repository contract: the same behaviour on a real SQLite file and on PostgreSQL."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.lessons.progress import Mode, Position
from storage.identities import mark_reachable
from storage.repository import SqlRepository, now
from storage.tokens import TOKENS, OaTokenStore, TokenPair


class TestRepositoryContract:
    """Runs once per backend through the parametrised `repository` fixture."""

    async def test_first_turn_creates_a_new_learner(self, repository: SqlRepository) -> None:
        async with repository.turn(channel="t", user_ref="a", update_id="1") as turn:
            assert turn is not None
            assert turn.learner.is_new and Position.stored_as(turn.learner.place) == Position()
        found = await repository.find_learner(channel="t", user_ref="a")
        assert found is not None and found.id == turn.learner.id

    async def test_saved_position_and_buttons_come_back(self, repository: SqlRepository) -> None:
        position = Position(mode=Mode.QUIZ, course_id="c", lesson_id="l", question_id="q2",
                            quiz_correct=1, quiz_answered=1, content_version="v1", seq=7)
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None
            await turn.save(Position().stored(), shown_buttons=("agree",), display_name="Bà Tư")
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None
            assert turn.learner.display_name == "" and not turn.learner.consented  # no name yet
            await turn.save(position.stored(), shown_buttons=("a:7:1", "a:7:2", "menu"),
                            shown_labels=("Cảm ơn, giữ máy", "Đưa máy", "🏠 Về menu"),
                            display_name="Bà Tư", consent=True)
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None
            assert Position.stored_as(turn.learner.place) == position
            assert turn.learner.shown_buttons == ("a:7:1", "a:7:2", "menu")
            assert turn.learner.shown_labels == ("Cảm ơn, giữ máy", "Đưa máy", "🏠 Về menu")
            assert turn.learner.display_name == "Bà Tư" and not turn.learner.is_new
            assert turn.learner.consented

    async def test_a_turn_writes_what_changed_and_keeps_the_rest(
            self, repository: SqlRepository) -> None:
        # save() writes only the columns that differ from what the turn read: what is set
        # back to empty must be written too, and what a turn leaves alone must stay.
        position = Position(mode=Mode.LESSON, course_id="c", lesson_id="l", step_id="s1", seq=3)
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None
            await turn.save(position.stored(), shown_buttons=("n:3", "menu"), display_name="Lan",
                            consent=True, state="name", state_data={"code": "KEM"})
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None and turn.learner.state_data == {"code": "KEM"}
            await turn.save(replace(position, step_id="s2").stored(), shown_buttons=(),
                            display_name="Lan")
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None
            assert Position.stored_as(turn.learner.place) == replace(position, step_id="s2")
            assert (turn.learner.state, turn.learner.state_data) == ("", {})
            assert turn.learner.shown_buttons == () and turn.learner.display_name == "Lan"
            assert turn.learner.consented

    async def test_a_processed_update_is_recognised(self, repository: SqlRepository) -> None:
        async with repository.turn(channel="t", user_ref="a", update_id="42") as turn:
            assert turn is not None
            await turn.save(Position(seq=1).stored(), shown_buttons=(), display_name="")
        async with repository.turn(channel="t", user_ref="a", update_id="42") as again:
            assert again is None
        async with repository.turn(channel="other", user_ref="a", update_id="42") as other:
            assert other is not None  # update ids are per channel

    async def test_a_failed_turn_leaves_nothing_behind(self, repository: SqlRepository) -> None:
        with pytest.raises(RuntimeError):
            async with repository.turn(channel="t", user_ref="a", update_id="7") as turn:
                assert turn is not None
                await turn.record_answer(course_id="c", lesson_id="l", question_id="q",
                                         chosen=1, correct=True)
                await turn.save(Position(seq=9).stored(), shown_buttons=(), display_name="")
                raise RuntimeError("crash before commit")
        assert await repository.find_learner(channel="t", user_ref="a") is None
        async with repository.turn(channel="t", user_ref="a", update_id="7") as retried:
            assert retried is not None  # the mark rolled back too: the retry is processed

    async def test_quiz_results_keep_the_best_score(self, repository: SqlRepository) -> None:
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None
            assert await turn.record_quiz(course_id="c", lesson_id="l", correct=2, total=3) == 2
            assert await turn.record_quiz(course_id="c", lesson_id="l", correct=1, total=3) == 2
            assert await turn.record_quiz(course_id="c", lesson_id="m", correct=3, total=3) == 3
            learner_id = turn.learner.id
        scores = sorted(await repository.lesson_scores(learner_id), key=lambda s: s.lesson_id)
        assert [(s.lesson_id, s.best_correct, s.last_correct, s.attempts) for s in scores] == [
            ("l", 2, 1, 2), ("m", 3, 3, 1)]

    async def test_answers_are_kept(self, repository: SqlRepository) -> None:
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None
            for chosen in (1, 2):
                await turn.record_answer(course_id="c", lesson_id="l", question_id="q",
                                         chosen=chosen, correct=chosen == 2)
        assert await repository.count_answers(turn.learner.id) == 2

    async def test_a_web_session_learner_is_still_new(self, repository: SqlRepository) -> None:
        await repository.create_learner(channel="web", user_ref="s" * 24)
        async with repository.turn(channel="web", user_ref="s" * 24, update_id=None) as turn:
            assert turn is not None and turn.learner.is_new

    async def test_turns_of_one_learner_never_interleave(self,
                                                         repository: SqlRepository) -> None:
        async def bump(update: int) -> None:
            async with repository.turn(channel="t", user_ref="a", update_id=str(update)) as turn:
                assert turn is not None
                await asyncio.sleep(0.01)  # widen the window a lost update would need
                position = Position.stored_as(turn.learner.place)
                await turn.save(replace(position, seq=position.seq + 1).stored(), shown_buttons=(),
                                display_name="")

        await asyncio.gather(*(bump(update) for update in range(8)))
        found = await repository.find_learner(channel="t", user_ref="a")
        assert found is not None and Position.stored_as(found.place).seq == 8

    async def test_the_same_update_twice_at_once_counts_once(self,
                                                             repository: SqlRepository) -> None:
        async def bump() -> None:
            async with repository.turn(channel="t", user_ref="a", update_id="dup") as turn:
                if turn is not None:
                    await turn.save({**turn.learner.place,
                                     "seq": turn.learner.place["seq"] + 1},
                                    shown_buttons=(), display_name="")

        await asyncio.gather(bump(), bump(), bump())
        found = await repository.find_learner(channel="t", user_ref="a")
        assert found is not None and Position.stored_as(found.place).seq == 1

    async def test_reachability_is_recorded_and_cleared_by_a_message(
            self, repository: SqlRepository) -> None:
        async def mark(reachable: bool) -> int | None:
            async with repository.engine.begin() as connection:
                return await mark_reachable(connection, channel="t", user_ref="a",
                                            reachable=reachable)

        assert await mark(False) is None
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None and turn.learner.reachable
        assert await mark(False) == turn.learner.id
        found = await repository.find_learner(channel="t", user_ref="a")
        assert found is not None and not found.reachable
        async with repository.turn(channel="t", user_ref="a", update_id=None) as turn:
            assert turn is not None
            await turn.save(turn.learner.place, shown_buttons=(), display_name="")
        found = await repository.find_learner(channel="t", user_ref="a")
        assert found is not None and found.reachable

    async def test_failed_sends_are_kept(self, repository: SqlRepository) -> None:
        await repository.record_failed_send(channel="zalo", user_ref="u", text="Xin chào",
                                            error="429 Quota exceeded")
        assert await repository.failed_sends(channel="zalo") == [
            ("u", "Xin chào", "429 Quota exceeded")]
        assert await repository.failed_sends(channel="telegram") == []

    async def test_the_oa_token_is_refreshed_once_and_saved(self,
                                                            repository: SqlRepository) -> None:
        calls: list[str] = []

        async def refresh(old: str) -> TokenPair:
            calls.append(old)
            await asyncio.sleep(0.01)
            return TokenPair(f"access-{len(calls)}", f"refresh-{len(calls)}",
                             timedelta(hours=25))

        store = OaTokenStore(repository.engine, app_id="app", seed_refresh_token="seed")
        tokens = await asyncio.gather(*(store.access_token(refresh, margin=timedelta(hours=1))
                                        for _ in range(4)))
        assert tokens == ["access-1"] * 4 and calls == ["seed"]  # one refresh, not four
        assert await store.access_token(refresh, margin=timedelta(hours=1),
                                        invalid="access-1") == "access-2"
        assert calls == ["seed", "refresh-1"]  # the single-use token saved last time
        again = OaTokenStore(repository.engine, app_id="app", seed_refresh_token="seed")
        assert await again.access_token(refresh, margin=timedelta(hours=1)) == "access-2"
        reseeded = OaTokenStore(repository.engine, app_id="app", seed_refresh_token="new-seed")
        assert await reseeded.access_token(refresh, margin=timedelta(hours=1)) == "access-3"
        assert calls[-1] == "new-seed"

    async def test_a_failed_refresh_keeps_the_old_refresh_token(
            self, repository: SqlRepository) -> None:
        async def broken(_old: str) -> TokenPair:
            raise ConnectionError("Zalo is down")

        async def working(old: str) -> TokenPair:
            assert old == "seed"
            return TokenPair("access", "next", timedelta(hours=25))

        store = OaTokenStore(repository.engine, app_id="app", seed_refresh_token="seed")
        with pytest.raises(ConnectionError):
            await store.access_token(broken, margin=timedelta(hours=1))
        assert await store.access_token(working, margin=timedelta(hours=1)) == "access"

    async def test_a_short_lived_token_is_not_refreshed_at_every_send(
            self, repository: SqlRepository) -> None:
        calls: list[str] = []

        async def refresh(old: str) -> TokenPair:
            calls.append(old)
            return TokenPair(f"access-{len(calls)}", f"refresh-{len(calls)}",
                             timedelta(minutes=30))  # shorter than the one-hour margin

        store = OaTokenStore(repository.engine, app_id="app", seed_refresh_token="seed")
        for _ in range(3):
            assert await store.access_token(refresh, margin=timedelta(hours=1)) == "access-1"
        fresh = OaTokenStore(repository.engine, app_id="app", seed_refresh_token="seed")
        assert await fresh.access_token(refresh, margin=timedelta(hours=1)) == "access-1"
        assert calls == ["seed"]

    async def test_a_failed_early_refresh_keeps_using_the_token_that_still_works(
            self, repository: SqlRepository) -> None:
        async def first(_old: str) -> TokenPair:
            return TokenPair("access", "next", timedelta(hours=2))

        async def broken(_old: str) -> TokenPair:
            raise ConnectionError("Zalo is down")

        store = OaTokenStore(repository.engine, app_id="app", seed_refresh_token="seed")
        assert await store.access_token(first, margin=timedelta(hours=1)) == "access"
        async with repository.engine.begin() as connection:  # 30 minutes left of a long life
            await connection.execute(update(TOKENS).values(
                expires_at=now() + timedelta(minutes=30), updated_at=now() - timedelta(hours=10)))
        later = OaTokenStore(repository.engine, app_id="app", seed_refresh_token="seed")
        assert await later.access_token(broken, margin=timedelta(hours=1)) == "access"
        with pytest.raises(ConnectionError):  # a token the API refused is no fallback
            await later.access_token(broken, margin=timedelta(hours=1), invalid="access")
