"""Bodies from outside: nesting capped, lone surrogates mended in keys and values alike."""

import pytest

from bot.channels.json_body import MAX_DEPTH, BadJson, loads


def test_lone_surrogates_are_mended_everywhere_and_pairs_kept() -> None:
    body = loads(b'{"a\\ud800": ["x\\udc00y", {"n": "\\ud83d\\ude4f"}], "b": "\\ud800"}')
    assert body == {"a\ufffd": ["x\ufffdy", {"n": "🙏"}], "b": "\ufffd"}
    assert loads(b'"\\udfff"') == "\ufffd"


@pytest.mark.parametrize("body", [
    b"[" * 1000 + b"]" * 1000,  # json.loads itself gives up (RecursionError)
    b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1),
    b"{broken", b"\xff\xfe",
])
def test_too_deep_or_not_json_is_refused(body: bytes) -> None:
    with pytest.raises(BadJson):
        loads(body)


def test_as_deep_as_allowed_is_taken() -> None:
    assert loads(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_body_in_utf_16_or_32_is_mended_too(encoding: str) -> None:
    # json.loads reads these encodings from bytes too; ASCII text in them is all ASCII bytes
    # (with NULs between), and its "\u" escape is not the two bytes b"\\u".
    raw = '{"text": "a\\ud800b", "pair": "\\ud83d\\ude4f"}'.encode(encoding)
    assert raw.isascii()
    assert loads(raw) == {"text": "a\ufffdb", "pair": "🙏"}
