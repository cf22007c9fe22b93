"""The docs harness itself: it must fail when an example fails, and run what it promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyllm.testing import FakeOpenRouter

from ._markdown import MarkdownError, Snippet, read_snippets
from ._runner import ExampleFailed, run_page

FENCE = "```"


def _page(tmp_path: Path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text.replace("'''", FENCE), encoding="utf-8")
    return page


def _run(page: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Snippet], FakeOpenRouter]:
    workdir = page.parent / "work"
    workdir.mkdir()
    with FakeOpenRouter() as fake:
        ran = run_page(page, fake, monkeypatch, workdir)
    return ran, fake


def test_blocks_share_a_namespace_and_talk_to_the_fake_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(
        tmp_path,
        "# Page\n\n'''python\nimport pyllm\nchat = pyllm.chat('openai/gpt-4.1-mini')\n'''\n\n"
        "Some prose.\n\n'''python\nreply = chat.ask('ping')\n'''\n"
        "<!-- check\nassert reply.content == 'You said: ping'\n"
        "assert fake.requests[-1].json['model'] == 'openai/gpt-4.1-mini'\n-->\n",
    )
    ran, fake = _run(page, monkeypatch)
    assert [s.kind for s in ran] == ["example", "example", "check"]
    assert len(fake.requests) == 1


def test_a_failing_example_fails_with_the_page_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(tmp_path, "Intro\n\n'''python\nx = 1\nundefined_name + x\n'''\n")
    with pytest.raises(ExampleFailed, match=r"page\.md:4: the example raised NameError") as info:
        _run(page, monkeypatch)
    traceback = info.value.__cause__.__traceback__
    assert traceback is not None
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    assert traceback.tb_lineno == 5  # the page's own line


def test_a_failing_check_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(tmp_path, "'''python\nanswer = 41\n'''\n<!-- check\nassert answer == 42\n-->\n")
    with pytest.raises(ExampleFailed, match="the check raised AssertionError"):
        _run(page, monkeypatch)


def test_a_scripted_reply_no_example_used_fails_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(tmp_path, "<!-- setup\nfake.reply(text('never asked for'))\n-->\nNo examples.\n")
    with pytest.raises(ExampleFailed, match="never used"):
        _run(page, monkeypatch)


def test_setup_scripts_replies_and_its_names_stay_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(
        tmp_path,
        "<!-- setup\nfake.reply(error(401, 'bad key'))\nleaked = 1\n-->\n"
        "'''python\nimport pyllm\ntry:\n    pyllm.chat('a/b').ask('Hi')\n"
        "except pyllm.AuthenticationError as e:\n    status = e.status\n'''\n"
        "<!-- check\nassert status == 401\n-->\n'''python\nprint(leaked)\n'''\n",
    )
    with pytest.raises(ExampleFailed, match="NameError: name 'leaked'"):
        _run(page, monkeypatch)


def test_top_level_await_and_files_land_in_the_work_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(
        tmp_path,
        "'''python\nimport pyllm\nreply = await pyllm.chat('a/b').aask('async hi')\n"
        "open('out.txt', 'w').write(reply.content)\n'''\n",
    )
    _run(page, monkeypatch)
    assert (tmp_path / "work" / "out.txt").read_text() == "You said: async hi"


def test_examples_run_like_a_script_not_like_the_harness_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the harness uses `from __future__ import annotations`; examples must not inherit it
    page = _page(
        tmp_path, "'''python\ndef f(x: int): ...\nassert f.__annotations__['x'] is int\n'''\n"
    )
    _run(page, monkeypatch)


def test_setenv_gives_the_examples_a_new_default_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(
        tmp_path,
        "'''python\nimport pyllm\nbefore = pyllm.default_client()\n'''\n"
        "<!-- setup\nsetenv('OPENAI_API_KEY', 'sk-fake')\nsetenv('OPENAI_BASE_URL', fake.url)\n-->\n"
        "'''python\nreply = pyllm.chat('gpt-4.1-mini', provider='openai').ask('hi')\n"
        "assert pyllm.default_client() is not before\n'''\n",
    )
    _, fake = _run(page, monkeypatch)
    assert fake.requests[-1].json["model"] == "gpt-4.1-mini"
    assert fake.requests[-1].headers["authorization"] == "Bearer sk-fake"


def test_indented_blocks_in_tabs_are_examples(tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        "=== \"Sync\"\n\n    '''python title=\"app.py\"\n    x = 1\n\n    y = x + 1\n    '''\n",
    )
    assert read_snippets(page) == [Snippet("example", "x = 1\n\ny = x + 1\n", 4)]


@pytest.mark.parametrize("language", ["py", "pycon", "python3"])
def test_python_under_another_name_is_refused(tmp_path: Path, language: str) -> None:
    page = _page(tmp_path, f"'''{language}\nprint('hi')\n'''\n")
    with pytest.raises(MarkdownError, match="```python"):
        read_snippets(page)


def test_other_languages_are_prose_and_unclosed_blocks_are_errors(tmp_path: Path) -> None:
    assert read_snippets(_page(tmp_path, "'''bash\npyllm demo\n'''\n'''\nplain\n'''\n")) == []
    with pytest.raises(MarkdownError, match="never closed"):
        read_snippets(_page(tmp_path, "'''python\nx = 1\n"))
    with pytest.raises(MarkdownError, match="never closed"):
        read_snippets(_page(tmp_path, "<!-- setup\nfake.reply(text('x'))\n"))


def test_a_block_marked_as_a_file_is_written_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(
        tmp_path,
        "<!-- file helper.py -->\n'''python\nraise SystemExit('never run here')\n'''\n\n"
        "'''python\nimport subprocess, sys\n"
        "done = subprocess.run([sys.executable, 'helper.py'], capture_output=True, text=True)\n'''\n"
        "<!-- check\nassert done.stderr.strip() == 'never run here'\n-->\n",
    )
    ran, _ = _run(page, monkeypatch)
    assert [(s.kind, s.name) for s in ran] == [
        ("file", "helper.py"),
        ("example", None),
        ("check", None),
    ]
    (tmp_path / "again").mkdir()
    broken = _page(tmp_path / "again", "<!-- file bad.py -->\n'''python\ndef (:\n'''\n")
    with pytest.raises(ExampleFailed, match=r"page\.md:3: the file raised SyntaxError"):
        _run(broken, monkeypatch)
