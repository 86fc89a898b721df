"""The web app in a real Chromium (Playwright, Debian's /usr/bin/chromium): sign in, upload a
BibTeX file, the explained feed, 👎 in place changing the next ranking, the interest map, a
hostile title that stays text, and a second user who sees none of the first's data. Every
page is saved under out/screenshots/."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from web_world import HF_ID, PASSWORD, XSS_ID, World, bibtex, make_world

from paperfeed.services.accounts import Accounts
from paperfeed.web.serve import make_server

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("no Chromium at /usr/bin/chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    world = make_world(tmp_path_factory.mktemp("browser") / "home")
    Accounts(world.lib.store).add("cyd", "cyd@example.org", PASSWORD)
    Accounts(world.lib.store).add("dan", "dan@example.org", PASSWORD)
    world.lib.profile_add("dan", ["2608.20001"])
    server = make_server(world.app, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield world, server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        world.lib.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def sign_in(browser: object, url: str, user: str) -> object:
    page = browser.new_page(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(f"{url}/")
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def loneliest(points: list[dict[str, object]]) -> dict[str, object]:
    """The map point farthest from any other (hovering it can only mean it)."""

    def gap(p: dict[str, object]) -> float:
        return min(
            (float(p["x"]) - float(q["x"])) ** 2 + (float(p["y"]) - float(q["y"])) ** 2  # type: ignore[arg-type]
            for q in points
            if q is not p
        )

    return max(points, key=gap)


def test_a_new_user_uploads_rates_searches_and_maps(
    site: tuple[World, str], browser: object, tmp_path: Path
) -> None:
    world, url = site
    login = browser.new_page()  # type: ignore[attr-defined]
    login.goto(f"{url}/login")
    shot(login, "login")
    page = sign_in(browser, url, "cyd")
    assert "Your profile of 'cyd' is empty" in page.content() or "empty" in page.content()
    bib = tmp_path / "library.bib"
    bib.write_text(bibtex("graphs") + bibtex("speech"), encoding="utf-8")
    page.goto(f"{url}/profile")
    page.set_input_files("input[name=file]", str(bib))
    page.click("form.add button[type=submit]")
    summary = page.locator(".summary").inner_text()
    assert summary.startswith("library.bib: read 6, 6 new") and "6 added to profile" in summary
    shot(page, "profile")

    page.goto(f"{url}/?when=week")
    items = page.locator("article.item")
    assert items.count() > 5 and "Closest to your paper" in page.content()
    shot(page, "feed")
    first = items.first.get_attribute("data-paper")
    items.first.locator("button[value=down]").click()
    page.locator("article.item").first.locator(".status", has_text="saved: down").wait_for()
    assert world.lib.store.ratings("cyd") == {first: "down"}
    page.reload()
    assert first not in [a.get_attribute("data-paper") for a in page.locator("article.item").all()]

    page.goto(f"{url}/search?q=tactile+grasping")
    assert page.locator("article.item").count() > 0
    shot(page, "search")
    page.locator("article.item h3 a").first.click()
    assert page.locator("h2", has_text="Similar papers").count() == 1
    shot(page, "paper")

    page.goto(f"{url}/map")
    page.locator("#map[data-ready]").wait_for(state="attached")
    drawn = int(page.locator("#map").get_attribute("data-points"))
    assert drawn > len(world.lib.profile("cyd")) == 6  # the profile and the feed
    assert "papers, drawn in" in page.locator("#map-status").inner_text()
    assert page.evaluate("performance.getEntriesByName('map-drawn').length") == 1
    answer = page.request.get(f"{url}/api/v1/map").json()
    legend = answer["interests"]  # a colour and a name for each interest on the map
    assert legend and [i["number"] for i in legend] == sorted(
        {p["interest"] for p in answer["points"]}
    )
    items = page.locator("#map-legend li")
    assert items.count() == len(legend)
    assert items.first.inner_text() == f"{legend[0]['number']}. {legend[0]['name']}"
    point = loneliest(answer["points"])
    box = page.locator("#map").bounding_box()
    x = box["x"] + (24 + (point["x"] + 1) / 2 * (900 - 48)) * box["width"] / 900
    y = box["y"] + (24 + (1 - point["y"]) / 2 * (600 - 48)) * box["height"] / 600
    page.mouse.move(x, y)
    assert page.locator("#tip").inner_text() == point["title"]  # hover: the title
    shot(page, "map")
    page.mouse.click(x, y)  # click: the paper's page
    page.wait_for_url(f"{url}/papers/{point['id']}")
    for name in ("settings", "ratings"):
        page.goto(f"{url}/{name}")
        shot(page, name)
    assert page.errors == []


def test_hostile_title_renders_as_text_and_runs_nothing(
    site: tuple[World, str], browser: object
) -> None:
    _, url = site
    page = sign_in(browser, url, "ada")
    page.goto(f"{url}/papers/{XSS_ID}")
    assert page.evaluate("window.__pwned") is None
    heading = page.locator("h1").inner_text()
    assert heading.startswith("<img src=x onerror=") and "<script>" in heading
    assert page.locator("main img").count() == 0
    shot(page, "hostile-title")
    page.goto(f"{url}/search?q=graph+neural+networks+message+passing")
    assert page.evaluate("window.__pwned") is None
    page.goto(f"{url}/papers/{HF_ID}")
    link = page.locator("a.hf")
    assert link.get_attribute("href") == f"https://huggingface.co/papers/{HF_ID}"
    shot(page, "paper-hf")


def test_rating_works_with_javascript_off(site: tuple[World, str], browser: object) -> None:
    world, url = site
    context = browser.new_context(  # type: ignore[attr-defined]
        java_script_enabled=False, viewport={"width": 1100, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{url}/login?next=/search%3Fq%3Drobot%2Bgrasping")
    page.fill("input[name=username]", "dan")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/search?q=robot+grasping")
    item = page.locator("article.item").nth(1)
    pid = item.get_attribute("data-paper")
    assert pid and pid not in world.lib.store.ratings("dan")
    item.locator("button[value=up]").click()
    page.wait_for_url(f"{url}/search?q=robot+grasping#p-{pid}")  # back, at the paper
    assert world.lib.store.ratings("dan")[pid] == "up"
    button = page.locator(f"[id='p-{pid}'] button[value=up]")
    assert "on" in (button.get_attribute("class") or "").split()
    assert button.get_attribute("aria-pressed") == "true"
    shot(page, "search-no-js")
    button.click()  # a second click takes it back
    page.wait_for_url(f"{url}/search?q=robot+grasping#p-{pid}")
    assert pid not in world.lib.store.ratings("dan")
    page.goto(f"{url}/?since=2026-08-11")
    shown = page.locator("article.item").count()
    page.click("#hide-shown")
    page.wait_for_url(f"{url}/?since=2026-08-11")
    assert page.locator("article.item").count() < shown
    context.close()


def test_the_second_user_sees_none_of_the_first_users_data(
    site: tuple[World, str], browser: object
) -> None:
    world, url = site
    page = sign_in(browser, url, "bob")
    page.goto(f"{url}/profile")
    text = page.content()
    assert "My graphs paper" not in text and "cyd" not in page.locator("main").inner_text()
    page.goto(f"{url}/ratings")
    assert "No ratings yet." in page.content()
    page.goto(f"{url}/settings")
    assert "cyd@example.org" not in page.content()
    res = page.request.delete(f"{url}/api/v1/profile/2608.00001")
    assert res.status == 403  # no CSRF header: refused before anything is looked up
    assert "2608.00001" in {p.id for p in world.lib.profile("ada")}
