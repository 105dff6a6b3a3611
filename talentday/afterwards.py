"""Work done once the answer has gone out, for the forms whose answer must take no longer
for a known address than for any other ("Send me my link again", "Forgot your password?"):
looking the address up, making and queueing the message and writing the audit entry happen
after the page is sent, so its timing says nothing about the address (docs/security.md)."""

from collections.abc import Callable

from flask import Flask, current_app, g


def after_the_answer(work: Callable[[], None]) -> None:
    """Run `work` after this request's response has been sent, in an application context
    of its own, and commit what it did. It must take what it needs from the request now."""
    g.setdefault("_after_the_answer", []).append(work)


def _run(app: Flask, works: list[Callable[[], None]]) -> None:
    from talentday.extensions import db
    from talentday.outbox.services import send_pending

    with app.app_context():
        for work in works:
            try:
                work()
                db.session.commit()
            except Exception:
                # The visitor has their answer already; the failure is the keeper's to see.
                db.session.rollback()
                app.logger.exception("Work after the answer failed")
        if app.config["MAIL_SEND_AFTER_REQUEST"]:
            send_pending(limit=20)


def init_app(app: Flask) -> None:
    @app.after_request
    def _run_after_the_answer(response):
        works = g.pop("_after_the_answer", None)
        if works:
            flask_app = current_app._get_current_object()
            response.call_on_close(lambda: _run(flask_app, works))
        return response
