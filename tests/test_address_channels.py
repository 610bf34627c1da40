"""How to be called, asked on Telegram and Zalo through their fakes: the name the messenger
already has is offered in one tap, and greetings then say "bác Lan", never a bare "Lan"."""

from bot.lessons.model import Library
from bot.tutor import Tutor
from tests.test_mentoring_channels import telegram_and_zalo
from tests.test_telegram import Bot, buttons
from tests.test_zalo_bot import Resident, number_of

TELEGRAM_CHAT = 5550011
ZALO_USER = "a1b2c3d4e5f60711"


async def test_on_telegram_the_messengers_name_is_kept_in_one_tap(tutor: Tutor,
                                                                 library: Library) -> None:
    async with telegram_and_zalo(tutor) as (telegram, _zalo):
        user = Bot(telegram, TELEGRAM_CHAT)  # the fake's user is "Lan" on Telegram
        await user.say("/start", expect=2)
        (asked,) = await user.press("Tôi đồng ý")
        assert [label for label, _ in buttons(asked)][:9] == [
            "1 · Ông", "2 · Bà", "3 · Bác", "4 · Cô", "5 · Chú", "6 · Anh", "7 · Chị", "8 · Em",
            "9 · Bạn"]
        (name,) = await user.press("Bác")
        assert (name.text or "").startswith("Cháu gọi bác bằng tên nào ạ?")
        assert buttons(name) == [("1 · Lan", "namekeep"), ("2 · ✏️ Gõ tên khác", "nameother")]
        (saved,) = await user.press("Lan")
        assert (saved.text or "").startswith("Cháu cảm ơn bác Lan ạ!")
        _greeting, _menu = await user.say("/start", expect=2)
        assert (_greeting.text or "").startswith("Chào mừng bác Lan quay lại ạ!")
        # A lesson's greeting says "bác Lan" too: "Chào Lan!" would be rude to an elder.
        course = library.course("lam-quen")
        assert course is not None
        (step,) = await user.tap(f"l:lam-quen:{course.lessons[0].id}")
        assert "Chào bác Lan ạ! 👋" in (step.text or "")
        # Changed with /doi_cach_goi: another form and a typed name, its title said once.
        await user.say("/doi_cach_goi")
        await user.press("Cô")
        (typed,) = await user.press("Gõ tên khác")
        assert "Cháu gọi cô bằng tên nào ạ?" in (typed.text or "")
        (saved,) = await user.say("Cô Hoa")
        assert (saved.text or "").startswith("Cháu cảm ơn cô Hoa ạ!")
    learner = await tutor.repository.find_learner(channel="telegram",
                                                  user_ref=str(TELEGRAM_CHAT))
    assert learner is not None and learner.display_name == "Cô Hoa"  # as mentors see it
    assert learner.settings["address"] == "co"


async def test_on_zalo_the_messengers_name_is_kept_by_its_number(tutor: Tutor) -> None:
    async with telegram_and_zalo(tutor) as (_telegram, zalo):
        user = Resident(zalo, ZALO_USER)  # the fake's user is "Bà Lan" on Zalo
        await user.say("/start", expect=2)
        (asked,) = await user.say("1")  # "✅ Tôi đồng ý"
        assert ("Trả lời bằng số:\n1. Ông\n2. Bà\n3. Bác\n4. Cô\n5. Chú\n6. Anh\n7. Chị\n8. Em"
                "\n9. Bạn") in (asked.text or "")
        (name,) = await user.say("3")
        assert (name.text or "").startswith("Cháu gọi bác bằng tên nào ạ?")
        (saved,) = await user.say(number_of(name, "Bà Lan"))
        # Her Zalo name already says "Bà": "bác Bà Lan" would say it twice.
        assert (saved.text or "").startswith("Cháu cảm ơn bác Lan ạ!")
        _greeting, _menu = await user.say("/start", expect=2)
        assert (_greeting.text or "").startswith("Chào mừng bác Lan quay lại ạ!")
    learner = await tutor.repository.find_learner(channel="zalo", user_ref=ZALO_USER)
    assert learner is not None and learner.display_name == "Bà Lan"
    assert learner.settings == {"address": "bac", "called": "Bà Lan"}
