from urllib.parse import urlsplit

from flask import current_app, request, url_for
from werkzeug.routing import IntegerConverter

from talentday.forms import ID_MAX, ID_MIN, to_int


class PageNumbers:
    """The numbers the `pagination` macro reads of a page of a list made here (Flask-SQLAlchemy's
    own pagination has them too): a subclass holds `page` and says `has_next`."""

    page: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


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
            # A line break would end up in the Location header, which refuses it (a 500).
            and target.isprintable()
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


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number an id column can hold; any other is a 404 before
    the database sees it (PostgreSQL refuses a bigger one with an error)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(
            map,
            fixed_digits,
            ID_MIN if min is None else min,
            ID_MAX if max is None else max,
            signed,
        )


def url_with_query(endpoint: str, **values) -> str:
    """A link to `endpoint` keeping the current query (filters, sort), `values` on top.

    Only plain query keys are carried over: url_for's own options (`_external`, `_scheme`,
    `_anchor`...) and the endpoint's path arguments cannot be set from the address bar, where
    they either broke the page or made it link to another scheme or host.
    """
    if endpoint == request.endpoint:
        # The same page again (another page of a list, another sort): its own path arguments.
        values = {**(request.view_args or {}), **values}
    taken = set(values) | {"endpoint"}
    for rule in current_app.url_map.iter_rules(endpoint):
        taken |= rule.arguments
    query = {
        key: items
        for key, items in request.args.lists()
        if key not in taken and not key.startswith("_")
    }
    return url_for(endpoint, **query, **values)


def requested_page() -> int:
    """The ?page= of a paginated list: a number the database can offset by, else 1."""
    return max(to_int(request.args.get("page")) or 1, 1)
