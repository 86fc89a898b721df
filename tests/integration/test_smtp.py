"""SMTP delivery against a real server: start-up check errors, retries, permanent failures."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from smtp_sink import smtp_sink

from paperfeed.delivery.mail import Mailer, SendFailure, SmtpConfigError, check_smtp
from paperfeed.digest.email import EmailContent, build_message

pytestmark = pytest.mark.integration


def _message(to: str = "linda@example.org"):  # type: ignore[no-untyped-def]
    content = EmailContent("paperfeed test", "plain body\n", "<p>html body</p>")
    return build_message(
        content,
        sender="paperfeed <digest@example.org>",
        to=to,
        when=datetime(2026, 8, 21, tzinfo=UTC),
        unsubscribe_url="http://127.0.0.1:1/unsubscribe/x.y",
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_check_smtp_passes_on_a_working_server() -> None:
    with smtp_sink(with_auth=True) as sink:
        check_smtp(sink.settings(username="digest", password="right"))
        check_smtp(sink.settings())


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"security": "ssl"}, "TLS handshake failed"),
        ({"security": "starttls"}, "does not offer STARTTLS"),
        ({"username": "digest", "password": "wrong"}, "refused the login of 'digest' (535"),
        ({"from_addr": ""}, "smtp.from is not set"),
        ({"username": "digest", "password_env": "PF_TEST_UNSET_VAR"}, "$PF_TEST_UNSET_VAR"),
    ],
)
def test_misconfigured_server_is_one_clear_line(changes: dict, expected: str) -> None:
    with smtp_sink(with_auth=True) as sink, pytest.raises(SmtpConfigError) as err:
        check_smtp(sink.settings(**changes))
    message = str(err.value)
    assert expected in message and "\n" not in message


def test_login_where_the_server_offers_none() -> None:
    with smtp_sink() as sink, pytest.raises(SmtpConfigError, match="does not offer a login"):
        check_smtp(sink.settings(username="digest", password="right"))


def test_unreachable_server() -> None:
    port = _free_port()
    cfg_port = {"host": "127.0.0.1", "port": port, "security": "none"}
    with smtp_sink() as sink:
        cfg = sink.settings(**cfg_port)
    with pytest.raises(SmtpConfigError, match=f"127.0.0.1:{port} .*refused the connection"):
        check_smtp(cfg)


def test_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PF_TEST_SMTP_PASSWORD", "right")
    with smtp_sink(with_auth=True) as sink:
        check_smtp(sink.settings(username="digest", password_env="PF_TEST_SMTP_PASSWORD"))


def test_transient_4xx_is_retried_with_exponential_backoff() -> None:
    waits: list[float] = []
    with smtp_sink() as sink:
        sink.fail_next = ["451 4.3.0 Try again later", "421 4.7.0 Too busy"]
        with Mailer(sink.settings(retries=3, backoff=0.5), sleep=waits.append) as mailer:
            attempts = mailer.send(_message())
        assert attempts == 3
        assert waits == [0.5, 1.0]
        assert sink.data_calls == 3 and len(sink.messages) == 1
        assert sink.messages[0]["Subject"] == "paperfeed test"


def test_transient_failures_give_up_after_the_last_retry() -> None:
    waits: list[float] = []
    with smtp_sink() as sink:
        sink.fail_next = ["451 4.3.0 Try again later"] * 5
        mailer = Mailer(sink.settings(retries=2, backoff=1.0), sleep=waits.append)
        with mailer, pytest.raises(SendFailure, match="gave up after 3 tries") as err:
            mailer.send(_message())
    assert not err.value.permanent and err.value.attempts == 3
    assert waits == [1.0, 2.0] and sink.messages == []


def test_permanent_5xx_is_reported_without_retry() -> None:
    waits: list[float] = []
    with smtp_sink() as sink:
        sink.refuse["nobody@example.org"] = "550 5.1.1 No such user"
        with Mailer(sink.settings(retries=3), sleep=waits.append) as mailer:
            with pytest.raises(SendFailure, match=r"550 5\.1\.1 No such user") as err:
                mailer.send(_message("nobody@example.org"))
            assert err.value.permanent and err.value.attempts == 1
            assert waits == []
            # the mailer keeps working for the next recipient
            assert mailer.send(_message()) == 1
        assert [m["To"] for m in sink.messages] == ["linda@example.org"]


def test_server_going_away_between_messages_is_retried() -> None:
    with smtp_sink() as sink:
        mailer = Mailer(sink.settings(retries=1))
        mailer.send(_message())
        port = sink.port
    # the server is gone: a transient failure, then given up
    with pytest.raises(SendFailure) as err:
        mailer.send(_message())
    assert not err.value.permanent and f":{port}" in str(err.value)
    mailer.close()
