"""Turn one Incoming into a handler call: commands, typed words and digits, button payloads."""


from bot.handlers import (
    consent,
    help,
    invitations,
    lesson,
    mentoring,
    menu,
    my_data,
    payloads,
    progress,
    quiz,
    where,
)
from bot.handlers.context import Context
from bot.handlers.folding import fold, typed_number
from bot.lessons.progress import Mode
from bot.messages import Kind

MAX_TEXT_CHARS = 500
NEXT = "next"
REPEAT = "repeat"

# Typed words, folded (lower case, no diacritics, no punctuation or emoji), to what they mean.
WORDS = {
    **dict.fromkeys(["menu", "ve menu", "trang chu", "bai hoc", "khoa hoc", "danh sach bai"],
                    payloads.MENU),
    **dict.fromkeys(["start", "bat dau", "xin chao", "chao"], payloads.START),
    **dict.fromkeys(["thoi", "huy", "huy bo", "thoat"], payloads.MENU),
    **dict.fromkeys(["tiep", "tiep tuc", "tiep theo", "ok", "duoc", "roi"], NEXT),
    **dict.fromkeys(["tiep tuc bai dang hoc", "hoc tiep", "hoc tiep bai dang hoc"],
                    payloads.RESUME),
    **dict.fromkeys(["nhac lai", "lap lai", "doc lai"], REPEAT),
    **dict.fromkeys(["tien do", "tien do cua toi", "ket qua", "diem"], payloads.PROGRESS),
    **dict.fromkeys(["tro giup", "giup", "giup do", "help", "huong dan", "cuu"], payloads.HELP),
    **dict.fromkeys(["nguoi kem", "nguoi kem cua toi"], payloads.MY_MENTOR),
    **dict.fromkeys(["hoc vien", "hoc vien cua toi"], payloads.MENTEES),
    "lam nguoi kem": payloads.BECOME_MENTOR, "tim nguoi kem": payloads.FIND_MENTOR,
    **dict.fromkeys(["noi o", "doi noi o", "noi song", "dia chi"], payloads.AREA),
    **dict.fromkeys(["bo qua", "khong tra loi"], payloads.SKIP),
    **dict.fromkeys(["du lieu cua toi", "xem du lieu"], payloads.MY_DATA),
    **dict.fromkeys(["xoa du lieu", "xoa du lieu cua toi"], payloads.ERASE),
}
# Words that leave a question unanswered rather than answer it ("menu" is nobody's name).
ESCAPES = {payloads.MENU, payloads.HELP, payloads.START}
# Slash commands, as messengers show them in their command menus.
COMMANDS = {
    "start": payloads.START, "menu": payloads.MENU, "bai_hoc": payloads.MENU,
    "tiep_tuc": payloads.RESUME, "tien_do": payloads.PROGRESS, "tro_giup": payloads.HELP,
    "help": payloads.HELP, "lam_nguoi_kem": payloads.BECOME_MENTOR,
    "tim_nguoi_kem": payloads.FIND_MENTOR, "hoc_vien": payloads.MENTEES,
    "nguoi_kem": payloads.MY_MENTOR, "noi_o": payloads.AREA,
    "du_lieu_cua_toi": payloads.MY_DATA, "xoa_du_lieu": payloads.ERASE,
}


async def route(ctx: Context) -> None:
    """Handle the turn's Incoming."""
    incoming = ctx.incoming
    code = invitations.normalize(incoming.text) if incoming.kind != Kind.BUTTON else None
    if not ctx.turn.learner.consented:
        await consent.handle(ctx, code)
    elif incoming.kind == Kind.START or (ctx.turn.learner.is_new and incoming.kind != Kind.BUTTON):
        if ctx.turn.learner.is_new or not code:
            menu.welcome(ctx)
        if code:  # a mentor's invitation, by deep link or typed as the first message
            await invitations.redeem(ctx, code)
    elif incoming.kind == Kind.UNSUPPORTED:
        help.unsupported(ctx)
    elif incoming.kind == Kind.BUTTON:
        await on_payload(ctx, incoming.payload)
    else:
        await on_text(ctx, incoming.text)


async def on_text(ctx: Context, text: str) -> None:
    """Understand typed text: a command, a known word, or the number of a shown button."""
    if len(text) > MAX_TEXT_CHARS:
        help.too_long(ctx, MAX_TEXT_CHARS)
        return
    stripped = text.strip()
    if stripped.startswith("/"):
        command = stripped[1:].split(maxsplit=1)[0].split("@")[0].lower() if stripped[1:] else ""
        await on_payload(ctx, COMMANDS.get(command, "?"), from_text=True)
        return
    folded = fold(stripped)
    number = typed_number(folded)
    awaiting = ctx.turn.learner.awaiting
    shown = ctx.turn.learner.shown_buttons
    picks_a_button = number is not None and 1 <= number <= len(shown)
    asking_place = awaiting.startswith(where.AWAITING)
    # A place question gives way to any known word ("tiếp" is nobody's ward); others to "menu".
    escapes = folded in WORDS if asking_place else WORDS.get(folded) in ESCAPES
    if awaiting and not picks_a_button and not escapes:
        if asking_place:
            await where.typed(ctx, awaiting.removeprefix(where.AWAITING), stripped)
        else:
            await mentoring.answer(ctx, awaiting, stripped)  # "12" may be a ward, "2" a note
        return
    if number is not None:
        if not shown:
            help.not_understood(ctx)
        elif 1 <= number <= len(shown):
            await on_payload(ctx, shown[number - 1])
        else:
            help.pick_a_number(ctx, len(shown))
        return
    meaning = WORDS.get(folded)
    if meaning == NEXT:
        await go_next(ctx)
    elif meaning == REPEAT:
        progress.show_current(ctx) if ctx.position.mode != Mode.MENU else help.not_understood(ctx)
    elif meaning is not None:
        await on_payload(ctx, meaning)
    elif invitations.normalize(stripped):
        await invitations.redeem(ctx, stripped)
    else:
        help.not_understood(ctx)


async def go_next(ctx: Context) -> None:
    """'tiếp': the next step when one is waiting, otherwise resume."""
    if _at_plain_step(ctx):
        lesson.go_on(ctx)
    else:
        await progress.resume(ctx)


async def on_payload(ctx: Context, payload: str, *, from_text: bool = False) -> None:
    """Act on a button payload; anything old, unknown or forged gets the stale answer."""
    action = payloads.parse(payload)
    if action is None:
        help.not_understood(ctx) if from_text else help.stale_button(ctx)
        return
    # A second tap on "Tôi đồng ý" (agreed already) just shows the menu.
    simple = {payloads.MENU: menu.show_menu, payloads.HELP: help.show_help,
              payloads.AGREE: menu.show_menu,
              payloads.START: menu.welcome}
    if action.name in simple:
        simple[action.name](ctx)
    elif action.name in mentoring.SCREENS:
        await mentoring.screen(ctx, action.name)
    elif action.name == payloads.AREA:
        where.ask(ctx)
    elif action.name == "w":
        if not await where.picked(ctx, action.args[0]):
            help.stale_button(ctx)
    elif action.name == payloads.SKIP:
        awaiting = ctx.turn.learner.awaiting
        if awaiting.startswith(where.AWAITING):
            await where.skipped(ctx, awaiting.removeprefix(where.AWAITING))
        elif mentoring.skippable(awaiting):
            await mentoring.answer(ctx, awaiting, "")
        else:
            help.stale_button(ctx)
    elif action.name == "k":
        option = int(action.args[2]) if len(action.args) > 2 else None
        if not await mentoring.act(ctx, action.args[0], int(action.args[1]), option):
            help.stale_button(ctx)
    elif action.name == payloads.MY_DATA:
        await my_data.show(ctx)
    elif action.name in (payloads.ERASE, payloads.DECLINE):  # withdrawing consent is erasing
        await my_data.ask_erase(ctx)
    elif action.name == payloads.ERASE_YES:
        await my_data.erase(ctx)
    elif action.name == payloads.PROGRESS:
        await progress.show(ctx)
    elif action.name == payloads.RESUME:
        await progress.resume(ctx)
    elif not await _act_on_content(ctx, action):
        help.stale_button(ctx)


async def _act_on_content(ctx: Context, action: payloads.Action) -> bool:
    """Run a course, lesson, step or answer action; False when it no longer applies."""
    if action.name in ("c", "l", "q"):
        course = ctx.library.course(action.args[0])
        if course is None:
            return False
        if action.name == "c":
            await menu.show_course(ctx, course)
            return True
        chosen = course.lesson(action.args[1])
        if chosen is None:
            return False
        if lesson.would_drop(ctx):
            lesson.ask_switch(ctx, course, chosen, action.name)
        else:
            (lesson.start if action.name == "l" else quiz.start)(ctx, course, chosen)
        return True
    if int(action.args[0]) != ctx.position.seq or ctx.position.mode == Mode.MENU:
        return False  # a button from an earlier step or question
    if action.name == "s":  # "leave the half-finished lesson", asked at this very place
        _, kind, course_id, lesson_id = action.args
        course = ctx.library.course(course_id)
        chosen = course.lesson(lesson_id) if course else None
        if course is None or chosen is None:
            return False
        (lesson.start if kind == "l" else quiz.start)(ctx, course, chosen)
        return True
    if action.name == "n":
        if not _at_plain_step(ctx):
            return False
        lesson.go_on(ctx)
        return True
    if action.name == "r":
        progress.show_current(ctx)
        return True
    option = int(action.args[1])
    if ctx.position.mode == Mode.LESSON:
        return lesson.answer_check(ctx, option)
    return await quiz.answer(ctx, option)


def _at_plain_step(ctx: Context) -> bool:
    found = ctx.current_course_lesson()
    if found is None or ctx.position.mode != Mode.LESSON:
        return False
    index = found[1].step_index(ctx.position.step_id)
    return index is not None and found[1].steps[index].check is None
