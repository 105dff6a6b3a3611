from flask import Flask, current_app, g


def init_app(app: Flask) -> None:
    from talentday.outbox.template_views import bp as messages_bp
    from talentday.outbox.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(messages_bp)

    @app.after_request
    def _deliver_after_the_response(response):
        """With MAIL_SEND_AFTER_REQUEST, new messages go out once the page has been sent,
        so that a slow mail server never slows the person who caused them."""
        if g.get("outbox_has_new_messages") and current_app.config["MAIL_SEND_AFTER_REQUEST"]:
            flask_app = current_app._get_current_object()

            def deliver():
                from talentday.outbox.services import send_pending

                with flask_app.app_context():
                    send_pending(limit=20)

            response.call_on_close(deliver)
        return response
