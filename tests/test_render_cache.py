"""Compiled texts are kept between processes (jinja's bytecode cache), plain texts are told
without jinja, and a text rendered with the same values is rendered once: none of these changes
what a learner reads."""

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.lessons import render
from bot.lessons.render import Renderer, cache_compiled_texts

RENDER = """
import sys
from pathlib import Path
from bot.lessons.render import Renderer, cache_compiled_texts
cache_compiled_texts(Path(sys.argv[1]))
print(Renderer({}).course_text("Chào {{ you }} {{ name }}{{ polite }}!", you="bác",
                               name="Lan", polite=" ạ"))
"""


@pytest.fixture
def own_cache() -> Iterator[None]:
    yield
    cache_compiled_texts(None)  # as every other test has it: jinja's own folder


def _render_in_a_process(cache: Path) -> str:
    done = subprocess.run([sys.executable, "-c", RENDER, str(cache)], capture_output=True,
                          text=True, check=True)
    return done.stdout


def test_a_later_process_loads_the_compiled_text(tmp_path: Path) -> None:
    cache = tmp_path / "compiled"
    assert _render_in_a_process(cache) == "Chào bác Lan ạ!\n"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700  # code this process runs
    [kept] = list(cache.iterdir())
    written = kept.stat()
    assert _render_in_a_process(cache) == "Chào bác Lan ạ!\n"
    assert list(cache.iterdir()) == [kept]
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)


def test_texts_render_without_a_place_to_keep_them(tmp_path: Path, own_cache: None) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    cache_compiled_texts(blocker / "compiled")  # cannot be made: every text is compiled
    assert Renderer({}).course_text("{{ you }} ơi, lần một", you="cô") == "cô ơi, lần một"
    folder = tmp_path / "gone"
    cache_compiled_texts(folder)
    os.rmdir(folder)  # removed under a running process: it keeps compiling what it needs
    assert Renderer({}).course_text("{{ you }} ơi, lần hai", you="cô") == "cô ơi, lần hai"


def test_a_folder_others_may_write_to_is_not_used(tmp_path: Path, own_cache: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # anyone could put code there for this process to run
    cache_compiled_texts(shared)
    assert Renderer({}).course_text("{{ you }} ơi, lần ba", you="chú") == "chú ơi, lần ba"
    assert list(shared.iterdir()) == []  # compiled here, nothing kept or read there


_JINJA = ImmutableSandboxedEnvironment(undefined=StrictUndefined)


@given(st.text(alphabet=st.sampled_from("ab {}%#\r\n\t-ạ")))
def test_a_plain_text_reads_as_jinja_renders_it(text: str) -> None:
    if not any(tag in text for tag in ("{{", "{%", "{#")):  # jinja's tags: not plain
        assert render._fixed(text) == _JINJA.from_string(text).render().strip()


@given(st.lists(st.tuples(st.sampled_from(["bác", "em", 1, True, 1.0, None, 0, "1"]),
                          st.sampled_from(["Lan", "", 2, False])), min_size=1, max_size=12))
def test_a_kept_text_reads_as_a_fresh_render(values: list[tuple[object, object]]) -> None:
    renderer = Renderer({"text": "{{ you }}/{{ n }}!", "plain": "Chào"})
    for you, n in values:  # again and again, in any order: what was kept is what fresh reads
        fresh = _JINJA.from_string("{{ you }}/{{ n }}!").render(you=you, n=n).strip()
        assert renderer.message("text", you=you, n=n) == fresh
        assert renderer.course_text("{{ n }}: {{ you }}", you=you, n=n) == _JINJA.from_string(
            "{{ n }}: {{ you }}").render(you=you, n=n).strip()


def test_a_missing_value_is_still_an_error() -> None:
    renderer = Renderer({"text": "{{ you }}/{{ n }}"})
    assert renderer.message("text", you="bác", n=1) == "bác/1"
    with pytest.raises(UndefinedError):
        renderer.message("text", you="bác")


def test_a_random_pick_is_not_kept() -> None:
    # jinja's `random` filter picks anew at each render (an author's varied praise, say):
    # what it picked for one learner must not become every learner's text.
    renderer = Renderer({"praise": '{{ ["Giỏi", "Hay", "Đúng", "Tốt", "Chuẩn"]|random }}!'})
    assert len({renderer.message("praise") for _ in range(60)}) > 1
    source = "{{ you }}: {% filter upper %}{{ [you, 'a', 'b', 'c', 'd']|random }}{% endfilter %}"
    assert len({renderer.course_text(source, you="bác") for _ in range(60)}) > 1


def test_what_is_kept_stays_small_whatever_the_values() -> None:
    # A learner's forwarded message (up to 4,096 characters) is rendered into the card sent
    # to their mentor: 20,000 of them kept had held ~350 MB. A resident's own words are
    # never kept; long texts with short values are, up to a number of characters.
    renderer = Renderer({"card": "{{ name }} gửi: {{ text }}",
                         "long": "{{ name }}: " + "ạ" * 3_000})
    for number in range(3_000):
        text = f"Tin nhắn lừa đảo số {number}: " + "ạ" * 4_000
        assert renderer.message("card", name="Lan", text=text) == f"Lan gửi: {text}"
    assert not renderer._rendered
    for number in range(3_000):
        assert renderer.message("long", name=f"Bà {number}").startswith(f"Bà {number}: ạạ")
    kept = sum(len(text) + sum(len(part) for part in key if isinstance(part, str))
               for key, text in renderer._rendered.items())
    assert 0 < kept < 5_000_000  # characters: about 10 MB, not the 9 M of them all
