"""Sessions and sign-in throttling across clients, processes and restarts: a password change
(on the Settings page or with `paperfeed users passwd`) ends the user's other sessions but not
the one that made it, and failed sign-ins are counted in the store, so two app instances on
one store (two worker processes) share the count and a restart keeps it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_world import PASSWORD, World, csrf_of, make_world

from paperfeed.cli import cli
from paperfeed.services.signin import SignInThrottle
from paperfeed.settings import Settings
from paperfeed.web.app import create_app

pytestmark = pytest.mark.integration
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path / "home")
    yield w
    w.lib.close()


def signed_in(client: TestClient) -> bool:
    return client.get("/settings", follow_redirects=False).status_code == 200


def attempt(client: TestClient, user: str, password: str) -> int:
    csrf = csrf_of(client.get("/login").text)
    res = client.post(
        "/login",
        data={"username": user, "password": password, "csrf": csrf},
        follow_redirects=False,
    )
    return res.status_code


def test_a_password_change_ends_the_other_sessions_only(world: World) -> None:
    laptop, phone = world.client(), world.client()
    csrf = world.login(laptop, "ada")
    world.login(phone, "ada")
    world.login(bob := world.client(), "bob")
    old_cookie = laptop.cookies.get("paperfeed_session")
    wrong = laptop.post(
        "/settings",
        data={
            "csrf": csrf,
            "action": "password",
            "password": "not it at all",
            "new_password": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert "the current password is wrong" in wrong.text and signed_in(phone)
    res = laptop.post(
        "/settings",
        data={
            "csrf": csrf,
            "action": "password",
            "password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert res.status_code == 200 and "Password changed" in res.text
    assert laptop.cookies.get("paperfeed_session") != old_cookie  # re-issued
    assert signed_in(laptop)  # the session that changed it goes on
    page = phone.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    api = phone.get("/api/v1/profile")
    assert api.status_code == 401 and "error" in api.json()
    replayed = world.client()  # the laptop's cookie from before the change: dead too
    replayed.cookies.set("paperfeed_session", old_cookie or "")
    assert not signed_in(replayed)
    assert signed_in(bob)  # another user's session is untouched
    assert attempt(world.client(), "ada", PASSWORD) == 401
    assert attempt(world.client(), "ada", NEW_PASSWORD) == 303


def test_new_passwords_must_match_and_be_long_enough(world: World) -> None:
    client = world.client()
    csrf = world.login(client, "ada")
    for new, new2, error in (
        (NEW_PASSWORD, NEW_PASSWORD + "x", "the two new passwords differ"),
        ("short", "short", "at least 8 characters"),
    ):
        res = client.post(
            "/settings",
            data={
                "csrf": csrf,
                "action": "password",
                "password": PASSWORD,
                "new_password": new,
                "new_password2": new2,
            },
        )
        assert error in res.text and signed_in(client)
    assert attempt(world.client(), "ada", PASSWORD) == 303


def test_users_passwd_from_the_cli_ends_every_session(world: World) -> None:
    browser = world.client()
    world.login(browser, "ada")
    token = world.token("ada")
    res = CliRunner().invoke(
        cli,
        ["--home", str(world.home), "users", "passwd", "ada", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert res.exit_code == 0 and "browser sessions are signed out" in res.output
    assert not signed_in(browser)
    assert world.client().get("/api/v1/profile", headers=token).status_code == 200
    assert attempt(browser, "ada", NEW_PASSWORD) == 303 and signed_in(browser)


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


def test_failed_sign_ins_are_shared_by_processes_and_kept_across_restarts(world: World) -> None:
    clock = Clock()
    settings = Settings.load(world.home)
    with (
        TestClient(create_app(settings, clock=clock)) as first,
        TestClient(create_app(settings, clock=clock)) as second,
    ):
        assert first.app.state.web.app is not second.app.state.web.app  # two stores open
        for client in (first, second, first, second, first):
            assert attempt(client, "ada", "wrong guess") == 401
        assert attempt(second, "ada", PASSWORD) == 429  # five failures, in two processes
        assert attempt(first, "ada", PASSWORD) == 429
        assert attempt(second, "bob", PASSWORD) == 303  # per name
    with TestClient(create_app(settings, clock=clock)) as restarted:
        assert attempt(restarted, "ada", PASSWORD) == 429
        clock.now += 301  # the window has closed
        assert attempt(restarted, "ada", PASSWORD) == 303
        for _ in range(4):
            assert attempt(restarted, "ada", "wrong guess") == 401
        assert attempt(restarted, "ada", PASSWORD) == 303  # a success starts the count again
        assert attempt(restarted, "ada", "wrong guess") == 401
        assert attempt(restarted, "ada", PASSWORD) == 303


def test_many_names_from_one_address_are_throttled_too(world: World) -> None:
    throttle = SignInThrottle(world.lib.store, limit=3, client_limit=4, window=60)
    now = 1_900_000_000.0
    for name in ("a1", "a2", "a3", "a4"):
        assert not throttle.blocked(name, "10.0.0.1", now)
        throttle.failed(name, "10.0.0.1", now)
    assert throttle.blocked("bob", "10.0.0.1", now)  # the address guessed four names
    assert not throttle.blocked("bob", "10.0.0.2", now)
    for _ in range(3):
        throttle.failed("Bob ", "10.0.0.2", now)
    assert throttle.blocked("bob", "10.0.0.3", now)  # names count case-blind
    throttle.succeeded("bob")
    assert not throttle.blocked("bob", "10.0.0.3", now)
    assert throttle.blocked("x", "10.0.0.1", now + 59) and not throttle.blocked(
        "x", "10.0.0.1", now + 60
    )
