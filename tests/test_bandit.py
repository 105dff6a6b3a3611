"""bandit, as `make lint` runs it: clean on talentday/, and failing on a new finding."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANDIT = [sys.executable, "-m", "bandit", "-c", str(ROOT / "pyproject.toml"), "-q"]


def bandit(*targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BANDIT, "-r", *targets], capture_output=True, text=True, cwd=ROOT, check=False
    )


def test_bandit_finds_nothing_unaccepted_in_the_application():
    result = bandit("talentday")
    assert result.returncode == 0, result.stdout + result.stderr


def test_bandit_fails_on_a_new_finding_even_of_low_severity(tmp_path):
    package = tmp_path / "talentday"
    package.mkdir()
    (package / "leak.py").write_text(
        'import subprocess\n\nTOKEN_SECRET = "hunter22"\n\n\n'
        'def run(name):\n    subprocess.call("ls " + name, shell=True)\n'
    )
    result = bandit(str(package))
    assert result.returncode != 0
    assert "B602" in result.stdout, "high: a shell command built from input"
    assert "B105" in result.stdout, "low: a hard-coded secret"
