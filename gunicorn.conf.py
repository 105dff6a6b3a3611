"""Read by gunicorn when started from a checkout; installed copies use
`gunicorn -c python:talentday.gunicorn_conf`."""

from talentday.gunicorn_conf import logger_class, post_worker_init

__all__ = ["logger_class", "post_worker_init"]
