"""QR code pictures of invitation links, drawn on the server (no outside service)."""

import io

import segno

MAX_QR_TEXT = 512


def qr_png(text: str) -> bytes:
    """A PNG of a QR code holding `text`, big enough to scan from a phone screen."""
    if not text or len(text) > MAX_QR_TEXT:
        raise ValueError(f"a QR code here holds 1 to {MAX_QR_TEXT} characters")
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()
