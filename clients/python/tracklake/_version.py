"""The package version: the project's VERSION file (tracklake/VERSION links to it in the source
tree; a built package carries a copy)."""
from pathlib import Path

__version__ = (Path(__file__).with_name("VERSION")).read_text(encoding="ascii").strip()
