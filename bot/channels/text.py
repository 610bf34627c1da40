"""Plain-text rendering shared by channels: splitting long texts, numbered options, pictures."""

from urllib.parse import quote

from bot.messages import Outgoing


def units(text: str) -> int:
    """Length in UTF-16 code units, as the platforms count it (an emoji counts as two)."""
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> int:
    """The longest prefix length (in characters) of `text` that fits `limit` units."""
    size = 0
    for index, char in enumerate(text):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return index
    return len(text)


def split_text(text: str, limit: int) -> list[str]:
    """Cut text into messages of at most `limit` units, at paragraph breaks if possible.

    A paragraph longer than a message is cut at its last line break that fits, else at its last
    space, else mid-word. Blank pieces are dropped: platforms refuse empty messages.
    """
    if limit < 2:
        raise ValueError("a message must hold at least two units (one emoji)")
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if units(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            chunks.append(current)
        while units(paragraph) > limit:
            fit = _fit(paragraph, limit)
            cut = max(paragraph.rfind("\n", 0, fit), 0) or max(paragraph.rfind(" ", 0, fit), 0)
            cut = cut or fit
            if paragraph[:cut].strip():
                chunks.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip("\n ")
        current = paragraph
    if current.strip() or not chunks:
        chunks.append(current)
    return chunks


def with_numbered_options(reply: Outgoing, heading: str, first: int = 0) -> str:
    """The reply's text followed by its buttons as a numbered list under `heading` (the
    words of the reply's language: "Trả lời bằng số:"), from button `first` on.

    The numbers are the buttons' positions, so a typed digit picks the same option as a tap.
    """
    options = reply.flat_buttons()[first:]
    if not options:
        return reply.text
    lines = [f"{number}. {button.label}"
             for number, button in enumerate(options, start=first + 1)]
    return f"{reply.text}\n\n{heading}\n" + "\n".join(lines)




def numbered(number: int, label: str) -> str:
    """A button's label with its number, the digit that picks it when typed: "1 · Tiếp tục"."""
    return f"{number} · {label}"


def numbered_rows(reply: Outgoing) -> list[list[tuple[str, str]]]:
    """The reply's buttons as rows of (numbered label, payload), numbered in reading order
    (the order typed digits refer to)."""
    rows: list[list[tuple[str, str]]] = []
    number = 0
    for row in reply.buttons:
        rows.append([])
        for button in row:
            number += 1
            rows[-1].append((numbered(number, button.label), button.payload))
    return rows


def picture_url(reply: Outgoing, base: str = "") -> str:
    """Where the server shows a reply's picture (a step's image or an invitation's QR code),
    under `base`; "" when the reply has none."""
    if reply.qr and reply.invitation:  # only live invitations' pictures are served (qr.py)
        return f"{base.rstrip('/')}/qr/{quote(reply.invitation, safe='')}.png"
    return f"{base.rstrip('/')}/media/{quote(reply.image)}" if reply.image else ""
