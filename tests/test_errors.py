import pytest

from talentday import create_app
from talentday.access import ROUTES, Audience
from tests.conftest import app_config


def test_404_page_is_friendly(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "<title>Page not found – TalentDay</title>" in page


def test_404_page_in_chinese(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"})
    assert "页面不存在" in response.get_data(as_text=True)


@pytest.fixture
def failing_app(database_url, monkeypatch):
    app = create_app(app_config(database_url, TESTING=False, SECRET_KEY="a-real-secret"))
    monkeypatch.setitem(ROUTES, "boom", Audience.EVERYONE)

    @app.get("/boom")
    def boom():
        raise RuntimeError("database password is hunter2")

    return app


def test_500_page_reveals_nothing_internal(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in page
    assert "hunter2" not in page and "Traceback" not in page and "RuntimeError" not in page
