"""gunicorn hooks: `gunicorn -c python:talentday.gunicorn_conf -w 4 'talentday:create_app()'`.

A checkout's top-level gunicorn.conf.py loads this too, so a plain `gunicorn` run from the
repository gets it without `-c`.
"""

import logging

from gunicorn.glogging import Logger

from talentday.auth.throttle import per_worker_counts_warning
from talentday.security import without_private_links

logger = logging.getLogger("talentday")

# A speaker's private link and a password reset link carry their secret in the address of
# one request (which then moves it onto a session): the access log keeps that request
# without the secret (talentday.security.without_private_links).


class AccessLogWithoutSecrets(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):  # request line, path, Referer
            atoms[key] = without_private_links(atoms.get(key))
        return atoms


logger_class = AccessLogWithoutSecrets


def post_worker_init(worker):
    # Only gunicorn knows how many workers it runs; the first worker speaks for all of them,
    # so the warning is logged once per start rather than once per worker.
    if worker.age != 1:
        return
    config = getattr(worker.wsgi, "config", None)
    if config is None:
        return
    warning = per_worker_counts_warning(config, worker.cfg.workers)
    if warning:
        # gunicorn's own error log, with its time and [WARNING] tag, where operators look.
        (getattr(worker, "log", None) or logger).warning(warning)
