"""The web chat's JSON API over real HTTP: sessions, replies, de-duplication and bad requests."""

import json
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.channels.web import create_web_app
from bot.lessons.model import Library
from bot.lessons.progress import Position
from bot.tutor import MAX_KEPT_CHARS, Tutor
from tests.chat import Chat
from tests.conftest import CONTENT_DIR
from tests.mentoring_helpers import trained_mentor


@pytest.fixture
async def api(tutor: Tutor) -> AsyncIterator[tuple[ClientSession, str]]:
    server = TestServer(create_web_app(tutor, CONTENT_DIR), host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as client:
        yield client, str(server.make_url(""))
    await server.close()


async def new_session(client: ClientSession, base: str) -> str:
    async with client.post(f"{base}/api/session") as response:
        assert response.status == 200
        return str((await response.json())["session"])


async def chat(client: ClientSession, base: str, **body: object) -> tuple[int, dict]:
    async with client.post(f"{base}/api/chat", json=body) as response:
        return response.status, await response.json()


async def begin(client: ClientSession, base: str, session: str) -> None:
    """Start, agree to the notice and be called "bác" with no name, as a resident at the
    page does."""
    await chat(client, base, session=session, payload="start")
    for payload in ("agree", "ad:bac", "skip"):
        status, _ = await chat(client, base, session=session, payload=payload)
        assert status == 200


async def test_a_lesson_through_the_api(api: tuple[ClientSession, str],
                                        library: Library) -> None:
    client, base = api
    session = await new_session(client, base)
    status, body = await chat(client, base, session=session, payload="start")
    assert status == 200
    assert "trợ lý học tự động" in body["replies"][0]["text"]
    await chat(client, base, session=session, text="1")  # "✅ Tôi đồng ý"
    await chat(client, base, session=session, text="1")  # to be called "bác"
    _, body = await chat(client, base, session=session, text="1")  # with no name: "Bỏ qua"
    menu = body["replies"][-1]["buttons"]
    assert menu[0][0] == {"label": f"1 · 📘 {library.courses[0].title}",
                          "said": f"📘 {library.courses[0].title}",
                          "payload": f"c:{library.courses[0].id}"}
    _, body = await chat(client, base, session=session, text="1")
    _, body = await chat(client, base, session=session, text="1")
    step = body["replies"][0]
    assert step["text"].startswith(library.courses[0].lessons[0].title)
    assert step["image"] is None
    assert [button["label"] for row in step["buttons"] for button in row] == [
        "1 · Tiếp tục ▶", "2 · 🔁 Nhắc lại", "3 · 🏠 Về menu"]


async def test_a_retried_request_with_the_same_id_counts_once(
        api: tuple[ClientSession, str], tutor: Tutor) -> None:
    client, base = api
    session = await new_session(client, base)
    await begin(client, base, session)
    await chat(client, base, session=session, text="1")
    _, first = await chat(client, base, session=session, text="1", id="m-1")
    _, again = await chat(client, base, session=session, text="1", id="m-1")
    assert first["replies"] and again == {"replies": []}
    learner = await tutor.repository.find_learner(channel="web", user_ref=session)
    assert learner is not None and Position.stored_as(learner.place).step_id != ""


@pytest.mark.parametrize(("body", "status"), [
    ({"session": "x" * 24, "text": "chào"}, 404),
    ({"text": "chào"}, 400),
    ({"session": 12345, "text": "chào"}, 400),
    ({"session": "ngắn", "text": "chào"}, 400),
    ({"session": "SESSION", "text": "a", "payload": "menu"}, 400),
    ({"session": "SESSION"}, 400),
    ({"session": "SESSION", "text": ["a"]}, 400),
    ({"session": "SESSION", "text": "a", "id": "có dấu"}, 400),
    ({"session": "SESSION", "text": "a" * 5000}, 200),
    ({"session": "SESSION", "text": ""}, 200),
    ({"session": "SESSION", "text": "🙏🙏"}, 200),
    ({"session": "SESSION", "payload": "n:424242"}, 200),
])
async def test_bad_requests_get_4xx_or_a_friendly_reply_and_change_nothing(
        api: tuple[ClientSession, str], tutor: Tutor, body: dict, status: int) -> None:
    client, base = api
    session = await new_session(client, base)
    await begin(client, base, session)
    before = await tutor.repository.find_learner(channel="web", user_ref=session)
    body = {key: session if value == "SESSION" else value for key, value in body.items()}
    got, answer = await chat(client, base, **body)
    assert got == status
    if status == 200:
        assert answer["replies"][0]["text"]
    else:
        assert answer["error"]
    after = await tutor.repository.find_learner(channel="web", user_ref=session)
    assert after is not None and before is not None
    assert Position.stored_as(after.place) == Position.stored_as(before.place)


@pytest.mark.parametrize(("data", "content_type", "status"), [
    (b"{not json", "application/json", 400),
    (b"\xff\xfe\x00", "application/json", 400),
    (b'["a list"]', "application/json", 400),
    (b'{"session": "a", "text": "b"}', "text/plain", 400),
    (b"x" * 20_000, "application/json", 413),
    (b'{"session": "a", "text": ' + b"[" * 1000 + b"]" * 1000 + b"}", "application/json", 400),
    (b'{"session": "a", "text": ' + b'{"a":' * 100 + b"1" + b"}" * 101, "application/json",
     400),
])
async def test_malformed_bodies_are_refused(api: tuple[ClientSession, str], data: bytes,
                                            content_type: str, status: int,
                                            caplog: pytest.LogCaptureFixture) -> None:
    client, base = api
    async with client.post(f"{base}/api/chat", data=data,
                           headers={"Content-Type": content_type}) as response:
        assert response.status == status
    assert not [record for record in caplog.records if record.exc_info]  # no traceback


async def test_half_a_character_in_a_mentors_name_still_gets_an_answer(
        api: tuple[ClientSession, str]) -> None:
    client, base = api
    session = await new_session(client, base)
    await begin(client, base, session)
    await chat(client, base, session=session, text="/lam_nguoi_kem")
    # JSON's "\ud800" is half of a UTF-16 pair: no database stores it as it is.
    async with client.post(f"{base}/api/chat", data=json.dumps(
            {"session": session, "text": "Nguyễn Văn\ud800 An"}).encode(),
            headers={"Content-Type": "application/json"}) as response:
        assert response.status == 200
        answer = await response.json()
    assert "Nguyễn Văn\ufffd An ạ!" in answer["replies"][0]["text"]


async def test_the_page_and_its_assets_are_served(api: tuple[ClientSession, str]) -> None:
    client, base = api
    async with client.get(f"{base}/") as response:
        page = await response.text()
        assert response.status == 200 and 'lang="vi"' in page and "Học Số" in page
        # Like /admin: no framing by other sites, no sniffing, only its own script and style.
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    for asset in ("/static/chat.js", "/static/chat.css", "/healthz"):
        async with client.get(f"{base}{asset}") as response:
            assert response.status == 200, asset


async def test_step_images_are_served(api: tuple[ClientSession, str], library: Library) -> None:
    client, base = api
    images = {step.image for course in library.courses for lesson in course.lessons
              for step in lesson.steps if step.image}
    assert images, "the shipped course illustrates at least one step"
    for image in images:
        async with client.get(f"{base}/media/{image}") as response:
            assert response.status == 200 and response.content_type == "image/png"
    async with client.get(f"{base}/media/images/../../bot/config.py") as response:
        assert response.status in (403, 404)


async def test_a_step_reply_carries_its_image_url(api: tuple[ClientSession, str],
                                                  library: Library) -> None:
    client, base = api
    course = library.courses[0]
    lesson, index = next((lesson, i) for lesson in course.lessons
                         for i, step in enumerate(lesson.steps) if step.image)
    session = await new_session(client, base)
    await begin(client, base, session)
    _, body = await chat(client, base, session=session, payload=f"l:{course.id}:{lesson.id}")
    for _ in range(index):
        _, body = await chat(client, base, session=session, text="tiếp")
    assert body["replies"][-1]["image"] == f"/media/{lesson.steps[index].image}"


async def test_messages_from_others_arrive_by_inbox_once(api: tuple[ClientSession, str],
                                                         tutor: Tutor, library: Library) -> None:
    client, base = api
    session = await new_session(client, base)
    await begin(client, base, session)
    mentor = Chat(tutor, user="mentor", channel="telegram", display_name="Minh Anh")
    code = await trained_mentor(mentor, library)
    _, consent = await chat(client, base, session=session, text=code)
    accept = next(b["payload"] for row in consent["replies"][-1]["buttons"] for b in row
                  if "Đồng ý" in b["label"])
    await chat(client, base, session=session, payload=accept)
    await mentor.type("/hoc_vien")
    await mentor.press("Nhắn động viên")
    await mentor.press("Khen và động viên")
    async with client.post(f"{base}/api/inbox", json={"session": session}) as response:
        assert response.status == 200
        [nudge] = (await response.json())["replies"]
    assert "Trần Minh Anh (người kèm)" in nudge["text"]
    async with client.post(f"{base}/api/inbox", json={"session": session}) as response:
        assert (await response.json())["replies"] == []  # handed over once
    async with client.post(f"{base}/api/inbox", json={"session": "no"}) as response:
        assert response.status == 400
    # An unknown (or ended) session: nothing waits, and the answer says no more than that
    # (the page shows what a 200 brings; its next message meets the 404 and a new session).
    async with client.post(f"{base}/api/inbox",
                           json={"session": "x" * 16}) as response:
        assert response.status == 200 and (await response.json()) == {"replies": []}


async def test_the_longest_text_the_page_sends_is_taken_and_answered_as_too_long(
        api: tuple[ClientSession, str]) -> None:
    client, base = api
    async with client.get(f"{base}/") as response:
        found = re.search(r'maxlength="(\d+)"', await response.text())
    assert found is not None
    longest = int(found[1])
    assert longest == MAX_KEPT_CHARS + 1
    session = await new_session(client, base)
    await begin(client, base, session)
    # Vietnamese letters with two marks take three bytes each in the page's JSON (which, like
    # JSON.stringify, does not escape them): the longest text still fits one request.
    sent = json.dumps({"session": session, "text": "ữ" * longest}, ensure_ascii=False)
    async with client.post(f"{base}/api/chat", data=sent.encode(),
                           headers={"Content-Type": "application/json"}) as response:
        assert response.status == 200
        # Thousands apart as Vietnamese writes them: "2.000", not "2000".
        assert "dưới 2.000 chữ cái" in (await response.json())["replies"][0]["text"]


async def test_the_browsers_language_is_offered_and_replies_say_their_language(
        api: tuple[ClientSession, str]) -> None:
    client, base = api
    session = await new_session(client, base)
    status, body = await chat(client, base, session=session, payload="start", language="en-GB")
    assert status == 200
    assert body["replies"][-1]["locale"] == "vi"
    offered = [button["payload"] for row in body["replies"][-1]["buttons"] for button in row]
    assert "lg:en" in offered  # a hint, offered in one tap, never a choice
    status, body = await chat(client, base, session=session, payload="lg:en")
    assert status == 200 and body["replies"][-1]["locale"] == "en"
    status, _ = await chat(client, base, session=session, payload="start", language=["x"])
    assert status == 400


async def test_the_page_carries_its_words_in_every_language(
        api: tuple[ClientSession, str]) -> None:
    client, base = api
    async with client.get(f"{base}/") as response:
        html = await response.text()
    found = re.search(r'data-texts="([^"]*)"', html)
    assert found is not None
    texts = json.loads(found.group(1).replace("&#34;", '"').replace("&quot;", '"')
                       .replace("&amp;", "&").replace("&#39;", "'"))
    assert texts["vi"]["web_send"] == "Gửi" and texts["en"]["web_send"] == "Send"
    assert set(texts["vi"]) == set(texts["en"])
    assert '<button type="submit" id="send" data-text="web_send">Gửi</button>' in html
