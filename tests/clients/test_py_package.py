"""The Python package as a package: Python 3.9 compatible (vermin reads the code; no 3.9
interpreter ships with Debian 12), and `pip wheel clients/python` builds a wheel that carries the
project's version and no dependency for collector mode."""
import subprocess
import sys
import zipfile
from pathlib import Path

from tlharness import ROOT

PACKAGE = ROOT / "clients" / "python"


def test_the_code_runs_on_python_3_9():
    vermin = Path(sys.executable).parent / "vermin"
    r = subprocess.run([str(vermin), "--target=3.9-", "--violations", "--no-tips",
                        "--eval-annotations", str(PACKAGE / "tracklake")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_pip_builds_a_wheel_with_the_projects_version(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(PACKAGE)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    version = (ROOT / "VERSION").read_text().strip()
    [wheel] = tmp_path.glob("tracklake-*.whl")
    assert wheel.name.startswith(f"tracklake-{version}-py3-none-any")
    with zipfile.ZipFile(wheel) as z:
        assert z.read("tracklake/VERSION").decode().strip() == version  # a copy, not a link
        metadata = z.read(f"tracklake-{version}.dist-info/METADATA").decode()
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requires and all("extra ==" in line for line in requires), requires  # boto3 only as an extra
    assert "Requires-Python: >=3.9" in metadata
