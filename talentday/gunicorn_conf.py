"""gunicorn hooks: `gunicorn -c python:talentday.gunicorn_conf -w 4 'talentday:create_app()'`.

A checkout's top-level gunicorn.conf.py loads this too, so a plain `gunicorn` run from the
repository gets it without `-c`.
"""

import logging

from talentday.auth.throttle import per_worker_counts_warning

logger = logging.getLogger("talentday")


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
