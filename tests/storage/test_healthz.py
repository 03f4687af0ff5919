"""/healthz answers "ok" without the database (the share-page benchmark times it while viewers stream)."""


def test_it_answers_ok_without_the_database(client):
    # No django_db mark: a view that touched the database would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content.strip() == b"ok"
    assert client.post("/healthz").status_code == 405
