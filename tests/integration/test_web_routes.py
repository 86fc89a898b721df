"""The web app through the ASGI test client: every page and API endpoint, sign-in, CSRF,
throttling, escaping, upload limits, and the isolation matrix (bob against each of ada's
resources)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_world import HF_ID, PASSWORD, XSS_ID, XSS_TITLE, World, bibtex, csrf_of, make_world

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = make_world(tmp_path_factory.mktemp("web") / "home", allow_signup=True)
    yield w
    w.lib.close()


@pytest.fixture()
def ada(world: World) -> Iterator[tuple[TestClient, str]]:
    with world.client() as client:
        yield client, world.login(client, "ada")


def test_pages_need_sign_in_and_api_needs_auth(world: World) -> None:
    client = world.client()
    for page in ("/", "/search", "/profile", "/map", "/settings", "/ratings", f"/papers/{XSS_ID}"):
        res = client.get(page, follow_redirects=False)
        assert res.status_code == 303 and res.headers["location"].startswith("/login?next=")
    for path in ("/api/v1/feed", "/api/v1/profile", "/api/v1/interests", "/api/v1/ratings"):
        res = client.get(path)
        assert res.status_code == 401 and res.json() == {"error": res.json()["error"]}
    assert (
        client.get("/api/v1/feed", headers={"Authorization": "Bearer pf_nope"}).status_code == 401
    )


def test_every_page_renders_with_security_headers(ada: tuple[TestClient, str]) -> None:
    client, _ = ada
    for page in (
        "/",
        "/?when=today",
        "/?since=2026-08-15",
        "/search?q=graph+neural",
        "/search?q=robot&since=2026-08-19",
        "/papers/2608.00003",
        "/profile",
        "/map",
        "/settings",
        "/ratings",
    ):
        res = client.get(page)
        assert res.status_code == 200, (page, res.text[:300])
        csp = res.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "<script>" not in res.text.replace(
            '<script src="/static/app.js" defer></script>', ""
        )
    feed = client.get("/").text
    assert "Closest to your paper" in feed and "https://arxiv.org/pdf/" in feed


def test_hugging_face_links_where_known(world: World) -> None:
    client, auth = world.client(), world.token("ada")
    hf = f"https://huggingface.co/papers/{HF_ID}"
    assert client.get(f"/api/v1/papers/{HF_ID}", headers=auth).json()["paper"]["links"] == {
        "abstract": f"https://arxiv.org/abs/{HF_ID}",
        "pdf": f"https://arxiv.org/pdf/{HF_ID}",
        "hf": hf,
    }
    items = client.get("/api/v1/feed?since=2026-08-11&top=40", headers=auth).json()["items"]
    links = {i["paper"]["id"]: i["paper"]["links"] for i in items}
    assert links[HF_ID]["hf"] == hf
    assert [pid for pid, found in links.items() if "hf" in found] == [HF_ID]
    with world.client() as browser:
        world.login(browser, "ada")
        assert f'href="{hf}"' in browser.get("/?since=2026-08-11&top=40").text
        assert f'href="{hf}"' in browser.get(f"/papers/{HF_ID}").text
        other = browser.get("/papers/2608.00004").text.split("Similar papers")[0]
        assert "huggingface.co" not in other


def test_hostile_titles_are_text_everywhere(ada: tuple[TestClient, str]) -> None:
    client, _ = ada
    for page in (f"/papers/{XSS_ID}", "/search?q=graph+neural+networks+message", "/"):
        html = client.get(page).text
        assert XSS_TITLE not in html and "<img src=x" not in html
    assert "&lt;img src=x" in client.get(f"/papers/{XSS_ID}").text
    api = client.get(f"/api/v1/papers/{XSS_ID}").json()
    assert api["paper"]["title"] == XSS_TITLE  # JSON carries the data as it is


def test_login_wrong_password_throttle_and_logout(world: World) -> None:
    client = world.client()
    csrf = csrf_of(client.get("/login").text)
    res = client.post("/login", data={"username": "bob", "password": "wrong", "csrf": "x"})
    assert res.status_code == 403  # no CSRF token, no sign-in attempt
    for _ in range(5):
        res = client.post("/login", data={"username": "eve", "password": "nope!", "csrf": csrf})
        assert res.status_code == 401 and "Wrong user name or password" in res.text
    res = client.post("/login", data={"username": "eve", "password": PASSWORD, "csrf": csrf})
    assert res.status_code == 429
    other = world.client()
    csrf = world.login(other, "bob")
    assert other.get("/settings").status_code == 200
    cookie = other.cookies.get("paperfeed_session")
    assert cookie
    assert other.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert other.get("/settings", follow_redirects=False).status_code == 303


def test_session_cookie_flags(world: World) -> None:
    client = world.client()
    csrf = csrf_of(client.get("/login").text)
    res = client.post(
        "/login",
        data={"username": "ada", "password": PASSWORD, "csrf": csrf, "next": "//evil.example"},
        follow_redirects=False,
    )
    assert res.headers["location"] == "/"  # no open redirect
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_csrf_is_required_for_browser_writes(ada: tuple[TestClient, str]) -> None:
    client, csrf = ada
    body = {"paper_id": "2608.00005", "value": "up"}
    assert client.post("/api/v1/ratings", json=body).status_code == 403
    assert (
        client.post("/api/v1/ratings", json=body, headers={"X-CSRF-Token": "x"}).status_code == 403
    )
    ok = client.post("/api/v1/ratings", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    for path, data in (
        ("/settings", {"action": "rotate"}),
        ("/profile/remove", {"paper_id": "x"}),
        ("/ratings/undo", {"paper_id": "2608.00005"}),
        ("/ratings", {"paper_id": "2608.00005", "value": "up"}),
        ("/seen", {"ids": "2608.00005"}),
        ("/profile/add", {"ids": "x"}),
    ):
        assert client.post(path, data=data).status_code == 403, path
    assert (
        client.delete("/api/v1/ratings/2608.00005", headers={"X-CSRF-Token": csrf}).status_code
        == 204
    )


def test_api_feed_search_paper_similar_shapes(world: World) -> None:
    client, auth = world.client(), world.token("ada")
    feed = client.get("/api/v1/feed?since=2026-08-11&top=8", headers=auth).json()
    items = feed["items"]
    assert len(items) == 8
    assert set(items[0]) >= {"paper", "score", "explanation"}
    assert set(items[0]["paper"]) >= {"id", "title", "abstract", "authors", "date", "links"}
    assert set(items[0]["explanation"]) >= {"closest_profile_paper", "shared_terms"}
    found = client.get("/api/v1/search?q=tactile+grasping&top=5", headers=auth).json()["items"]
    assert found and "robot" in found[0]["paper"]["title"].lower()
    dated = client.get("/api/v1/search?q=tactile&since=2026-08-19", headers=auth).json()["items"]
    assert dated and all(i["paper"]["date"] >= "2026-08-19" for i in dated)
    paper = client.get("/api/v1/papers/2608.00003", headers=auth).json()
    assert paper["paper"]["id"] == "2608.00003" and paper["why"]["shared_terms"]
    sim = client.get("/api/v1/papers/2608.00003/similar?top=4", headers=auth).json()["items"]
    assert len(sim) == 4 and all(i["paper"]["id"] != "2608.00003" for i in sim)
    assert client.get("/api/v1/papers/9999.99999", headers=auth).status_code == 404
    assert client.get("/api/v1/papers/9999.99999/similar", headers=auth).status_code == 404
    assert client.get("/api/v1/feed?top=-1", headers=auth).status_code == 422
    assert client.get("/api/v1/feed?since=yesterday", headers=auth).json()["error"]


def test_ranked_lists_have_non_increasing_scores(world: World) -> None:
    client, auth = world.client(), world.token("ada")
    for path in (
        "/api/v1/feed?since=2026-08-11&top=20",
        "/api/v1/search?q=graph+speech&top=20",
        "/api/v1/papers/2608.00003/similar?top=20",
    ):
        scores = [i["score"] for i in client.get(path, headers=auth).json()["items"]]
        assert scores == sorted(scores, reverse=True), path


def test_api_ratings_profile_interests_map(world: World) -> None:
    client, auth = world.client(), world.token("ada")
    bad = client.post(
        "/api/v1/ratings", json={"paper_id": "2608.00004", "value": "meh"}, headers=auth
    )
    assert bad.status_code == 422 and "error" in bad.json()
    missing = client.post(
        "/api/v1/ratings", json={"paper_id": "1111.11111", "value": "up"}, headers=auth
    )
    assert missing.status_code == 404
    res = client.post(
        "/api/v1/ratings", json={"paper_id": "2608.00004", "value": "down"}, headers=auth
    )
    assert res.status_code == 201 and res.json() == {"paper_id": "2608.00004", "value": "down"}
    history = client.get("/api/v1/ratings", headers=auth).json()["items"]
    assert history[0]["paper"]["id"] == "2608.00004" and history[0]["value"] == "down"
    assert client.delete("/api/v1/ratings/2608.00004", headers=auth).status_code == 204
    assert client.delete("/api/v1/ratings/2608.00004", headers=auth).status_code == 404
    added = client.post("/api/v1/profile", json={"ids": ["2608.00007"]}, headers=auth)
    assert added.status_code == 201 and "1 added to profile" in added.json()["line"]
    bib = client.post(
        "/api/v1/profile", files={"file": ("mine.bib", bibtex("memory"))}, headers=auth
    )
    assert bib.status_code == 201, bib.text
    assert bib.json()["line"].startswith("mine.bib: read 3, 3 new")
    text = client.post(
        "/api/v1/profile", json={"text": "We study " + "tactile robot grasping " * 8}, headers=auth
    )
    assert text.status_code == 201 and text.json()["added_to_profile"] == 1
    assert (
        client.post("/api/v1/profile", json={"ids": ["/etc/passwd"]}, headers=auth).status_code
        == 400
    )
    assert client.post("/api/v1/profile", json={"nothing": 1}, headers=auth).status_code == 400
    profile = [p["id"] for p in client.get("/api/v1/profile", headers=auth).json()["papers"]]
    assert "2608.00007" in profile and len(profile) == 7
    groups = client.get("/api/v1/interests", headers=auth).json()["interests"]
    assert sum(len(g["papers"]) for g in groups) == 7 and len(groups) >= 2
    mapped = client.get("/api/v1/map", headers=auth).json()
    points = mapped["points"]
    assert {p["kind"] for p in points} == {"profile", "feed"}
    names = {g["number"]: g["name"] for g in groups}
    assert mapped["interests"] == [  # the legend: each interest coloured on the map, named
        {"number": n, "name": names[n]} for n in sorted({p["interest"] for p in points})
    ]
    assert all(-1 <= p["x"] <= 1 and -1 <= p["y"] <= 1 for p in points)
    assert client.delete("/api/v1/profile/2608.00007", headers=auth).status_code == 204
    assert client.delete("/api/v1/profile/2608.00007", headers=auth).status_code == 404


def test_upload_limit_and_bad_file(world: World) -> None:
    client, auth = world.client(), world.token("bob")
    big = client.post(
        "/api/v1/profile", files={"file": ("big.bib", b"x" * (21 * 2**20))}, headers=auth
    )
    assert big.status_code == 413 and "20 MB" in big.json()["error"]
    bad = client.post(
        "/api/v1/profile",
        files={"file": ("x.bin", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)},
        headers=auth,
    )
    assert bad.status_code == 400 and "error" in bad.json() and "Traceback" not in bad.text


def test_isolation_matrix(world: World) -> None:
    """bob, with his own token or session, can neither see nor change ada's things."""
    client, ada, bob = world.client(), world.token("ada"), world.token("bob")
    client.post("/api/v1/ratings", json={"paper_id": "2608.00006", "value": "saved"}, headers=ada)
    ada_profile = {p["id"] for p in client.get("/api/v1/profile", headers=ada).json()["papers"]}
    bob_profile = {p["id"] for p in client.get("/api/v1/profile", headers=bob).json()["papers"]}
    assert ada_profile and not (ada_profile & bob_profile)
    assert client.delete("/api/v1/profile/2608.00001", headers=bob).status_code == 404
    assert client.delete("/api/v1/ratings/2608.00006", headers=bob).status_code == 404
    assert "2608.00006" not in str(client.get("/api/v1/ratings", headers=bob).json())
    assert client.get("/api/v1/papers/2608.00006", headers=bob).json()["rating"] == ""
    ada_tokens = world.lib.store.api_tokens("ada")
    with world.client() as browser:
        csrf = world.login(browser, "bob")
        res = browser.post(
            "/settings", data={"csrf": csrf, "action": "revoke", "token_id": str(ada_tokens[0].id)}
        )
        assert res.status_code == 404
        assert "ada@example.org" not in browser.get("/settings").text
        assert "2608.00001" not in browser.get("/profile").text
    assert world.lib.store.api_tokens("ada") == ada_tokens
    assert world.lib.store.ratings("ada").get("2608.00006") == "saved"
    assert {p.id for p in world.lib.profile("ada")} == ada_profile


def test_a_pasted_abstract_is_private_to_whoever_pasted_it(world: World) -> None:
    """A paper known by its text alone (pasted or uploaded without an arXiv id or DOI) that
    bob put in his profile: bob finds it, ada does not (search, paper page, similar, rating,
    feed), while arXiv papers stay visible to both."""
    client, ada, bob = world.client(), world.token("ada"), world.token("bob")
    words = "zymurgy fermentation kinetics in sourdough starters"
    added = client.post("/api/v1/profile", json={"text": f"We study {words}. " * 6}, headers=bob)
    assert added.status_code == 201
    mine = [p["id"] for p in client.get("/api/v1/profile", headers=bob).json()["papers"]]
    (pid,) = [p for p in mine if p.startswith("text:")]
    found = client.get("/api/v1/search", params={"q": words}, headers=bob).json()["items"]
    assert pid in [i["paper"]["id"] for i in found]
    seen = client.get("/api/v1/search", params={"q": words}, headers=ada).json()["items"]
    assert pid not in [i["paper"]["id"] for i in seen]
    assert client.get(f"/api/v1/papers/{pid}", headers=ada).status_code == 404
    assert client.get(f"/api/v1/papers/{pid}/similar", headers=ada).status_code == 404
    rate = client.post("/api/v1/ratings", json={"paper_id": pid, "value": "up"}, headers=ada)
    assert rate.status_code == 404
    assert client.get(f"/api/v1/papers/{pid}", headers=bob).status_code == 200
    near = client.get("/api/v1/papers/2608.00001/similar?top=50", headers=ada).json()["items"]
    assert near and pid not in [i["paper"]["id"] for i in near]
    feed = client.get("/api/v1/feed?since=2000-01-01&top=100", headers=ada).json()["items"]
    assert pid not in [i["paper"]["id"] for i in feed]
    with world.client() as browser:
        world.login(browser, "ada")
        assert browser.get(f"/papers/{pid}").status_code == 404
        assert f"/papers/{pid}" not in browser.get("/search", params={"q": words}).text
    client.delete(f"/api/v1/profile/{pid}", headers=bob)


def test_settings_tokens_and_feed_rotation(world: World) -> None:
    with world.client() as client:
        csrf = world.login(client, "bob")
        page = client.get("/settings").text
        old_feed = page.split('Atom: <code class="url">')[1].split("<")[0]
        assert client.get(old_feed).status_code == 200
        res = client.post(
            "/settings",
            data={"csrf": csrf, "email": "b@example.org", "frequency": "weekly", "size": "12"},
        )
        assert (
            res.status_code == 200 and world.lib.store.account("bob").digest_frequency == "weekly"
        )
        bad = client.post("/settings", data={"csrf": csrf, "email": "nope", "frequency": "daily"})
        assert "is not an e-mail address" in bad.text
        made = client.post("/settings", data={"csrf": csrf, "action": "token", "label": "cli"})
        token = made.text.split('<code id="new-token">')[1].split("<")[0]
        auth = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/profile", headers=auth).status_code == 200
        (made_id,) = [t.id for t in world.lib.store.api_tokens("bob") if t.label == "cli"]
        client.post("/settings", data={"csrf": csrf, "action": "revoke", "token_id": str(made_id)})
        assert world.client().get("/api/v1/profile", headers=auth).status_code == 401
        client.post("/settings", data={"csrf": csrf, "action": "rotate"})
        new_feed = client.get("/settings").text.split('Atom: <code class="url">')[1].split("<")[0]
        assert new_feed != old_feed and client.get(new_feed).status_code == 200
        assert client.get(old_feed).status_code == 410
        document = client.get(new_feed).text  # the feed names its new address, not the old
        assert new_feed.split("/feed/")[1] in document
        assert old_feed.split("/feed/")[1] not in document


def test_profile_page_upload_paste_remove_and_ratings_undo(world: World) -> None:
    with world.client() as client:
        csrf = world.login(client, "bob")
        res = client.post(
            "/profile/add",
            data={"csrf": csrf},
            files={"file": ("library.bib", bibtex("robots", 2))},
        )
        assert "library.bib: read 2, 2 new" in res.text and "2 added to profile" in res.text
        res = client.post("/profile/add", data={"csrf": csrf, "ids": "2608.20002 2608.20003"})
        assert "2 added to profile" in res.text
        res = client.post("/profile/add", data={"csrf": csrf, "ids": "not-an-id"})
        assert 'class="error"' in res.text
        res = client.post("/profile/remove", data={"csrf": csrf, "paper_id": "2608.20002"})
        assert "2608.20002" not in {p.id for p in world.lib.profile("bob")}
        world.lib.rate("bob", "2608.30001", "down")
        assert "2608.30001" in client.get("/ratings").text
        client.post("/ratings/undo", data={"csrf": csrf, "paper_id": "2608.30001"})
        assert "2608.30001" not in world.lib.store.ratings("bob")


def test_rating_buttons_are_forms_that_work_without_javascript(world: World) -> None:
    with world.client() as client:
        csrf = world.login(client, "bob")
        page = client.get("/?since=2026-08-11").text
        assert 'action="/ratings"' in page and 'name="value" value="down"' in page
        first = page.split('<article class="item" id="p-')[1].split('"')[0]
        form = {"csrf": csrf, "paper_id": first, "back": "/?since=2026-08-11"}
        res = client.post("/ratings", data={**form, "value": "up"}, follow_redirects=False)
        assert res.status_code == 303 and res.headers["location"] == f"/?since=2026-08-11#p-{first}"
        assert world.lib.store.ratings("bob")[first] == "up"
        client.post("/ratings", data={**form, "value": "saved"}, follow_redirects=False)
        html = client.get(f"/papers/{first}").text
        assert 'value="up" class="vote on"' in html and 'value="saved" class="vote on"' in html
        res = client.post(  # the page's script asks for JSON: the paper's values after
            "/ratings",
            data={**form, "value": "down"},
            headers={"Accept": "application/json"},
        )
        assert res.json() == {"paper_id": first, "values": ["down", "saved"]}
        client.post("/ratings", data={**form, "value": "down"})  # a second click undoes
        assert world.lib.store.ratings("bob")[first] == "saved"
        client.post("/ratings", data={**form, "value": "saved"})
        assert first not in world.lib.store.ratings("bob")
        away = client.post(
            "/ratings",
            data={**form, "value": "up", "back": "//evil.example/x"},
            follow_redirects=False,
        )
        assert away.headers["location"] == f"/#p-{first}"  # never off this site
        for bad, status in (({"value": "meh"}, 400), ({"paper_id": "1111.11111"}, 404)):
            res = client.post("/ratings", data={**form, "value": "up", **bad})
            assert res.status_code == status and "Traceback" not in res.text
        res = client.post(
            "/ratings", data={**form, "value": "meh"}, headers={"Accept": "application/json"}
        )
        assert res.status_code == 400 and res.json()["error"]
        client.post("/ratings/undo", data={"csrf": csrf, "paper_id": first})
    signed_out = world.client().post("/ratings", data=form, headers={"Accept": "application/json"})
    assert signed_out.status_code == 401 and "error" in signed_out.json()


def test_hide_shown_is_a_form(world: World) -> None:
    with world.client() as client:
        csrf = world.login(client, "bob")
        page = client.get("/?since=2026-08-11").text
        shown = page.split('name="ids" value="')[1].split('"')[0].split()
        assert len(shown) > 3
        res = client.post(
            "/seen",
            data={"csrf": csrf, "ids": " ".join(shown[:3]), "back": "/?since=2026-08-11"},
            follow_redirects=False,
        )
        assert res.status_code == 303 and res.headers["location"] == "/?since=2026-08-11"
        after = client.get("/?since=2026-08-11").text
        assert not any(f'id="p-{pid}"' in after for pid in shown[:3])
        assert {world.lib.store.ratings("bob")[pid] for pid in shown[:3]} == {"opened"}
        for pid in shown[:3]:
            client.post("/ratings/undo", data={"csrf": csrf, "paper_id": pid})


def test_signup_and_rating_links_confirm_before_recording(world: World) -> None:
    from paperfeed.delivery import tokens

    client = world.client()
    csrf = csrf_of(client.get("/signup").text)
    res = client.post(
        "/signup", data={"username": "cyd", "email": "", "password": "short", "csrf": csrf}
    )
    assert res.status_code == 400 and "at least 8" in res.text
    res = client.post("/signup", data={"username": "ada", "password": PASSWORD, "csrf": csrf})
    assert res.status_code == 400 and "taken" in res.text
    res = client.post(
        "/signup",
        data={"username": "cyd", "password": PASSWORD, "csrf": csrf},
        follow_redirects=False,
    )
    assert res.status_code == 303 and world.lib.store.account("cyd") is not None
    secret = world.app.state.web.delivery.secret
    link = "/rate/" + tokens.rating_token(
        secret, "cyd", "2608.00002", "up", now=world.app.state.web.clock()
    )
    page = world.client().get(link)
    assert (
        page.status_code == 200 and "Confirm" in page.text and world.lib.store.ratings("cyd") == {}
    )
    assert world.client().post(link).status_code == 200
    assert world.lib.store.ratings("cyd") == {"2608.00002": "up"}
    assert world.client().post(link).status_code == 409


def test_signup_is_off_by_default(tmp_path: Path) -> None:
    w = make_world(tmp_path / "home")
    try:
        assert w.client().get("/signup").status_code == 404
        assert "Create an account" not in w.client().get("/login").text
    finally:
        w.lib.close()
