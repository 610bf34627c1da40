"""Organizers see their mentors (`hocso mentor list`) and stop one (`hocso mentor suspend`)."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, update

from bot.admin.mentors import _cell
from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.database import create_engine
from storage.mentors import PAIRING, suspend_mentor
from storage.outbox import OUTBOX
from storage.repository import SqlRepository
from tests.chat import Chat
from tests.mentoring_helpers import code_in, paired, received, register, trained_mentor
from tests.server import hocso_here, migrated


def _rows(listing: bytes) -> list[list[str]]:
    return [line.split("\t") for line in listing.decode().splitlines()]


async def test_an_organizer_lists_mentors_and_suspends_one(tmp_path: Path,
                                                          library: Library) -> None:
    migrated(tmp_path)
    engine = create_engine(f"sqlite:///{tmp_path / 'hocso.db'}")
    tutor = Tutor(repository=SqlRepository(engine), library=library)
    mentor = Chat(tutor, user="tg-98765", channel="telegram")
    code = await trained_mentor(mentor, library)
    resident = Chat(tutor, user="zl-4321", channel="zalo")
    await resident.start(address=None)
    await resident.tap("ad:bac")
    await resident.type("Tư")
    await resident.type(code)
    await resident.press("Đồng ý")
    await received(tutor, mentor)
    await received(tutor, resident)
    code = code_in(await mentor.tap("invite"))  # a live code, to stop working
    learning = Chat(tutor, user="tg-55555", channel="telegram")
    await register(learning, name="Lê Thu Hà", ward="Phường Cửa Nam")

    env = {**os.environ, "HOCSO_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    listed = subprocess.run([sys.executable, "-m", "bot", "mentor", "list"], env=env,
                            capture_output=True, check=False)
    assert listed.returncode == 0, listed.stderr
    header, *rows = _rows(listed.stdout)
    assert header == ["id", "name", "ward", "unit", "status", "mentees"]
    by_name = {row[1]: row for row in rows}
    assert by_name["Trần Minh Anh"][2:] == ["Phường Hồng Hà", "-", "trained", "1"]
    assert by_name["Lê Thu Hà"][2:] == ["Phường Cửa Nam", "-", "in training", "0"]
    for private in ("tg-98765", "tg-55555", "telegram", "zl-4321"):  # no way to reach anyone
        assert private not in listed.stdout.decode()

    mentor_id = by_name["Trần Minh Anh"][0]
    suspended = hocso_here(tmp_path, "mentor", "suspend", mentor_id)
    assert suspended.returncode == 0, suspended.stderr
    assert "1 pairing(s) ended" in suspended.stdout.decode()
    [note] = await received(tutor, resident)  # told kindly, in their own form
    assert "Việc kèm giữa bác và người kèm Trần Minh Anh đã dừng lại ạ" in note.text
    assert "Tìm người kèm" in note.text and note.flat_buttons()[0].payload == "kem"
    # A mentor stopped may have asked for money or a code: the resident is told not to give it.
    assert "hỏi mượn tiền, nhờ chuyển tiền hay hỏi mã OTP, mật khẩu, bác đừng đưa gì cả" \
        in note.text and "gọi 156" in note.text and "công an xã, phường" in note.text
    await resident.tap("kem")
    assert "Bác chưa có người kèm" in resident.text()  # the pairing is gone

    # The suspended mentor can neither coach nor sign up again, and their code is dead.
    for typed in ("/hoc_vien", "/lam_nguoi_kem"):
        await mentor.type(typed)
        assert "đã tạm dừng việc kèm của bạn" in mentor.text(), typed
        assert "gõ họ và tên" not in mentor.text()
    await mentor.tap("invite")
    assert "đã tạm dừng việc kèm" in mentor.text() and "KEM-" not in mentor.text()
    neighbour = Chat(tutor, user="zl-777", channel="zalo")
    await neighbour.start()
    assert "muốn kèm" not in (await neighbour.type(code))[0].text
    assert await tutor.invitation_link(code) == ""

    again = _rows(hocso_here(tmp_path, "mentor", "list").stdout)
    assert {row[1]: row for row in again}["Trần Minh Anh"][4:] == ["suspended", "0"]
    unknown = hocso_here(tmp_path, "mentor", "suspend", "999")
    assert unknown.returncode == 1 and "no mentor with id 999" in unknown.stderr.decode()
    assert hocso_here(tmp_path, "mentor", "suspend").returncode == 2
    await engine.dispose()


def test_a_listed_field_is_one_line_and_never_a_formula() -> None:
    assert _cell("=1+1") == "'=1+1" and _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("Chi đoàn\tKP3\n") == "Chi đoàn KP3" and _cell("") == "-"


async def test_a_suspended_mentor_gets_nothing_residents_left_for_them(
        repository: SqlRepository, library: Library) -> None:
    # Found in review: the resident's checked message and question waited in the outbox, and
    # a mentor on the web chat collected them on their next visit, suspended or not.
    tutor = Tutor(repository=repository, library=library)
    mentor, resident = Chat(tutor, "mentor"), Chat(tutor, "lan", display_name="Lan")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    await resident.type("/kiem_tra")
    await resident.type("Vietcombank: Tai khoan cua quy khach bi khoa. Vui long truy cap "
                        "https://vcb-vn.xyz/xacthuc de mo khoa trong 24h.")
    await resident.press("Gửi cho người kèm xem")
    assert "đã gửi tin nhắn này cho người kèm" in resident.text()
    await resident.type("/nguoi_kem")
    await resident.press("Tôi cần giúp đỡ")
    assert "Học Số đã báo cho người kèm Trần Minh Anh" in resident.text()
    mentor_learner = await repository.find_learner(channel="test", user_ref="mentor")
    assert mentor_learner is not None
    async with repository.engine.begin() as connection:
        left = (await connection.execute(select(OUTBOX.c.id).where(
            (OUTBOX.c.learner_id == mentor_learner.id) & OUTBOX.c.sent_at.is_(None)))).all()
        assert len(left) == 2  # the message checked, the call for help
        assert await suspend_mentor(connection, mentor_learner.id) is not None
    assert await received(tutor, mentor) == []
    await mentor.type("/hoc_vien")  # their own turns are answered as before
    assert "đã tạm dừng việc kèm của bạn" in mentor.text()


async def test_a_mentor_suspended_meanwhile_takes_no_request(
        repository: SqlRepository, library: Library) -> None:
    # A request made as the suspension committed (the resident's turn read the mentor as
    # able to coach just before): the mentor's "Nhận kèm" must not start a pairing.
    tutor = Tutor(repository=repository, library=library)
    mentor, resident = Chat(tutor, "mentor"), Chat(tutor, "tu")
    await trained_mentor(mentor, library)
    await received(tutor, mentor)
    await resident.start()
    await resident.type("/tim_nguoi_kem")
    await resident.type("Phường Hồng Hà")
    [request] = await received(tutor, mentor)
    take = next(b.payload for b in request.flat_buttons() if "Nhận kèm" in b.label)
    mentor_learner = await repository.find_learner(channel="test", user_ref="mentor")
    assert mentor_learner is not None
    async with repository.engine.begin() as connection:
        await suspend_mentor(connection, mentor_learner.id)
        # the request as the resident's turn left it, committed after the suspension
        await connection.execute(update(PAIRING).values(status="pending", decided_at=None))
    await mentor.tap(take)
    assert "đã tạm dừng việc kèm của bạn" in mentor.text()
    assert "Bạn đã nhận kèm" not in mentor.text()
    async with repository.engine.begin() as connection:
        statuses = (await connection.execute(select(PAIRING.c.status))).scalars().all()
    assert statuses == ["declined"]
    assert all("nhận kèm" not in told.text for told in await received(tutor, resident))
