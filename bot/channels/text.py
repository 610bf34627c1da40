"""Plain-text rendering shared by channels: splitting long texts, numbered options."""

from bot.messages import Outgoing


def split_text(text: str, limit: int) -> list[str]:
    """Cut text into messages of at most `limit` characters, at paragraph breaks if possible."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(paragraph) > limit:  # one paragraph longer than a message: cut at a line
            cut = paragraph.rfind("\n", 0, limit)
            cut = cut if cut > 0 else limit
            chunks.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip("\n")
        current = paragraph
    if current or not chunks:
        chunks.append(current)
    return chunks


def with_numbered_options(reply: Outgoing, first: int = 0) -> str:
    """The reply's text followed by its buttons as a numbered list, from button `first` on.

    The numbers are the buttons' positions, so a typed digit picks the same option as a tap.
    """
    options = reply.flat_buttons()[first:]
    if not options:
        return reply.text
    lines = [f"{number}. {button.label}"
             for number, button in enumerate(options, start=first + 1)]
    return f"{reply.text}\n\nTrả lời bằng số:\n" + "\n".join(lines)
