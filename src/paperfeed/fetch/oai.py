"""Resumable arXiv OAI-PMH harvesting (``ListRecords``, ``arXiv`` or ``arXivRaw`` metadata).

After each page has been handed to the caller (and so stored), its resumption token is
written to a small JSON state file (temporary file + rename, so a crash never leaves half
a file). A harvest that stopped — crash, Ctrl-C, ``max_pages`` — resumes from that token
the next time it runs with the same parameters; a finished one removes its state file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from paperfeed.fetch.common import complete_xml
from paperfeed.fetch.http import FetchError, HttpClient
from paperfeed.sources import ParseIssue, ParseResult, parse_oai

OAI_URL = "https://oaipmh.arxiv.org/oai"
PREFIXES = ("arXiv", "arXivRaw", "oai_dc")
FORMAT = "arxiv-oai"


@dataclass
class HarvestSummary:
    """What one :func:`harvest` run did."""

    pages: int = 0
    records: int = 0
    complete: bool = False
    resumed: bool = False
    state_path: Path | None = None
    issues: list[ParseIssue] = field(default_factory=list)


def _check_date(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise FetchError(f"OAI-PMH: {name} must be a date YYYY-MM-DD, not {value!r}") from None


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (atomic on POSIX)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class OaiHarvest:
    """One ListRecords harvest: its parameters, state file and pages."""

    def __init__(
        self,
        client: HttpClient,
        *,
        metadata_prefix: str = "arXiv",
        set_spec: str | None = None,
        from_date: str | None = None,
        until: str | None = None,
        state_dir: Path | None = None,
        base_url: str = OAI_URL,
    ) -> None:
        if metadata_prefix not in PREFIXES:
            raise FetchError(
                f"OAI-PMH: metadata prefix must be one of {', '.join(PREFIXES)}, "
                f"not {metadata_prefix!r}"
            )
        self.client = client
        self.base_url = base_url
        self.params: dict[str, str] = {"metadataPrefix": metadata_prefix}
        if set_spec:
            self.params["set"] = set_spec
        f, u = _check_date(from_date, "from"), _check_date(until, "until")
        if f:
            self.params["from"] = f
        if u:
            self.params["until"] = u
        if f and u and f > u:
            raise FetchError(f"OAI-PMH: from ({f}) is after until ({u})")
        self.state_dir = Path(state_dir) if state_dir is not None else None

    @property
    def key(self) -> str:
        """Stable name of this harvest (base URL and parameters)."""
        raw = json.dumps([self.base_url, self.params], sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    @property
    def state_path(self) -> Path | None:
        if self.state_dir is None:
            return None
        return self.state_dir / f"oai-{self.key}.json"

    def load_state(self) -> dict[str, Any] | None:
        """The saved state of an unfinished harvest, or None."""
        path = self.state_path
        if path is None or not path.exists():
            return None
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise FetchError(
                f"{path}: unreadable harvest state ({exc}); delete it or use --restart"
            ) from None
        if not isinstance(state, dict) or not isinstance(state.get("token"), str):
            raise FetchError(f"{path}: not a harvest state file; delete it or use --restart")
        return state

    def _save(self, token: str, pages: int, records: int, started: str) -> None:
        path = self.state_path
        if path is None:
            return
        write_json_atomic(
            path,
            {
                "base_url": self.base_url,
                "params": self.params,
                "token": token,
                "pages": pages,
                "records": records,
                "started": started,
                "updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )

    def clear(self) -> None:
        """Forget a saved state (the next run starts from the beginning)."""
        if self.state_path is not None:
            self.state_path.unlink(missing_ok=True)

    def _fetch(self, params: dict[str, str], label: str) -> tuple[ParseResult, str | None]:
        resp = self.client.get(
            self.base_url, params=params, what="arXiv OAI-PMH", validate=complete_xml
        )
        result, token = parse_oai(resp.text, filename=label)
        for issue in result.issues:
            if "OAI-PMH error badResumptionToken" in issue.message:
                raise FetchError(
                    "arXiv OAI-PMH: the saved resumption token has expired; "
                    "start the harvest again (--restart)"
                )
            if issue.message.startswith("OAI-PMH error"):
                raise FetchError(f"arXiv OAI-PMH: {issue.message.removeprefix('OAI-PMH error ')}")
        return result, token

    def run(
        self,
        on_page: Callable[[ParseResult], None],
        *,
        max_pages: int | None = None,
        restart: bool = False,
    ) -> HarvestSummary:
        """Fetch pages until the list ends (or ``max_pages``), calling ``on_page`` with each
        page's papers *before* its token is saved: a crash in between re-fetches that page
        next time (storing it twice changes nothing)."""
        if restart:
            self.clear()
        state = self.load_state()
        summary = HarvestSummary(state_path=self.state_path)
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        token: str | None = None
        pages_before = records_before = 0
        if state is not None:
            token = state["token"]
            pages_before = int(state.get("pages", 0))
            records_before = int(state.get("records", 0))
            started = str(state.get("started", started))
            summary.resumed = True
        while max_pages is None or summary.pages < max_pages:
            number = pages_before + summary.pages + 1
            if token:
                params = {"verb": "ListRecords", "resumptionToken": token}
            else:
                params = {"verb": "ListRecords", **self.params}
            result, next_token = self._fetch(params, f"OAI-PMH page {number}")
            on_page(result)
            summary.pages += 1
            summary.records += len(result.papers)
            summary.issues.extend(result.issues)
            if not next_token:
                summary.complete = True
                self.clear()
                break
            token = next_token
            self._save(
                token, pages_before + summary.pages, records_before + summary.records, started
            )
        return summary


def harvest(
    client: HttpClient,
    on_page: Callable[[ParseResult], None],
    *,
    metadata_prefix: str = "arXiv",
    set_spec: str | None = None,
    from_date: str | None = None,
    until: str | None = None,
    state_dir: Path | None = None,
    max_pages: int | None = None,
    restart: bool = False,
    base_url: str = OAI_URL,
) -> HarvestSummary:
    """Harvest arXiv OAI-PMH ListRecords, resumably (see :class:`OaiHarvest`)."""
    h = OaiHarvest(
        client,
        metadata_prefix=metadata_prefix,
        set_spec=set_spec,
        from_date=from_date,
        until=until,
        state_dir=state_dir,
        base_url=base_url,
    )
    return h.run(on_page, max_pages=max_pages, restart=restart)
