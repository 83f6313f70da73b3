"""The API's contract: the OpenAPI 3.1 schema, the docs page without a CDN, one error shape."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_1_and_names_every_operation(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    operations = sorted(
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method != "parameters"
    )
    assert operations == [
        "DELETE /api/v1/guilds/{guild_id}/custom-commands/{command_id}",
        "DELETE /api/v1/guilds/{guild_id}/events/{event_id}/registrations/{member_id}",
        "DELETE /api/v1/guilds/{guild_id}/scheduled-messages/{schedule_id}",
        "GET /api/v1/guilds",
        "GET /api/v1/guilds/{guild_id}",
        "GET /api/v1/guilds/{guild_id}/command-logs",
        "GET /api/v1/guilds/{guild_id}/custom-commands",
        "GET /api/v1/guilds/{guild_id}/custom-commands/{command_id}",
        "GET /api/v1/guilds/{guild_id}/events",
        "GET /api/v1/guilds/{guild_id}/events/{event_id}",
        "GET /api/v1/guilds/{guild_id}/events/{event_id}/registrations",
        "GET /api/v1/guilds/{guild_id}/polls",
        "GET /api/v1/guilds/{guild_id}/polls/{poll_id}",
        "GET /api/v1/guilds/{guild_id}/scheduled-messages",
        "GET /api/v1/guilds/{guild_id}/scheduled-messages/{schedule_id}",
        "PATCH /api/v1/guilds/{guild_id}/custom-commands/{command_id}",
        "PATCH /api/v1/guilds/{guild_id}/events/{event_id}",
        "POST /api/v1/guilds/{guild_id}/custom-commands",
        "POST /api/v1/guilds/{guild_id}/events",
        "POST /api/v1/guilds/{guild_id}/events/{event_id}/cancel",
        "POST /api/v1/guilds/{guild_id}/scheduled-messages",
        "POST /api/v1/guilds/{guild_id}/scheduled-messages/preview",
        "POST /api/v1/guilds/{guild_id}/scheduled-messages/{schedule_id}/pause",
        "POST /api/v1/guilds/{guild_id}/scheduled-messages/{schedule_id}/resume",
        "PUT /api/v1/guilds/{guild_id}/events/{event_id}/registrations/{member_id}",
        "PUT /api/v1/guilds/{guild_id}/scheduled-messages/{schedule_id}",
    ]
    assert schema["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}


def test_the_docs_load_swagger_ui_from_muster_itself(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "/static/ninja/swagger-ui.css" in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert "/api/v1/openapi.json" in page


def test_a_method_a_path_does_not_take_is_405_in_the_one_shape(api):
    response = api.send("DELETE", "/api/v1/guilds")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert error(response) == {"detail": "DELETE is not allowed here; use GET.", "errors": []}


def test_an_unknown_path_is_404_in_the_one_shape(api):
    response = api.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert error(response) == {"detail": "There is no such API path: see /api/v1/docs.", "errors": []}


def test_a_body_that_is_not_json_is_400_in_the_one_shape(api):
    response = api.client.post(api.url("/events"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error(response) == {
        "detail": "The request body is not valid JSON.",
        "errors": [{"loc": ["body"], "msg": "is not valid JSON", "type": "json_invalid"}],
    }
