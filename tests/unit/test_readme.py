"""The README is for users: short, and every path it names is in the repository."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
# a path-like token in backticks or code: a/b or a/b.ext, optionally ending in /
PATH = re.compile(r"(?<![\w~$./-])((?:[\w.-]+/)+[\w.-]*)")


def test_the_readme_is_at_most_200_lines():
    assert len(README.splitlines()) <= 200


def test_the_readme_names_no_path_outside_the_repository():
    """No path climbs out of the clone, and every path into the repository's folders exists
    (results/ and the run layout are made by a run; ~/.config is the user's Snakemake)."""
    assert "../" not in README and "/work" not in README and "shared/" not in README
    folders = tuple(
        f"{p.name}/"
        for p in REPO.iterdir()
        if p.is_dir() and p.name[0] != "." and p.name not in ("results", "resources")
    )
    named = [p for p in set(PATH.findall(README)) if p.startswith(folders)]
    assert len(named) >= 5
    for path in named:
        assert (REPO / path).exists(), f"README.md names {path}, which is not in the repository"
