"""Sending digests over SMTP (SSL, STARTTLS or plain, with login from config.toml).

Transient failures (4xx replies, dropped or refused connections, timeouts) are retried with
exponential backoff on a fresh connection; permanent ones (5xx) are raised at once. Call
:func:`check_smtp` at start-up: a misconfigured server then gives one clear line instead of a
failure in the middle of a run.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Self

from paperfeed.settings import SmtpSettings, named_variable


class SmtpConfigError(ValueError):
    """The SMTP settings do not work (unreachable server, bad login, TLS mismatch)."""


class SendFailure(RuntimeError):
    """A message could not be sent; ``permanent`` when retrying later cannot help."""

    def __init__(self, message: str, *, permanent: bool, attempts: int = 1) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.attempts = attempts


def password(cfg: SmtpSettings) -> str:
    """The login password: ``smtp.password``, or the variable ``smtp.password_env`` names."""
    if cfg.password_env:
        value = named_variable(cfg.password_env)
        if value is None:
            raise SmtpConfigError(
                f"smtp.password_env names ${cfg.password_env}, which is not set in the environment"
            )
        return value
    return cfg.password


def tls_context(cfg: SmtpSettings) -> ssl.SSLContext:
    """Certificates verified against the system store, or ``smtp.ca_file`` when set."""
    return ssl.create_default_context(cafile=cfg.ca_file or None)


def connect(cfg: SmtpSettings) -> smtplib.SMTP:
    """An open, logged-in SMTP session as configured. Raises the library's exceptions; each
    carries ``paperfeed_stage`` (connect, starttls or login) for :func:`describe`."""
    port = cfg.effective_port
    stage = "connect"
    conn: smtplib.SMTP | None = None
    try:
        if cfg.security == "ssl":
            conn = smtplib.SMTP_SSL(cfg.host, port, timeout=cfg.timeout, context=tls_context(cfg))
        else:
            conn = smtplib.SMTP(cfg.host, port, timeout=cfg.timeout)
        conn.ehlo()
        if cfg.security == "starttls":
            stage = "starttls"
            conn.starttls(context=tls_context(cfg))
            conn.ehlo()
        if cfg.username:
            stage = "login"
            conn.login(cfg.username, password(cfg))
        return conn
    except BaseException as exc:
        exc.paperfeed_stage = stage  # type: ignore[attr-defined]
        if conn is not None:
            _close(conn)
        raise


def _close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{exc.smtp_code} {' '.join(str(text).split())}".strip()


def is_transient(exc: BaseException) -> bool:
    """Whether trying again later may work: 4xx replies and network trouble, not 5xx replies,
    refused logins or certificate problems."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= c < 500 for c in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, ssl.SSLCertVerificationError | smtplib.SMTPNotSupportedError):
        return False
    return isinstance(exc, smtplib.SMTPServerDisconnected | OSError)


def describe(exc: BaseException, cfg: SmtpSettings) -> str:
    """One line saying what went wrong with the server in ``cfg`` and what to change."""
    where = cfg.where
    stage = getattr(exc, "paperfeed_stage", "send")
    if isinstance(exc, SmtpConfigError):
        return str(exc)
    if isinstance(exc, socket.gaierror):
        return f"SMTP server {cfg.host!r}: unknown host ({exc.strerror}); check smtp.host"
    if isinstance(exc, ConnectionRefusedError):
        return f"SMTP server {where} refused the connection: is it running, is smtp.port right?"
    if isinstance(exc, TimeoutError | socket.timeout):
        hint = ""
        if cfg.security != "ssl" and cfg.effective_port == 465:
            hint = '; port 465 expects TLS from the start: set security = "ssl"'
        return f"SMTP server {where} did not answer within {cfg.timeout:g}s{hint}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"SMTP server {where}: its TLS certificate is not trusted ({exc.verify_message}); "
            "set smtp.ca_file to the CA that signed it"
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"SMTP server {where}: TLS handshake failed ({exc.reason or exc}); the port may "
            'not speak TLS from the start: try security = "starttls" (587) or "none", or '
            "check smtp.port"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) and stage == "starttls":
        return (
            f'SMTP server {where} does not offer STARTTLS; set security = "ssl" if it '
            'expects TLS from the start (port 465), or "none" for a relay on this machine'
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) and stage == "login":
        return (
            f"SMTP server {where} does not offer a login here; leave smtp.username empty, or "
            'use security = "starttls"/"ssl" (many servers only offer login over TLS)'
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"SMTP server {where} refused the login of {cfg.username!r} ({_reply(exc)}); "
            "check smtp.username and the password"
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        hint = ""
        if stage == "connect" and cfg.security != "ssl":
            hint = '; if it expects TLS from the start (port 465), set security = "ssl"'
        return f"SMTP server {where} closed the connection ({exc}){hint}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{addr}: {code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}"
            for addr, (code, msg) in exc.recipients.items()
        )
        return f"SMTP server {where} refused the recipient ({refused})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP server {where} answered {_reply(exc)} during {stage}"
    return f"SMTP server {where}: {type(exc).__name__}: {exc}"


def check_smtp(
    cfg: SmtpSettings, *, connector: Callable[[SmtpSettings], smtplib.SMTP] = connect
) -> None:
    """Connect and log in once, then hang up; :class:`SmtpConfigError` with one line if that
    fails or the sender is missing."""
    if not cfg.from_addr:
        raise SmtpConfigError(
            'smtp.from is not set in config.toml (e.g. "paperfeed <me@example.org>")'
        )
    try:
        conn = connector(cfg)
    except (smtplib.SMTPException, OSError, SmtpConfigError) as exc:
        raise SmtpConfigError(describe(exc, cfg)) from None
    _close(conn)


class Mailer:
    """Sends messages over one SMTP session, reconnecting and retrying transient failures
    (``cfg.retries`` times, waiting ``cfg.backoff`` × 2ⁿ seconds)."""

    def __init__(
        self,
        cfg: SmtpSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        connector: Callable[[SmtpSettings], smtplib.SMTP] = connect,
    ) -> None:
        self.cfg = cfg
        self._sleep = sleep
        self._connector = connector
        self._conn: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage) -> int:
        """Send ``msg``; returns the number of attempts it took. Raises :class:`SendFailure`
        (``permanent`` for a 5xx reply, else after the last retry)."""
        attempts = self.cfg.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                if self._conn is None:
                    self._conn = self._connector(self.cfg)
                refused = self._conn.send_message(msg)
                if refused:  # some recipients refused, others accepted: not retried
                    raise smtplib.SMTPRecipientsRefused(refused)
                return attempt
            except (smtplib.SMTPException, OSError) as exc:
                transient = is_transient(exc)
                self._drop()
                if not transient or attempt == attempts:
                    note = "" if not transient else f" (gave up after {attempt} tries)"
                    raise SendFailure(
                        describe(exc, self.cfg) + note, permanent=not transient, attempts=attempt
                    ) from exc
                self._sleep(self.cfg.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _drop(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            _close(conn)

    def close(self) -> None:
        self._drop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
