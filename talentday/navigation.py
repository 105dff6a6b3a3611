from urllib.parse import urlsplit

from flask import current_app, url_for


def safe_next_url(target: str | None, default_endpoint: str = "main.home") -> str:
    """Follow a ?next= only to a path on this site, never to another host."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for(default_endpoint)


def public_url(endpoint: str, **values) -> str:
    """The full address of a page for an email, a calendar file or anything read away from
    the site: always under PUBLIC_BASE_URL, whatever host the current request named."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
