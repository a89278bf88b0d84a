from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing import __version__
from briefing.cli import main

ARTICLE = (
    "Council closes library\n\nThe council voted on Tuesday to close the library. Residents will protest on Friday.\n"
)
OTHER = "Union calls strike\n\nThe union called a strike over pay. Talks could resume next week.\n"


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "news" / "sub").mkdir(parents=True)
    (tmp_path / "news" / "b.txt").write_text(OTHER)
    (tmp_path / "news" / "sub" / "a.txt").write_text(ARTICLE)
    (tmp_path / "news" / ".hidden.txt").write_text(ARTICLE + "x")
    (tmp_path / "news" / "notes.csv").write_text("a,b")
    return tmp_path / "news"


def test_version_and_help() -> None:
    assert run("--version").output.strip() == f"briefing, version {__version__}"
    help_text = run("daily", "--help").output
    for option in ("--output", "--format", "--model", "--date", "--title", "--device", "--fallback", "--debug"):
        assert option in help_text


def test_help_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from briefing.cli import main\n"
        "try: main(['daily','--help'])\nexcept SystemExit: pass\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False False")


def test_folder_is_read_recursively_in_sorted_order_with_the_fake_model(folder: Path, fake_model) -> None:
    result = run("daily", str(folder), "--model", "fake", "--format", "json", "--date", "2026-11-27")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [a["source"] for a in data["articles"]] == [str(folder / "b.txt"), str(folder / "sub" / "a.txt")]
    assert [a["summary"] for a in data["articles"]] == [
        "The union called a strike over pay.",
        "The council voted on Tuesday to close the library.",
    ]
    assert data["date"] == "2026-11-27" and data["model"] == {"name": "fake", "backend": "chat"}
    assert fake_model.calls == 1 and [r.title for r in fake_model.requests] == [
        "Union calls strike",
        "Council closes library",
    ]


def test_generation_overrides_reach_the_model(folder: Path, fake_model) -> None:
    run("daily", str(folder), "--model", "fake", "--num-beams", "2", "--max-new-tokens", "40", "--batch-size", "3")
    (settings,) = fake_model.settings
    assert settings.overrides() == {"num_beams": 2, "max_new_tokens": 40} and settings.batch_size == 3


def test_batch_limits_default_by_device_unless_given(folder: Path, fake_model) -> None:
    run("daily", str(folder), "--model", "fake", "--kv-cache-tokens", "2048")
    (settings,) = fake_model.settings
    assert (settings.batch_size, settings.kv_cache_tokens) == (None, 2048)  # unset until the device is known
    cpu, cuda = settings.on_device("cpu"), settings.on_device("cuda")
    assert (cpu.batch_size, cpu.batch_tokens, cpu.kv_cache_tokens) == (16, 4096, 2048)
    assert cuda.batch_size > cpu.batch_size and cuda.batch_tokens > cpu.batch_tokens and cuda.kv_cache_tokens == 2048
    assert settings.overrides() == {}  # batching never changes what is generated, so it stays out of the cache key


def test_json_shape_for_samples_with_the_extractive_model() -> None:
    result = run("daily", "samples/articles/", "--model", "extractive", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "title",
        "date",
        "generated_at",
        "model",
        "articles",
        "errors",
        # The reading layer, so other tools can rebuild the same view (render/json.py).
        "reading_minutes",
        "stories",
        "agenda",
        "whos_who",
        # The story history (continuity.py): stories that continue, steps due from earlier days.
        "developing",
        "due",
    }
    assert data["model"] == {"name": "extractive", "backend": "extractive"}
    assert len(data["articles"]) >= 6 and data["errors"] == []
    for article in data["articles"]:
        assert set(article) == {
            "id",
            "title",
            "source",
            "published",
            "words",
            "summary",
            "actors",
            "positions",
            "next_steps",
            "warnings",
            "story_id",  # stable across days
            "first_seen",
        }
        assert article["summary"]
        for item in (*article["actors"], *article["positions"], *article["next_steps"]):
            assert isinstance(item["in_brief"], bool) and (item["rank"] is None) == (not item["in_brief"])
    # Briefings the demo committed next to the articles are not fed back in.
    assert not any(a["source"].endswith(("briefing.md", "briefing.html")) for a in data["articles"])


def test_stdin(fake_model) -> None:
    result = run("daily", "-", "--model", "fake", stdin=ARTICLE)
    assert result.exit_code == 0
    assert "The council voted on Tuesday to close the library." in result.stdout and "(stdin)" in result.stdout


def test_outputs_are_written_atomically_in_the_format_of_their_suffix(folder: Path, tmp_path: Path, fake_model) -> None:
    out = tmp_path / "out"
    result = run(
        "daily",
        str(folder),
        "--model",
        "fake",
        "-o",
        str(out / "b.md"),
        "-o",
        str(out / "b.html"),
        "-o",
        str(out / "b.json"),
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert (out / "b.md").read_text().startswith("<!-- generated by briefing")
    assert "<!DOCTYPE html>" in (out / "b.html").read_text()
    assert json.loads((out / "b.json").read_text())["articles"]
    assert sorted(p.name for p in out.iterdir()) == ["b.html", "b.json", "b.md"]  # no temp files left
    assert oct((out / "b.md").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_failed_write_keeps_the_previous_output(folder: Path, tmp_path: Path, fake_model, monkeypatch) -> None:
    target = tmp_path / "briefing.md"
    target.write_text("yesterday's briefing")

    def disk_full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = CliRunner().invoke(main, ["daily", str(folder), "--model", "fake", "-o", str(target)])
    assert result.exit_code == 1
    assert "cannot write" in result.output and "No space left on device" in result.output
    assert target.read_text() == "yesterday's briefing"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_bad_inputs_are_reported_and_the_rest_still_briefed(folder: Path, fake_model) -> None:
    (folder / "empty.txt").write_text("")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (folder / "broken.json").write_text("{nope")
    result = CliRunner().invoke(
        main, ["daily", str(folder), str(folder / "missing.txt"), "--model", "fake", "-f", "json"]
    )
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert len(data["articles"]) == 2
    assert {Path(e["source"]).name for e in data["errors"]} == {"empty.txt", "image.txt", "broken.json", "missing.txt"}
    assert f"briefing: error: {folder / 'empty.txt'}: empty file" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "no/such-model-anywhere"], "not in the local Hugging Face cache"),
        (["--model", "/nonexistent/model.gguf"], "no such .gguf file"),
        (["--model", "./not-a-model-folder"], "not a model folder"),
    ],
)
def test_missing_model_is_one_clear_line(folder: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["daily", str(folder), *args])
    assert result.exit_code == 1
    assert message in result.stderr and "extractive" in result.stderr
    assert "Traceback" not in result.output
    assert len([line for line in result.stderr.splitlines() if line.startswith("Error")]) == 1


def test_model_folder_without_config_is_explained(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "weights").mkdir()
    result = CliRunner().invoke(main, ["daily", str(folder), "--model", str(tmp_path / "weights")])
    assert result.exit_code == 1 and "has no config.json" in result.stderr


def test_fallback_warns_and_goes_on(folder: Path) -> None:
    result = CliRunner().invoke(
        main, ["daily", str(folder), "--model", "no/such-model", "--fallback", "extractive", "-f", "json"]
    )
    assert result.exit_code == 0
    assert "using --fallback extractive" in result.stderr
    data = json.loads(result.stdout)
    assert data["model"]["backend"] == "extractive"
    assert all("fallback" in a["warnings"][-1] for a in data["articles"])


def test_unknown_format_is_a_usage_error(folder: Path) -> None:
    result = CliRunner().invoke(main, ["daily", str(folder), "--format", "pdf"])
    assert result.exit_code == 2 and "'pdf' is not one of" in result.stderr


def test_empty_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["daily", str(tmp_path), "--model", "extractive"])
    assert result.exit_code == 1
    assert f"{tmp_path}: no articles in folder" in result.stderr
    assert "Traceback" not in result.output


def test_unreadable_file(folder: Path, monkeypatch) -> None:
    target = folder / "b.txt"
    real_open = Path.open

    def deny(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    result = CliRunner().invoke(main, ["daily", str(target), "--model", "extractive"])
    assert result.exit_code == 1
    assert f"{target}: cannot read (Permission denied)" in result.stderr
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["daily", str(tmp_path), "--debug", "--model", "extractive"])
    assert result.exit_code == 1 and result.exception is not None
    assert type(result.exception).__name__ == "NoArticlesError"


def test_duplicate_articles_are_briefed_once(tmp_path: Path, fake_model) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.txt").write_text(ARTICLE.replace("  ", " ") + "\n\n")
    data = json.loads(run("daily", str(tmp_path), "--model", "fake", "-f", "json").stdout)
    assert len(data["articles"]) == 1


def test_stages_without_a_model_never_import_torch(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from briefing.cli import main\n"
        "try: main(['daily', 'samples/articles/', '--model', 'extractive', '-o', sys.argv[1]])\n"
        "except SystemExit as e: assert e.code in (0, None), e.code\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "b.html")], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False", out.stderr


def test_temporary_files_left_by_a_killed_run_are_cleaned_up(tmp_path: Path) -> None:
    import time

    from briefing.deliver import write_atomic

    target = tmp_path / "briefing.md"
    old = tmp_path / ".briefing.md.abc123.tmp"
    fresh = tmp_path / ".briefing.md.def456.tmp"  # perhaps another run, writing right now
    old.write_text("half a briefing")
    fresh.write_text("another run")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    write_atomic(target, "today")
    assert target.read_text() == "today" and not old.exists() and fresh.exists()


def test_markdown_is_brief_and_points_to_the_html_written_beside_it(tmp_path: Path) -> None:
    markdown, page = tmp_path / "out" / "b.md", tmp_path / "out" / "b.html"
    result = run("daily", "samples/articles/", "--model", "extractive", "-o", str(markdown), "-o", str(page))
    assert result.exit_code == 0, result.output
    brief = markdown.read_text()
    assert "# Detail" not in brief and "> " not in brief  # no evidence quotes in the reading layer
    assert brief.rstrip().endswith("*Full detail (every actor, position and source sentence): b.html*")
    full = page.read_text()
    assert full.count('<details class="detail">') == 8 and "Full detail" not in full


def test_detail_full_adds_the_appendix_and_brief_folds_nothing_into_html(tmp_path: Path) -> None:
    result = run("daily", "samples/articles/", "--model", "extractive", "--detail", "full")
    assert result.exit_code == 0, result.output
    reading, detail = result.stdout.split("\n# Detail\n")
    assert "### Positions" in detail and "### Positions" not in reading
    page = tmp_path / "b.html"
    assert (
        run("daily", "samples/articles/", "--model", "extractive", "--detail", "brief", "-o", str(page)).exit_code == 0
    )
    assert "<details" not in page.read_text().replace('<details class="past">', "")
