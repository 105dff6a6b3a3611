"""bandit, as `make lint` runs it: clean on talentday/, and failing on a new finding."""

import re
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


NOSEC = re.compile(r"#\s*nosec\b(?P<checks>[^\n]*)")
CHECK = re.compile(r"\bB\d{3}\b")


def accepted_exceptions() -> set[tuple[str, str]]:
    """(file, check) of every row of the table in docs/security.md."""
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    table = text.split("## bandit: accepted exceptions", 1)[1].split("\n## ", 1)[0]
    rows = set()
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("talentday/"):
            where = cells[0].split(",", 1)[0]
            rows.update((where, check) for check in CHECK.findall(cells[1]))
    return rows


def test_every_accepted_exception_is_written_down_with_its_reason():
    table = accepted_exceptions()
    assert table, "the table in docs/security.md was not found"
    missing = []
    for path in sorted((ROOT / "talentday").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found = NOSEC.search(line)
            if not found:
                continue
            checks = CHECK.findall(found["checks"])
            assert checks, f"{where}:{number}: a bare `# nosec` hides every check; name it"
            missing += [f"{where}:{number} {c}" for c in checks if (where, c) not in table]
    assert not missing, "add these to docs/security.md, with why: " + ", ".join(missing)
