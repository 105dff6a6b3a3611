"""Who may use each route: one declaration per endpoint, and none reachable without one.

The decorators on the views (`organizer_required`, `login_required`...) and the object checks
inside them (`require_visible`, the unit card's own-unit rule) enforce access; this table says
what they must add up to, so that a reviewer reads it in one place and tests/test_route_walk.py
can request every route as every kind of visitor and compare the answers with it. A route that
is not declared here answers 404 to everyone: a new page is closed until someone decides who
may use it.
"""

import enum

from flask import Flask, abort, current_app, request

from talentday.followup.moves import ACCOUNT_MOVES


class Audience(enum.Enum):
    # Anyone, signed in or not: public pages, sign-in, assets.
    EVERYONE = "everyone"
    # A visitor who opened a speaker's private link (the link puts it on their session).
    SPEAKER_LINK = "speaker_link"
    # Any account.
    SIGNED_IN = "signed_in"
    ORGANIZERS = "organizers"
    # Organizers and leaders: the figures and reports.
    OVERSIGHT = "oversight"
    ADMINS = "admins"
    # Organizers, leaders and department staff, each seeing the items they may see
    # (`followup.permissions.visible_items`); administrators keep accounts, not items.
    TRACKER = "tracker"
    # Whoever has a standing on that item (`followup.permissions.standing`); which moves they
    # may make on it is then the table of moves' answer.
    ONE_ITEM = "one_item"
    # Organizers and leaders, and the staff of that very unit.
    ONE_UNIT = "one_unit"
    # The JSON API (talentday.api): it never reads the session cookie, so every visitor of
    # the pages is anonymous there. Public operations take anyone; the others a bearer token,
    # whose account's role, unit and standing on the item then decide (tests/test_api_*).
    API_PUBLIC = "api_public"
    API_ACCOUNT = "api_account"
    # A speaker's private-link secret as the bearer token.
    API_SPEAKER = "api_speaker"
    # The account that owns that API token.
    API_KEY_OWNER = "api_key_owner"


ROUTES: dict[str, Audience] = {
    "admin.audit_log": Audience.ADMINS,
    "admin.categories": Audience.ADMINS,
    "admin.edit_category": Audience.ADMINS,
    "admin.edit_unit": Audience.ADMINS,
    "admin.edit_user": Audience.ADMINS,
    "admin.index": Audience.ADMINS,
    "admin.score_weights": Audience.ADMINS,
    "admin.new_user": Audience.ADMINS,
    "admin.send_robot_test": Audience.ADMINS,
    "admin.units": Audience.ADMINS,
    "admin.users": Audience.ADMINS,
    "auth.forgot_password": Audience.EVERYONE,
    "auth.language": Audience.EVERYONE,
    # The signed token in the address is the credential; opening it puts it on the session.
    "auth.open_reset_link": Audience.EVERYONE,
    "auth.password": Audience.SIGNED_IN,
    # Anyone may load it; only a session holding a live reset token gets the form.
    "auth.reset_password": Audience.EVERYONE,
    "auth.sign_in": Audience.EVERYONE,
    "auth.sign_out": Audience.SIGNED_IN,
    "bootstrap.static": Audience.EVERYONE,
    "dashboard.all_events": Audience.OVERSIGHT,
    "dashboard.all_units": Audience.OVERSIGHT,
    "dashboard.index": Audience.OVERSIGHT,
    "dashboard.printable_report": Audience.OVERSIGHT,
    "dashboard.unit_card": Audience.ONE_UNIT,
    "dashboard.workbook": Audience.OVERSIGHT,
    "events.change_state": Audience.ORGANIZERS,
    "events.edit_event": Audience.ORGANIZERS,
    "events.manage": Audience.ORGANIZERS,
    "events.manage_list": Audience.ORGANIZERS,
    "events.new_event": Audience.ORGANIZERS,
    "events.public_page": Audience.EVERYONE,
    "events.public_results": Audience.EVERYONE,
    "followup.act": Audience.ONE_ITEM,
    "followup.attachment": Audience.ONE_ITEM,
    "followup.assign_many": Audience.ORGANIZERS,
    "followup.confirm_import": Audience.ORGANIZERS,
    "followup.export": Audience.TRACKER,
    "followup.import_items": Audience.ORGANIZERS,
    "followup.import_template": Audience.ORGANIZERS,
    "followup.item_page": Audience.ONE_ITEM,
    "followup.ledger_page": Audience.TRACKER,
    "followup.merge": Audience.ORGANIZERS,
    "followup.new_item": Audience.ORGANIZERS,
    "followup.split": Audience.ORGANIZERS,
    "main.healthz": Audience.EVERYONE,
    "main.home": Audience.SIGNED_IN,
    "main.index": Audience.EVERYONE,
    "outbox.index": Audience.ORGANIZERS,
    "outbox.show": Audience.ORGANIZERS,
    "outbox.resend": Audience.ORGANIZERS,
    "outbox.discard": Audience.ORGANIZERS,
    "registrations.anonymise_speaker": Audience.ORGANIZERS,
    "registrations.calendar": Audience.EVERYONE,
    "registrations.export_registrations": Audience.ORGANIZERS,
    # The secret in the address is the credential; opening it starts the speaker's session.
    "registrations.open_link": Audience.EVERYONE,
    "registrations.printable_programme": Audience.EVERYONE,
    "registrations.private": Audience.SPEAKER_LINK,
    "registrations.save_details": Audience.SPEAKER_LINK,
    "registrations.confirm_registration": Audience.SPEAKER_LINK,
    "registrations.add_suggestion": Audience.SPEAKER_LINK,
    "registrations.rate_item": Audience.SPEAKER_LINK,
    "registrations.answer_promise": Audience.SPEAKER_LINK,
    "registrations.result_file": Audience.SPEAKER_LINK,
    "registrations.withdraw": Audience.SPEAKER_LINK,
    "registrations.confirm_attendance": Audience.SPEAKER_LINK,
    "registrations.decline": Audience.SPEAKER_LINK,
    "registrations.programme": Audience.ORGANIZERS,
    "registrations.register": Audience.EVERYONE,
    "registrations.registered": Audience.EVERYONE,
    "registrations.request_link": Audience.EVERYONE,
    "registrations.review": Audience.ORGANIZERS,
    "registrations.message_speakers": Audience.ORGANIZERS,
    "messages.index": Audience.ORGANIZERS,
    "messages.edit": Audience.ORGANIZERS,
    "messages.reset": Audience.ORGANIZERS,
    "registrations.check_in_page": Audience.ORGANIZERS,
    "registrations.check_in_code": Audience.ORGANIZERS,
    "registrations.undo_check_in": Audience.ORGANIZERS,
    "registrations.export_attendance": Audience.ORGANIZERS,
    "registrations.table_cards": Audience.ORGANIZERS,
    "registrations.badges": Audience.ORGANIZERS,
    "registrations.add_break": Audience.ORGANIZERS,
    "registrations.remove_break": Audience.ORGANIZERS,
    "registrations.registration_page": Audience.ORGANIZERS,
    "static": Audience.EVERYONE,
    "webhooks.index": Audience.ORGANIZERS,
    "webhooks.change": Audience.ORGANIZERS,
    "webhooks.retry": Audience.ORGANIZERS,
    "api-docs.openapi_json": Audience.API_PUBLIC,
    "api_docs.docs": Audience.EVERYONE,
    # Each account's own tokens; admins revoke anyone's.
    "api_tokens.index": Audience.SIGNED_IN,
    "api_tokens.revoke": Audience.API_KEY_OWNER,
    "api_tokens.admin_revoke": Audience.ADMINS,
    "api_events.list_events": Audience.API_PUBLIC,
    "api_events.get_event": Audience.API_PUBLIC,
    "api_events.list_categories": Audience.API_PUBLIC,
    "api_events.register": Audience.API_PUBLIC,
    "api_items.list_units": Audience.API_ACCOUNT,
    "api_items.list_items": Audience.API_ACCOUNT,
    "api_items.get_item": Audience.API_ACCOUNT,
    "api_speaker.get_registration": Audience.API_SPEAKER,
    "api_speaker.update_registration": Audience.API_SPEAKER,
    "api_speaker.withdraw": Audience.API_SPEAKER,
    "api_speaker.add_suggestion": Audience.API_SPEAKER,
    "api_speaker.rate_suggestion": Audience.API_SPEAKER,
    "api_speaker.promise_suggestion": Audience.API_SPEAKER,
    "api_registrations.list_registrations": Audience.API_ACCOUNT,
    "api_registrations.decide": Audience.API_ACCOUNT,
    "api_figures.list_figures": Audience.API_ACCOUNT,
    "api_figures.get_figure": Audience.API_ACCOUNT,
    # One operation per move an account makes: POST /api/v1/items/<id>/<move>.
    **{f"api_items.move_{move.value}": Audience.API_ACCOUNT for move in ACCOUNT_MOVES},
}


def undeclared_endpoints(app: Flask) -> set[str]:
    return set(app.view_functions) - set(ROUTES)


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_undeclared_routes():
        if request.endpoint is not None and request.endpoint not in ROUTES:
            current_app.logger.error("Route %s has no audience in access.ROUTES", request.endpoint)
            abort(404)
