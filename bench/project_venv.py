"""Lets bench scripts start with `#!/usr/bin/env python3` from any checkout: when a module they need
(pyarrow, ...) is missing from the interpreter that runs them, they are run again under this
checkout's .venv (made by scripts/bootstrap), with the same arguments."""
import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
# Set on the re-run, so that a .venv without the module fails with a message instead of looping.
REEXEC_MARK = "TRACKLAKE_BENCH_REEXEC"


def require(*modules):
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return
    python = VENV / "bin" / "python"
    in_venv = Path(sys.prefix).resolve() == VENV.resolve()
    if python.exists() and not in_venv and not os.environ.get(REEXEC_MARK):
        os.environ[REEXEC_MARK] = "1"
        os.execv(str(python), [str(python), *sys.argv])
    sys.exit(f"{Path(sys.argv[0]).name}: needs {', '.join(missing)}: run scripts/bootstrap "
             f"(it makes {VENV}; bench/run also installs bench/requirements.txt)")
