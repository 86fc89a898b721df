"""The keys of ``<home>/config.toml``, each declared once with its default, help and example
(:data:`FIELDS`, per user :data:`USER_FIELDS`); :mod:`paperfeed.settings` parses them. Pure
declarations, kept apart so that the loader stays small."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CONFIG_FILE = "config.toml"
SECURITY_MODES: tuple[str, ...] = ("ssl", "starttls", "none")
FREQUENCIES: tuple[str, ...] = ("daily", "weekly")
TLDR_MODES: tuple[str, ...] = ("extractive", "llm")
WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
CHANNEL_KINDS: tuple[str, ...] = ("slack", "discord", "matrix", "ntfy", "json")


class ConfigError(ValueError):
    """config.toml is unreadable or holds a bad value; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class Field:
    """One key of config.toml: dotted name, default (its type is the key's type), help text."""

    key: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    example: Any = None
    kind: type | None = None

    @property
    def type(self) -> type:
        """The value's type: ``kind``, else the default's."""
        return self.kind or type(self.default)


FIELDS: tuple[Field, ...] = (
    Field(
        "base_url",
        "http://127.0.0.1:8787",
        "Address where `paperfeed serve` is reachable by readers; rating, unsubscribe and "
        "feed links in digests start with it.",
    ),
    Field(
        "model",
        "minilm",
        "Embedding model used by daily, serve and feed (minilm or minilm-fp32; "
        "minilm-tuned:DIR for a model `paperfeed train` wrote to DIR; "
        "hashing-<dim> is a model-free stand-in for tests).",
    ),
    Field("smtp.host", "localhost", "SMTP server that sends the digests."),
    Field(
        "smtp.port",
        0,
        "SMTP port; 0 means the usual one for `security`: 465 (ssl), 587 (starttls), 25 (none).",
    ),
    Field(
        "smtp.security",
        "starttls",
        "ssl: TLS from the first byte (port 465); starttls: upgrade a plain connection "
        "(port 587); none: no encryption (only for a relay on this machine).",
        SECURITY_MODES,
    ),
    Field("smtp.username", "", "Login name; empty: do not log in.", example="digest@example.org"),
    Field(
        "smtp.password",
        "",
        "Login password (this file must then be readable only by you: chmod 600). Prefer "
        "`password_env`, which keeps the secret out of this file.",
    ),
    Field(
        "smtp.password_env",
        "",
        "Name of an environment variable that holds the login password.",
        example="PAPERFEED_SMTP_PASSWORD",
    ),
    Field(
        "smtp.from",
        "",
        "Sender of the digests, e.g. 'paperfeed <digest@example.org>' (needed to send).",
        example="paperfeed <digest@example.org>",
    ),
    Field("smtp.timeout", 30.0, "Seconds to wait for the SMTP server before giving up on a try."),
    Field(
        "smtp.retries",
        3,
        "Retries of a transient failure (a 4xx reply, a dropped connection), waiting "
        "backoff, 2×backoff, 4×backoff … seconds. Permanent (5xx) failures are not retried.",
    ),
    Field("smtp.backoff", 2.0, "Seconds before the first retry (doubled for each next one)."),
    Field(
        "smtp.ca_file",
        "",
        "PEM file of the certificate authority to trust (a private server's own CA); "
        "empty: the system's trusted certificates.",
    ),
    Field(
        "digest.frequency",
        "daily",
        "How often a digest goes out (each user can override it).",
        FREQUENCIES,
    ),
    Field("digest.weekday", "monday", "The day a weekly digest goes out.", WEEKDAYS),
    Field("digest.size", 20, "Papers in a digest (and in a feed)."),
    Field(
        "digest.sources",
        [],
        "What `paperfeed daily` fetches before ranking: 'arxiv:CATS' (the day's arXiv "
        "listing, e.g. 'arxiv:cs.LG+cs.CL'), 'hf' (Hugging Face daily papers), 'biorxiv' or "
        "'medrxiv' (what the preprint server posted the day before and on the day; "
        "'biorxiv:neuroscience+cell biology' for some subject categories only), 'file:PATH' "
        "(a JSONL or other file `paperfeed ingest` reads; relative to the home directory). "
        "Empty: rank what is stored. A digest holds the papers listed on its day (daily) or "
        "in the 7 days up to it (weekly).",
        example=["arxiv:cs.LG+cs.CL"],
    ),
    Field("digest.token_days", 30, "Days a thumbs-up/down link in a digest stays valid."),
    Field("digest.feed_days", 7, "Days of listings an RSS/Atom feed covers."),
    Field(
        "digest.feed_dir",
        "",
        "If set, `paperfeed daily` also writes each user's Atom feed into this directory "
        "(for a static web server); empty: feeds only through `paperfeed serve`.",
    ),
    Field(
        "webhooks.timeout",
        10.0,
        "Seconds a chat channel's server (Slack, Discord, Matrix, ntfy, JSON webhook) may take "
        "to answer one request before the try is given up.",
    ),
    Field(
        "webhooks.retries",
        3,
        "Retries of a request to a channel that timed out or got 429 or 5xx, waiting backoff, "
        "2×backoff … seconds, or what the server's Retry-After asks. Other 4xx are not retried.",
    ),
    Field("webhooks.backoff", 2.0, "Seconds before the first retry (doubled for each next one)."),
    Field(
        "tldr.mode",
        "extractive",
        "How each item's one-line TL;DR is made: extractive (offline: the abstract's sentence "
        "stating the contribution) or llm (written by the chat endpoint below, in the reader's "
        "language; any failure falls back to the extractive line).",
        TLDR_MODES,
    ),
    Field(
        "tldr.base_url",
        "",
        "Base URL of an OpenAI-compatible chat API (Ollama, vLLM, llama.cpp server, OpenAI); "
        "requests go to <base_url>/chat/completions.",
        example="http://127.0.0.1:11434/v1",
    ),
    Field("tldr.model", "", "The chat model's name at that endpoint.", example="llama3.1:8b"),
    Field(
        "tldr.api_key",
        "",
        "API key sent as a Bearer token (this file must then be readable only by you). Prefer "
        "`api_key_env`; a local server usually needs none.",
    ),
    Field(
        "tldr.api_key_env",
        "",
        "Name of an environment variable that holds the API key.",
        example="OPENAI_API_KEY",
    ),
    Field("tldr.language", "English", "Language of the TL;DRs (each user can override it)."),
    Field("tldr.timeout", 30.0, "Seconds one chat request may take before it is given up."),
    Field("tldr.concurrency", 4, "Chat requests in flight at once."),
    Field(
        "tldr.budget",
        100,
        "Most chat requests in one run (cached TL;DRs cost nothing); the rest are extractive.",
    ),
    Field(
        "rerank.timeout",
        60.0,
        "Seconds one re-ranking request may take (users with rerank = true: one request of "
        "up to rerank_top papers to the [tldr] chat endpoint); past it the ranker's order is "
        "kept.",
    ),
    Field(
        "rerank.budget",
        50,
        "Most re-ranking requests in one run (cached answers cost nothing); past it the "
        "ranker's order is kept.",
    ),
)

USER_FIELDS: tuple[Field, ...] = (
    Field(
        "email",
        "",
        "Where this user's digest is e-mailed: one address, or a list of them (each gets its "
        "own message). Users with neither an address nor a channel get no digest.",
    ),
    Field("frequency", None, "daily or weekly; default: digest.frequency.", FREQUENCIES, kind=str),
    Field("weekday", None, "Day of a weekly digest; default: digest.weekday.", WEEKDAYS, kind=str),
    Field("size", None, "Papers in this user's digest; default: digest.size.", kind=int),
    Field("language", None, "Language of this user's TL;DRs; default: tldr.language.", kind=str),
    Field(
        "include",
        [],
        "Keep only papers whose title or abstract holds one of these words or phrases (whole "
        "words, any case); empty: no such filter.",
        example=["diffusion", "language model"],
    ),
    Field(
        "exclude",
        [],
        "Drop papers whose title or abstract holds one of these words or phrases.",
        example=["survey"],
    ),
    Field(
        "categories",
        [],
        "Keep only papers in one of these arXiv categories (e.g. cs.LG); empty: all.",
        example=["cs.LG", "cs.CL"],
    ),
    Field("min_score", 0.0, "Drop recommendations scoring below this (0: keep all)."),
    Field(
        "muted",
        [],
        "Names of interests (as `paperfeed interests` lists them) whose papers are not shown.",
    ),
    Field(
        "show_again",
        False,
        "Let papers shown in an earlier digest appear again (default: each paper once).",
    ),
    Field(
        "interest_statement",
        "",
        "What this user wants to read, in their own words; guides the re-ranking (rerank).",
        example="Sample-efficient reinforcement learning for robots; no surveys.",
    ),
    Field(
        "rerank",
        False,
        "Let the chat endpoint of [tldr] (base_url, model, key) re-order the ranker's top "
        "papers by interest_statement; any failure keeps the ranker's order (default false).",
    ),
    Field("rerank_top", 20, "How many of the ranker's top papers the model re-orders (2-100)."),
    Field(
        "trending",
        True,
        "Add 'Trending in your interests' to digests, feeds and the web feed: papers with many "
        "or fast-rising Hugging Face upvotes that suit this user (shown only when the store "
        "has upvote data).",
    ),
    Field("trending_days", 7, "Days of listings the trending section looks at."),
    Field("trending_top", 3, "Most papers in the trending section (0: none)."),
)

CHANNEL_FIELDS: tuple[Field, ...] = (
    Field("kind", "", "Where the digest is posted.", CHANNEL_KINDS),
    Field(
        "name",
        "",
        "Name in the run's status lines and in what `daily` records as delivered (lowercase "
        "letters, digits, - and _); default: the kind (slack, slack-2, … for a second of one "
        "kind).",
    ),
    Field(
        "url",
        "",
        "slack/discord: the incoming-webhook URL; matrix: the homeserver (https://matrix.org); "
        "ntfy: the topic URL (https://ntfy.sh/TOPIC); json: the URL the digest is POSTed to.",
    ),
    Field(
        "url_env",
        "",
        "Name of an environment variable holding the url instead (a webhook URL is a secret).",
    ),
    Field("room", "", "matrix: the room id (!abc123:example.org), not its #alias."),
    Field(
        "token",
        "",
        "matrix: the access token (needed); ntfy and json: sent as a Bearer token (optional).",
    ),
    Field("token_env", "", "Name of an environment variable holding the token instead."),
    Field(
        "ratings",
        True,
        "Put the one-click 👍/👎 rating links in the message (default: yes, except for ntfy, "
        "whose topics anyone who knows the name can read). Set false for a shared room.",
        kind=bool,
    ),
)
"""The keys of one ``[[users.NAME.channels]]`` table."""
