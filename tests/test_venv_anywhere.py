"""A virtualenv anywhere: with the interpreter in /tmp/<name>/venv or in a home folder, the
sandbox still reaches the Python installation, and the names of the folders above it stay
unseen (bubblewrap creates them, and they cannot be listed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from lemonade.sandbox import isolation

SRC = Path(isolation.package_dir()).parent
TESTS = Path(__file__).resolve().parent

# Run by the venv's python: inside the wall, list every folder above the venv and report what
# the sandbox saw there, and where its interpreter lives.
PROBE = """
import json, os, sys, tempfile
from pathlib import Path
from lemonade.sandbox import isolation
venv = sys.argv[1]
status = isolation.probe()
assert status.isolated, status.reason
inner = '''
import json, os, sys
seen = {}
for p in sys.argv[1:]:
    try:
        seen[p] = os.listdir(p)
    except OSError as e:
        seen[p] = type(e).__name__
print(json.dumps({"prefix": sys.prefix, "seen": seen}))
'''
parents = [str(p) for p in reversed(Path(venv).parents) if str(p) != "/"]
with tempfile.TemporaryDirectory() as scratch:
    env = {"PATH": "/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch,
           "PYTHONPATH": str(Path(isolation.package_dir()).parent)}
    with isolation.prepare([sys.executable, "-c", inner, *parents], status=status,
                           scratch=scratch, env=env) as launch:
        done = __import__("subprocess").run(launch.argv, env=launch.env,
                                            pass_fds=launch.pass_fds, capture_output=True,
                                            text=True, timeout=120)
print(done.stderr, file=sys.stderr)
print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}")
"""


def _venv(parent: Path) -> Path:
    """A virtualenv in `parent` with the packages of this interpreter: its system's when this
    interpreter is a system one; when it is a virtualenv's (a normal user's install, whose
    base Python has none of them), its site-packages folder stands at the new one's."""
    venv = parent / "venv"
    done = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.skip(f"cannot create a virtualenv here: {done.stderr.strip()[-300:]}")
    if sys.prefix != sys.base_prefix:
        ours = Path(sysconfig.get_paths()["purelib"])
        theirs = venv / ours.relative_to(sys.prefix)
        shutil.rmtree(theirs)
        theirs.symlink_to(ours, target_is_directory=True)
    return venv


def _where() -> list[str]:
    home = os.path.expanduser("~")
    return ["/tmp", home]


@pytest.fixture(scope="module", params=_where(), ids=["tmp", "home"])
def venv(request: pytest.FixtureRequest) -> Iterator[Path]:
    base = request.param
    if not (os.path.isdir(base) and os.access(base, os.W_OK)):
        pytest.skip(f"{base} is not writable")
    with tempfile.TemporaryDirectory(prefix="lemonade-venv-", dir=base) as d:
        yield _venv(Path(d))


def _env(venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(TESTS)])
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', os.defpath)}"
    return env


def test_folders_above_a_venv_are_unseen(venv: Path) -> None:
    if not isolation.probe().isolated:
        pytest.skip("no bubblewrap sandbox on this machine")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", PROBE, str(venv)],
                          capture_output=True, text=True, timeout=300, env=_env(venv))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout.strip().splitlines()[-1])
    assert doc["prefix"] == str(venv), doc  # the sandbox really ran the venv's interpreter
    names = set(venv.parts[1:])  # every folder name on the path to the venv
    for folder, seen in doc["seen"].items():
        assert isinstance(seen, str) or not names & set(seen), (folder, seen)
    assert set(doc["seen"]) == {str(p) for p in venv.parents if str(p) != "/"}


def test_planted_secrets_check_passes_from_a_venv(venv: Path) -> None:
    if not isolation.probe().isolated:
        pytest.skip("no bubblewrap sandbox on this machine")
    node = f"{TESTS / 'test_isolation.py'}::test_planted_secrets_and_user_files_are_invisible"
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-x",
                           "-p", "no:cacheprovider", node], capture_output=True, text=True,
                          timeout=600, env=_env(venv), cwd=TESTS.parent)
    assert "1 passed" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
