"""The words that channels add around replies, declared so `hocso content check` renders them.

No channel is imported here: the texts live in content/templates/<locale>/ like every other,
and the channels ask the Tutor for them in the reply's language (`Tutor.words`).
"""

from bot.handlers import payloads
from bot.handlers.registry import Feature

# Telegram's lasting keyboard sends its label as typed text: each label is a word of this
# command in its language (the router adds it), so a translation need not list it twice.
KEYBOARD = {"keyboard_lessons": payloads.MENU, "keyboard_resume": "next",
            "keyboard_progress": payloads.PROGRESS, "keyboard_help": payloads.HELP}

# The web chat's own words (bot/channels/web.py shows them in the page, in every language).
WEB = ("web_title", "web_tagline", "web_kiosk_note", "web_text_size", "web_text_smaller",
       "web_text_larger", "web_new_person", "web_confirm_new", "web_confirm_yes",
       "web_confirm_no", "web_your_message", "web_placeholder", "web_send", "web_photo_button",
       "web_photo_echo", "web_viewer", "web_viewer_close", "web_viewer_picture", "web_picture",
       "web_download", "web_hello", "web_start", "web_photo_too_big", "web_busy",
       "web_too_fast", "web_not_read", "web_error", "web_offline")

FEATURE = Feature(samples={
    # What may come before a typed number ("số 2"), one a line (bot/handlers/folding.py).
    "number_words": {},
    # Said after an option's number, asking if it is right ("số 1 đúng không"), one a line.
    "number_check_words": {},
    # The numbers' names from one, a line each ("hai": "cái thứ hai" picks the second).
    "number_names": {},
    # The numbered list's heading (Zalo, the web), Telegram's lasting keyboard.
    "pick_by_number": {}, "keyboard_lessons": {}, "keyboard_resume": {},
    "keyboard_progress": {}, "keyboard_help": {},
    # The terminal chat's (bot/channels/console.py).
    "console_goodbye": {}, "console_no_file": {"path": "/tmp/anh.png"},
    "console_too_large": {"limit": 10, "path": "/tmp/anh.png"},
    "console_picture": {"image": "images/vneid-cua-hang.png"},
    "console_qr": {"link": "https://t.me/hocso_bot?start=KEM-ABCD-2345"},
    # The web chat's: the kiosk's minutes and a file's name are filled in by the page.
    **{key: {} for key in WEB}, "web_kiosk_note": {"minutes": 5},
    "web_download": {"name": "hocso-du-lieu.json"},
})
