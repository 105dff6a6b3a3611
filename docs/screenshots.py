"""The README's phone screenshots, taken afresh from the demo: `make screenshots`.

The demo is loaded into a database of its own, the app is served on a free local port and
Chromium (Debian's, as the browser tests use) photographs each page at 390 px in Chinese, as
a city's staff see it. Chinese text needs a CJK font (Debian's fonts-noto-cjk); without one
the pictures show empty boxes, and the script says so rather than write them.
"""

import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from talentday import create_app
from talentday.demo.data import DEMO_PASSWORD
from talentday.demo.services import load_demo
from talentday.events.models import Event
from talentday.extensions import db
from talentday.registrations.models import Registration

DOCS = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


def main() -> int:
    if not shutil.which(CHROMIUM):
        print(f"{CHROMIUM} is missing: install Debian's chromium package (make browser-tools).")
        return 1
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if not fonts.strip():
        print("No Chinese font: install Debian's fonts-noto-cjk, or the pictures show boxes.")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SECRET_KEY": "screenshots",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.sqlite3",
                "RATELIMIT_ENABLED": False,
                "PUBLIC_BASE_URL": "http://127.0.0.1",
                "TRUSTED_HOSTS": ["127.0.0.1"],
            }
        )
        with app.app_context():
            upgrade()
            load_demo()
            db.session.commit()
            upcoming = db.session.scalar(sa.select(Event).where(Event.edition == 25))
            held = db.session.scalar(sa.select(Event).where(Event.edition == 24))
            registration = db.session.scalar(
                sa.select(Registration)
                .where(Registration.event_id == upcoming.id)
                .order_by(Registration.id)
            )
            pages = {
                "organizer@example.com": [
                    ("ledger-phone-zh", "/followup/?state=open"),
                    ("review-phone-zh", f"/manage/events/{upcoming.id}/registrations"),
                    (
                        "registration-phone-zh",
                        f"/manage/events/{upcoming.id}/registrations/{registration.id}",
                    ),
                ],
                "hrss@example.com": [("unit-desk-phone-zh", "/home")],
                "leader@example.com": [("dashboard-phone-zh", "/dashboard/")],
                None: [("programme-phone-zh", f"/events/{held.id}")],
            }
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                for email, shots in pages.items():
                    context = browser.new_context(
                        viewport=PHONE, device_scale_factor=2, locale="zh-CN"
                    )
                    page = context.new_page()
                    if email:
                        page.goto(f"{base}/sign-in")
                        page.fill("#email", email)
                        page.fill("#password", DEMO_PASSWORD)
                        page.locator("main form button[type=submit]").click()
                        page.wait_for_url(f"{base}/home")
                    for name, path in shots:
                        page.goto(f"{base}{path}")
                        target = DOCS / f"screenshot-{name}.png"
                        page.screenshot(path=str(target), full_page=False)
                        print(f"wrote {target.relative_to(DOCS.parent)}")
                    context.close()
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
