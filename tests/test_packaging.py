"""The package as users install it: from a wheel, not from this checkout.

An editable install imports straight from the source tree, so it hides a wheel that
leaves out a subpackage or a data file. These tests look inside a real wheel: the one
`make package-check` built (BRIEFING_WHEEL), or one built here from a copy of the tree.
`make package-check` also runs the installed-package test below in a fresh venv that
has only the wheel installed (BRIEFING_EXPECT_INSTALLED=1).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "briefing"
# What the build reads; copied so that building leaves no build/ or *.egg-info in the checkout.
_BUILD_INPUTS = ("pyproject.toml", "README.md", "MANIFEST.in", "briefing", "prompts")


def source_modules() -> set[str]:
    """Every module of the package in this checkout, as paths inside a wheel."""
    return {
        path.relative_to(REPO).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "__pycache__" not in path.parts and not path.is_relative_to(PACKAGE / "prompts")
    }


def data_files() -> dict[str, Path]:
    """The templates and the prompts: path inside a wheel -> the file in this checkout.

    The prompts' home is the top-level prompts/ folder; briefing/prompts links to it."""
    templates = {f"briefing/templates/{path.name}": path for path in (PACKAGE / "templates").iterdir()}
    prompts = {f"briefing/prompts/{path.name}": path for path in (REPO / "prompts").glob("*.txt")}
    return templates | prompts


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("BRIEFING_WHEEL")
    if given:
        return Path(given)
    pytest.importorskip("build", reason="needs the `build` package (the dev extra)")
    copy = tmp_path_factory.mktemp("source")
    for name in _BUILD_INPUTS:
        source = REPO / name
        if source.is_dir():
            # symlinks=True: briefing/prompts stays the link to ../prompts it is in the checkout.
            shutil.copytree(source, copy / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    out = copy / "dist"
    # No isolation: the venv's setuptools, so the test needs no package index.
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(copy)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("*.whl")
    return built


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_every_module_is_in_the_wheel(wheel: Path) -> None:
    missing = sorted(source_modules() - wheel_names(wheel))
    assert not missing, f"{wheel.name} lacks {len(missing)} module(s): {', '.join(missing)}"


def test_the_templates_and_prompts_are_in_the_wheel(wheel: Path) -> None:
    assert data_files(), "found no templates or prompts in the checkout"
    missing = sorted(set(data_files()) - wheel_names(wheel))
    assert not missing, f"{wheel.name} lacks {', '.join(missing)}"


def test_the_installed_package_holds_its_templates_and_prompts() -> None:
    import briefing

    if os.environ.get("BRIEFING_EXPECT_INSTALLED"):
        # make package-check: this must be the wheel's copy, not the checkout's.
        assert not Path(briefing.__file__).resolve().is_relative_to(REPO), briefing.__file__
    installed = resources.files("briefing")
    for name, source in sorted(data_files().items()):
        resource = installed.joinpath(*name.split("/")[1:])
        assert resource.is_file(), f"{name} is not in the installed package ({briefing.__file__})"
        assert resource.read_bytes() == source.read_bytes(), f"{name} differs from {source}"
