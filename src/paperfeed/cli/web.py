"""``paperfeed web`` (alias ``serve``): the web app — pages, the JSON API and the links of
digests and feeds — on Uvicorn."""

from __future__ import annotations

import logging

import click

from paperfeed.cli import common
from paperfeed.cli.common import log_to_stderr, user_errors

LOCAL = ("127.0.0.1", "localhost", "::1")


def _web_command(name: str, port: int, help_text: str) -> click.Command:
    """``web`` and its alias ``serve`` (whose default port is the one mailed links use)."""

    @click.command(name, help=help_text)
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option(
        "--port", type=click.IntRange(0, 65535), default=port, show_default=True, help="Port."
    )
    @click.option("--allow-signup", is_flag=True, help="Let visitors create accounts.")
    @click.option(
        "--behind-proxy",
        is_flag=True,
        help="Behind a TLS reverse proxy on this machine: Secure cookies, X-Forwarded-* trusted.",
    )
    @click.pass_context
    @user_errors
    def command(
        ctx: click.Context, host: str, port: int, allow_signup: bool, behind_proxy: bool
    ) -> None:
        from paperfeed.services.rerank import check_rerank
        from paperfeed.web.app import create_app
        from paperfeed.web.serve import make_server

        log_to_stderr(logging.INFO)
        lib = common.app(ctx)
        _ = lib.embedder  # an unknown model fails now, in one line
        settings = common.config(ctx)
        check_rerank(settings)  # so does a re-ranking without its endpoint
        app = create_app(
            settings, allow_signup=allow_signup, behind_proxy=behind_proxy, library=lib
        )
        server = make_server(app, host=host, port=port, proxy=behind_proxy)
        if host not in LOCAL and not behind_proxy:
            click.echo(
                f"note: listening on {host}, not only this machine; serve it over HTTPS "
                "(a reverse proxy, then --behind-proxy) since sessions and links carry secrets",
                err=True,
            )
        base = settings.delivery.base_url
        click.echo(f"serving on {server.url} (links use {base}); Ctrl-C stops", nl=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
        finally:
            server.server_close()

    return command


web_cmd = _web_command(
    "web",
    8000,
    "The web app: sign in, feed, search, profile, interest map, settings and ratings in a "
    "browser, the JSON API under /api/v1, and the links of digests and feeds (/rate/TOKEN, "
    "/unsubscribe/TOKEN, /feed/TOKEN.xml). Create accounts with `paperfeed users add`.",
)
serve_cmd = _web_command(
    "serve",
    8787,
    "The web app (an alias of `web`) on the port of the links in digests and feeds: "
    "/rate/TOKEN (a confirmation page; the rating is recorded on its button), "
    "/unsubscribe/TOKEN and /feed/TOKEN.xml (Atom; .rss for RSS 2.0; /feed/TOKEN/N.xml for "
    "interest N). Set base_url in config.toml to the address readers reach it at (behind a "
    "TLS reverse proxy when that is not this machine).",
)

COMMANDS: tuple[click.Command, ...] = (web_cmd, serve_cmd)
