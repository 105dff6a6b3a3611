"""Production installs from a wheel: it must carry the templates, assets, catalogues and
migrations that a checkout has beside the code."""

import subprocess
import sys
import zipfile
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "talentday/translations"

SMOKE = """
import sys
sys.path.insert(0, {unpacked!r})
import talentday
assert talentday.__file__.startswith({unpacked!r}), talentday.__file__
from flask_migrate import upgrade
app = talentday.create_app({{"TESTING": True, "SECRET_KEY": "x",
                             "SQLALCHEMY_DATABASE_URI": "sqlite:///{unpacked}/wheel.db"}})
with app.app_context():
    upgrade()
client = app.test_client()
page = client.get("/sign-in", headers={{"Accept-Language": "zh-CN"}}).get_data(as_text=True)
assert "登录" in page, page[:500]
assert client.get("/static/css/talentday.css").status_code == 200
assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200
print("wheel serves pages")
"""


def test_the_wheel_serves_pages_in_both_languages(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    # Issue 10: every install printed a screenful per data directory ("Package would be
    # ignored") until they were listed in pyproject.toml.
    assert "absent from the `packages` configuration" not in build.stderr
    (wheel,) = tmp_path.glob("talentday-*.whl")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    result = subprocess.run(
        [sys.executable, "-c", SMOKE.format(unpacked=str(unpacked))],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "wheel serves pages" in result.stdout


def test_compiled_catalogues_match_their_sources():
    for source in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with source.open("rb") as handle:
            wanted = {_key(m.id): _key(m.string) for m in read_po(handle) if m.id and not m.fuzzy}
        with source.with_suffix(".mo").open("rb") as handle:
            compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
        assert compiled == wanted, f"{source} changed: run make translations and commit the .mo"


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_make_run_serves_on_the_port_asked_for_and_links_there():
    """Issue 10: `make run PORT=8123` when 5000 is taken; emails then link to 8123 too."""
    shown = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "run", "PORT=8123"], capture_output=True, text=True
    ).stdout
    assert "http://127.0.0.1:8123 (Ctrl+C stops it)" in shown
    assert "TALENTDAY_PUBLIC_BASE_URL=http://127.0.0.1:8123" in shown
    assert "--port 8123" in shown
