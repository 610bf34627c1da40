"""Property test: any sequence of taps and texts leaves the learner in a valid place."""

import asyncio
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.lessons.loader import load_library
from bot.lessons.progress import Mode, Position
from bot.messages import Incoming, Kind
from bot.tutor import Tutor
from storage.database import create_engine, upgrade
from storage.repository import SqlRepository
from tests.conftest import CONTENT_DIR

LIBRARY = load_library(CONTENT_DIR)
COURSE = LIBRARY.courses[0]
PAYLOADS = ["menu", "help", "progress", "resume", "start", "agree", "agree", "agree", "decline",
            "mydata", "erase", "eraseok", f"c:{COURSE.id}",
            *(f"l:{COURSE.id}:{lesson.id}" for lesson in COURSE.lessons),
            *(f"q:{COURSE.id}:{lesson.id}" for lesson in COURSE.lessons)]
TEXTS = ["1", "2", "3", "4", "9", "tiếp", "menu", "nhắc lại", "tiến độ", "", "🙂", "đồng ý",
         "không", "/xoa_du_lieu", "/du_lieu_cua_toi"]

event = st.one_of(
    st.tuples(st.just(Kind.TEXT), st.sampled_from(TEXTS) | st.text(max_size=30)),
    st.tuples(st.just(Kind.BUTTON), st.sampled_from(PAYLOADS) | st.text(max_size=70)),
    st.tuples(st.just(Kind.BUTTON), st.builds("{}:{}:{}".format, st.sampled_from("anr"),
                                              st.integers(0, 40), st.integers(0, 5))),
    st.tuples(st.just(Kind.BUTTON), st.builds(  # "leave the half-finished lesson", forged
        f"s:{{}}:{{}}:{COURSE.id}:{{}}".format, st.integers(0, 40), st.sampled_from("lqx"),
        st.sampled_from([lesson.id for lesson in COURSE.lessons]))),
    st.tuples(st.sampled_from([Kind.START, Kind.UNSUPPORTED]), st.just("")),
)


def test_any_conversation_keeps_the_learner_valid(tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    engine = create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    loop.run_until_complete(upgrade(engine))
    tutor = Tutor(repository=SqlRepository(engine), library=LIBRARY)
    users = itertools.count()

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(event, min_size=1, max_size=40))
    def run(events: list[tuple[Kind, str]]) -> None:
        user = f"p{next(users)}"
        loop.run_until_complete(converse(tutor, user, events))

    try:
        run()
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()


async def converse(tutor: Tutor, user: str, events: list[tuple[Kind, str]]) -> None:
    finished: set[str] = set()
    for number, (kind, value) in enumerate(events):
        replies = await tutor.handle(Incoming(
            channel="prop", user_ref=user, kind=kind, update_id=f"{user}-{number}",
            display_name="Lan",
            text=value if kind == Kind.TEXT else "", payload=value if kind == Kind.BUTTON else ""))
        assert replies, "every event gets an answer"
        assert all(reply.text.strip() for reply in replies)
        assert all(len(b.payload.encode()) <= 64 for r in replies for b in r.flat_buttons())
        learner = await tutor.repository.find_learner(channel="prop", user_ref=user)
        if learner is None:  # only ever by declining the notice or confirming the erasure
            asked = value if kind == Kind.BUTTON else ""
            assert asked in ("decline", "eraseok") or kind == Kind.TEXT
            assert any("không lưu gì" in reply.text for reply in replies)
            finished = set()
            continue
        place = Position.stored_as(learner.place)
        if place.mode != Mode.MENU:  # typed digits can reach any course of the menu
            course = LIBRARY.course(place.course_id)
            lesson = course.lesson(place.lesson_id) if course else None
            assert lesson is not None
            if place.mode == Mode.LESSON:
                assert lesson.step_index(place.step_id) is not None
            else:
                assert lesson.question_index(place.question_id) is not None
                assert 0 <= place.quiz_correct <= place.quiz_answered < len(lesson.quiz)
        scores = await tutor.repository.lesson_scores(learner.id)
        if not learner.consented:  # nothing but the greeting's row before the agreement
            assert not scores and learner.display_name == "" and place.mode == Mode.MENU
        assert all(0 <= s.last_correct <= s.best_correct <= s.total for s in scores)
        done = {s.lesson_id for s in scores}
        assert finished <= done, "finished lessons never come undone"
        finished = done
