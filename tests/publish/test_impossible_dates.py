"""Well-formed but impossible dates and times answer 400 naming the parameter, never 500."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    ["2024-02-30", "2024-13-45", "2024-01-01T24:00:00Z", "2024-01-01T10:00:00+25:00"],
)
@pytest.mark.parametrize("path", ["/api/v3/services", "/api/v3/service_at_locations"])
def test_an_impossible_modified_after_is_a_400_naming_it(client, path, value):
    response = client.get(path, {"modified_after": value})
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "modified_after"
    assert "real date" in body["message"]
