"""The JSON API, v1: the same services and the same table of moves as the pages, for
mini-programs and office systems. Documented by the OpenAPI file flask-smorest writes from
the schemas that validate each request (`/api/v1/openapi.json`), and by a page of ours that
reads that file (`/api/v1/docs`)."""

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from talentday.api import auth, problems

API_PREFIX = "/api/v1"


class TalentDayApi(Api):
    """flask-smorest's Api, minus what the application already does its own way."""

    ERROR_SCHEMA = problems.ProblemSchema

    def _register_error_handlers(self):
        # Flask-smorest would answer every HTTP error of the whole application, pages
        # included, in its JSON; talentday.errors answers problem+json under /api/ only.
        pass

    def _register_responses(self):
        # The documented errors are problem+json (RFC 9457), not application/json.
        for status in (400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429):
            response = {"description": problems.describe(status), "schema": self.ERROR_SCHEMA}
            prepare_response(response, self.spec, problems.PROBLEM_TYPE)
            self.spec.components.response(problems.response_name(status), response, lazy=True)
        response = {"description": "Any other error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, problems.PROBLEM_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


api = TalentDayApi()

SPEC_OPTIONS = {
    "info": {
        "description": (
            "TalentDay's JSON API: the city's talent events, registration to speak, and the "
            "follow-up of the suggestions raised, for mini-programs and office systems. "
            "Read the guide at /api/v1/docs."
        ),
    },
    "servers": [{"url": "/"}],
    "components": {
        "securitySchemes": {
            "personalToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal API token (tdk_…), made on the account's API "
                "tokens page. It acts with its account's role and unit.",
            },
            "speakerLink": {
                "type": "http",
                "scheme": "bearer",
                "description": "The secret of a speaker's private link: the last part of "
                "the link, after /r/.",
            },
        }
    },
}


def init_app(app: Flask) -> None:
    from talentday.api import account, docs, events, figures, items, registrations, speaker
    from talentday.extensions import csrf

    app.config.setdefault("API_TITLE", "TalentDay API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", SPEC_OPTIONS)
    api.init_app(app)
    for blueprint in (events.blp, speaker.blp, registrations.blp, items.blp, figures.blp):
        # The API takes no cookie, so a CSRF token would protect nothing (see api.auth).
        csrf.exempt(blueprint)

        api.register_blueprint(blueprint, url_prefix=API_PREFIX)
    app.register_blueprint(docs.bp, url_prefix=API_PREFIX)
    app.register_blueprint(account.bp)
    auth.init_app(app)
