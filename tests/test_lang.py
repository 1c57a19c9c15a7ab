"""The language is the caller's, not the process's: two threads (two requests of a
server) each print in their own, and ``using`` gives a block its language back after."""

from __future__ import annotations

import threading

import pytest

from tianbao.support import lang

LINE = "已生成 3 个模板 | wrote 3 template(s)"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("zh", "已生成 3 个模板"), ("en", "wrote 3 template(s)"), ("fr", "已生成 3 个模板")],
)
def test_using__picks_the_block_s_language(code: str, expected: str) -> None:
    before = lang.current()
    with lang.using(code):
        assert lang.pick(LINE) == expected
        assert lang.tr("中", "en") == ("en" if expected.startswith("wrote") else "中")
    assert lang.current() == before


def test_two_threads_with_different_languages__each_get_their_own_lines() -> None:
    # both have set their language before either picks a line: a process-wide
    # language would give both the one set last
    ready = threading.Barrier(2)
    got: dict[str, list[str]] = {}

    def request(code: str) -> None:
        lang.set_lang(code)
        ready.wait(timeout=30)
        got[code] = [lang.pick(LINE), lang.tr("中文", "English"), lang.current()]

    threads = [threading.Thread(target=request, args=(c,)) for c in ("zh", "en")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == {
        "zh": ["已生成 3 个模板", "中文", "zh"],
        "en": ["wrote 3 template(s)", "English", "en"],
    }


def test_a_thread_s_language__leaves_the_caller_s_alone() -> None:
    with lang.using("zh"):
        worker = threading.Thread(target=lang.set_lang, args=("en",))
        worker.start()
        worker.join()
        assert lang.pick(LINE) == "已生成 3 个模板"
