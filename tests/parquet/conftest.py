"""Fixtures for the Parquet encoder tests: locate and run parquet_encode_tool."""
import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TOOL_RELATIVE = pathlib.Path("src/encode/parquet/parquet_encode_tool")
# TRACKLAKE_BUILD_DIR (default: the release preset's dir) first, then the Parquet
# developer's own build dirs.
FALLBACK_BUILD_DIRS = ("build/h-parquet-release", "build/h-parquet")


def find_tool():
    candidates = [pathlib.Path(os.environ.get("TRACKLAKE_BUILD_DIR", REPO / "build/release"))]
    candidates += [REPO / d for d in FALLBACK_BUILD_DIRS]
    for build_dir in candidates:
        tool = build_dir / TOOL_RELATIVE
        if tool.is_file() and os.access(tool, os.X_OK):
            return tool
    return None


@pytest.fixture(scope="session")
def tool():
    path = find_tool()
    if path is None:
        pytest.fail("parquet_encode_tool not built (set TRACKLAKE_BUILD_DIR)")
    return path


class Encoder:
    """Runs the tool on a list of event dicts and returns the Parquet file's path."""

    def __init__(self, tool, tmp_dir):
        self.tool = tool
        self.tmp_dir = pathlib.Path(tmp_dir)
        self.count = 0

    def __call__(self, events, compression="zstd", columns=(), row_group_bytes=None,
                 node_id="node-1", first_seq=1, last_seq=2, ndjson=None):
        self.count += 1
        out = self.tmp_dir / f"f{self.count}.parquet"
        args = [str(self.tool), "--compression", compression, "--output", str(out),
                "--node-id", node_id, "--first-seq", str(first_seq), "--last-seq", str(last_seq)]
        if columns:
            args += ["--columns", ",".join(columns)]
        if row_group_bytes is not None:
            args += ["--row-group-bytes", str(row_group_bytes)]
        if ndjson is None:
            ndjson = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)
        proc = subprocess.run(args, input=ndjson.encode("utf-8"), capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode()
        return out


@pytest.fixture()
def encode(tool, tmp_path):
    return Encoder(tool, tmp_path)
