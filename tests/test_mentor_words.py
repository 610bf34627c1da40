"""How a mentor reads of their residents ("bác Tư", never a bare "Tư"), and what a mentor's
own "Người kèm" screen offers them."""

from datetime import timedelta

from sqlalchemy import update

from bot.handlers.rules import MentoringRules
from bot.lessons.model import Library
from bot.lessons.render import called_name
from bot.scheduler import InactivityWatch
from bot.tutor import Tutor
from storage.repository import LEARNER, now
from tests.chat import Chat
from tests.mentoring_helpers import received, trained_mentor


async def _bac_tu(tutor: Tutor) -> Chat:
    """A resident who chose to be called "bác", by the name "Tư"."""
    resident = Chat(tutor, user="bac-tu", channel="zalo")
    await resident.start(address=None)
    await resident.tap("ad:bac")
    await resident.type("Tư")
    return resident


async def test_a_mentor_reads_the_resident_as_they_chose_to_be_called(
        tutor: Tutor, library: Library) -> None:
    mentor = Chat(tutor, user="mentor", channel="telegram")
    code = await trained_mentor(mentor, library)
    resident = await _bac_tu(tutor)
    await resident.type(code)
    await resident.press("Đồng ý")
    [joined] = await received(tutor, mentor)
    assert joined.text.startswith("Bác Tư đã đồng ý để bạn kèm")
    assert 'việc học của bác Tư ở mục' in joined.text
    await resident.tap("kem")
    await resident.press("Tôi cần giúp đỡ")
    [help_asked] = await received(tutor, mentor)
    assert help_asked.text.startswith("🙋 Bác Tư cần giúp đỡ")
    replies = await mentor.type("/hoc_vien")
    assert replies[0].text.startswith("👤 Bác Tư")
    await mentor.press("Nhắn động viên")
    assert "để gửi bác Tư" in mentor.text()
    # Quiet for days: the scheduler's alert says so too.
    async with tutor.repository.engine.begin() as connection:
        await connection.execute(update(LEARNER).where(LEARNER.c.display_name == "Tư")
                                 .values(last_active_at=now() - timedelta(days=5)))
    watch = InactivityWatch(tutor.repository, tutor.writer, MentoringRules())
    assert await watch.check() == 1
    [quiet] = await received(tutor, mentor)
    assert quiet.text.startswith("Bác Tư đã 5 ngày chưa vào học")


def test_a_name_is_said_after_its_form_without_a_title_twice(library: Library) -> None:
    templates = library.templates
    assert called_name(templates, "Tư", "bac") == "bác Tư"
    assert called_name(templates, "Bà Mai", "ba") == "bà Mai"
    assert called_name(templates, "Bà Lan", "bac") == "bác Lan"
    assert called_name(templates, "Anh Thư", "chi") == "chị Anh Thư"
    assert called_name(templates, "Lan", "ban") == "Lan"  # "bạn", "em": the name alone
    assert called_name(templates, "Lan", "") == "Lan"


async def test_an_approved_mentors_screen_offers_their_own_buttons_not_signing_up(
        tutor: Tutor, library: Library) -> None:
    mentor = Chat(tutor, user="mentor", channel="telegram")
    await trained_mentor(mentor, library)
    replies = await mentor.tap("kem")
    labels = [button.label for reply in replies for button in reply.flat_buttons()]
    assert not any("Tôi muốn làm người kèm" in label for label in labels)
    assert 'Tôi muốn làm người kèm' not in replies[0].text
    assert '"Học viên của tôi"' in replies[0].text and '"Mời học viên"' in replies[0].text
    resident = Chat(tutor, user="ba-lan", channel="zalo")
    await resident.start()
    replies = await resident.tap("kem")  # a resident is still offered to become one
    assert 'chọn "Tôi muốn làm người kèm"' in replies[0].text
