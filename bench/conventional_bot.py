"""For comparison: the usual python-telegram-bot lesson bot, a ConversationHandler whose state
and scores live in memory and reach disk through PicklePersistence (not a commit per step)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    PicklePersistence,
)
from telegram.request import BaseRequest

from bot.lessons.model import Lesson, Question

STEP, QUIZ, DONE = range(3)


def _keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]
                                 for label, data in buttons])


def _options(question: Question, prefix: str) -> InlineKeyboardMarkup:
    return _keyboard(*((option, f"{prefix}:{number}")
                       for number, option in enumerate(question.options, start=1)))


def build(lesson: Lesson, *, token: str, request: BaseRequest, pickle_file: Path,
          update_interval: float) -> Application[Any, Any, Any, Any, Any, Any]:
    """A lesson bot: steps with "Tiếp tục", a step's check, then the quiz with a score."""
    steps, quiz = lesson.steps, lesson.quiz

    async def show_step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        number = context.user_data["step"]  # type: ignore[index]
        step = steps[number]
        message = update.effective_message
        assert message is not None
        if step.check is not None and not context.user_data.get("checked"):  # type: ignore
            await message.reply_text(f"{step.text}\n\n{step.check.question}",
                                     reply_markup=_options(step.check, "c"))
        else:
            await message.reply_text(step.text, reply_markup=_keyboard(("Tiếp tục ▶", "n")))
        return STEP

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        context.user_data.update(step=0, checked=False, correct=0, question=0)  # type: ignore
        return await show_step(update, context)

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        assert query is not None and query.data is not None and query.message is not None
        await query.answer()
        data: dict[str, Any] = context.user_data  # type: ignore[assignment]
        if query.data.startswith("c:"):
            data["checked"] = True
            check = steps[data["step"]].check
            assert check is not None
            right = int(query.data[2:]) == check.answer
            assert isinstance(query.message, Message)
            await query.message.reply_text(("Đúng rồi! " if right else "Chưa đúng. ")
                                           + check.explanation,
                                           reply_markup=_keyboard(("Tiếp tục ▶", "n")))
            return STEP
        data["step"] += 1
        data["checked"] = False
        if data["step"] < len(steps):
            return await show_step(update, context)
        return await ask(update, data)

    async def ask(update: Update, data: dict[str, Any]) -> int:
        message = update.effective_message
        assert message is not None
        question = quiz[data["question"]]
        await message.reply_text(question.question, reply_markup=_options(question, "a"))
        return QUIZ

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        assert query is not None and query.data is not None and query.message is not None
        await query.answer()
        data: dict[str, Any] = context.user_data  # type: ignore[assignment]
        question = quiz[data["question"]]
        data["correct"] += int(query.data[2:]) == question.answer
        data["question"] += 1
        if data["question"] < len(quiz):
            return await ask(update, data)
        assert isinstance(query.message, Message)
        await query.message.reply_text(f"Xong bài! Bạn đúng {data['correct']}/{len(quiz)} câu.")
        return DONE

    persistence = PicklePersistence(filepath=pickle_file, update_interval=update_interval)
    application = (ApplicationBuilder().token(token).request(request).updater(None)
                   .persistence(persistence).build())
    application.add_handler(ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={STEP: [CallbackQueryHandler(press)], QUIZ: [CallbackQueryHandler(answer)],
                DONE: []},
        fallbacks=[], name="lesson", persistent=True))
    return application


def presses(lesson: Lesson) -> list[str]:
    """The buttons a learner who knows every answer presses, in order, after /start."""
    done: list[str] = []
    for step in lesson.steps:
        if step.check is not None:
            done.append(f"c:{step.check.answer}")
        done.append("n")
    return done + [f"a:{question.answer}" for question in lesson.quiz]
