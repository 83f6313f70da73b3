"""A real browser through the dashboard: Debian's Chromium, headless, driven by Selenium.

olivia logs in with Discord (the sandbox's real OAuth2 consent page), opens Muster HQ's
overview, creates an event with the form, and a Celery worker posts it in the sandbox's
channel. Each page is saved as a screenshot under ``var/screenshots/`` for a person to look at.
``make test`` installs ``chromium`` and ``chromium-driver`` (``scripts/system_deps.sh browser``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.processes import celery_worker_argv

from .conftest import CALLBACK, CLIENT_SECRET

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMEDRIVER).exists(), reason="needs chromium-driver (scripts/system_deps.sh browser)"
    ),
]


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def arrive(driver, url: str, *, exact: bool = False) -> None:
    """Wait until the browser has followed a click's redirects to ``url`` (a prefix unless ``exact``)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    condition = expected_conditions.url_to_be if exact else expected_conditions.url_contains
    WebDriverWait(driver, 15).until(condition(url), f"never reached {url}; at {driver.current_url}")


def snap(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def wait_for_event(title: str, timeout: float = 15):
    """The event the live server's thread created, once its transaction committed."""
    from events.models import Event

    deadline = time.monotonic() + timeout
    while (event := Event.objects.filter(title=title).first()) is None:
        assert time.monotonic() < deadline, f"the event {title!r} was not created within {timeout} s"
        time.sleep(0.1)
    return event


def allow_live_server_login(world, live_server, settings) -> None:
    """The live server speaks plain HTTP on localhost (a secure context for Chromium, so the
    Secure cookies hold): allauth builds its callback with http, registered next to the test client's."""
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
    callback = f"{live_server.url}/accounts/discord/login/callback/"
    world.control.register_oauth2_application(CLIENT_SECRET, [CALLBACK, callback])


def log_in_as_olivia(browser, world, live_server, *, shots: bool = True) -> None:
    """Log in with Discord: our page, the sandbox's consent page (olivia ticked), back to the guilds."""
    from selenium.webdriver.common.by import By

    browser.get(f"{live_server.url}/accounts/discord/login/?next=/dashboard/")
    if shots:
        snap(browser, "01-login")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()
    arrive(browser, f"{world.url}/oauth2/authorize")
    browser.find_element(By.XPATH, "//label[small[text()='@olivia']]/input").click()
    if shots:
        snap(browser, "02-discord-consent")
    browser.find_element(By.CSS_SELECTOR, "button[value=authorize]").click()
    arrive(browser, f"{live_server.url}/dashboard/", exact=True)


def test_an_organiser_logs_in_and_creates_an_event_that_is_posted(
    world, live_server, settings, browser, start_process, process_env, flush_redis
):
    from selenium.webdriver.common.by import By

    allow_live_server_login(world, live_server, settings)
    hq = world.cast.guild
    channel_id = int(world.control.guild(hq.id)["channels"][0]["id"])
    hq.announcement_channel_id = channel_id
    hq.save()
    env = {**process_env, "DISCORD_TOKEN": "dashboard-bot-token", "DISCORD_API_BASE": settings.DISCORD_API_BASE}
    worker = start_process(celery_worker_argv(hostname="dashboard-browser"), env, "worker")
    worker.wait_for_output(r"ready\.", timeout=60)

    log_in_as_olivia(browser, world, live_server)
    snap(browser, "03-guilds")

    browser.find_element(By.LINK_TEXT, "Muster HQ").click()
    arrive(browser, f"{live_server.url}/dashboard/g/{hq.id}/", exact=True)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Muster HQ"
    snap(browser, "04-guild-overview")
    browser.find_element(By.LINK_TEXT, "Create an event").click()
    arrive(browser, f"/dashboard/g/{hq.id}/events/new/")
    browser.find_element(By.NAME, "title").send_keys("Browser picnic")
    browser.find_element(By.NAME, "start").send_keys("in 3 days")
    browser.find_element(By.NAME, "capacity").send_keys("12")
    snap(browser, "05-event-form")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    event = wait_for_event("Browser picnic")
    arrive(browser, f"/dashboard/g/{hq.id}/events/{event.id}/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Browser picnic"
    assert "Created; the event is posted in Discord." in browser.page_source
    snap(browser, "06-event")

    [post] = world.control.wait_for_message(channel_id, count=1, timeout=30)
    assert "Browser picnic" in str(post["embeds"])
    browser.refresh()
    snap(browser, "07-event-after-post")
    browser.find_element(By.LINK_TEXT, "Overview").click()
    arrive(browser, f"{live_server.url}/dashboard/g/{hq.id}/", exact=True)
    assert browser.find_element(By.LINK_TEXT, "Browser picnic")
    assert browser.find_element(By.CSS_SELECTOR, "span.bar svg").get_attribute("aria-label") == "0/12 going"
    snap(browser, "08-guild-overview-with-the-event")


def test_an_organiser_picks_a_date_polls_date_and_the_event_is_made_with_its_voters(
    world, live_server, settings, browser
):
    """Pick this date on the poll's page (/poll decide on the web): no worker needed, the
    event and its registrations are written by the click; Discord hears of them through the outbox."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone
    from selenium.webdriver.common.by import By

    from events.models import Event
    from polls import date_polls, services
    from polls.date_polls import DatePollDraft
    from tests.factories import GuildMemberFactory

    allow_live_server_login(world, live_server, settings)
    hq, now = world.cast.guild, timezone.now()
    channel_id = int(world.control.guild(hq.id)["channels"][0]["id"])
    starts = [(now + timedelta(days=days)).replace(second=0, microsecond=0) for days in (4, 5)]
    draft = DatePollDraft(title="Board games", starts=starts, capacity=1, duration=timedelta(hours=2))
    poll = date_polls.create_date_poll(hq, draft, ZoneInfo("Europe/Paris"), now=now, channel_id=channel_id)
    first, second = poll.options.order_by("position")
    alice, bob, carol = world.cast.member.member_id, *(GuildMemberFactory(guild=hq).member_id for _ in range(2))
    for seconds, (voter, option) in enumerate(((alice, second), (bob, second), (carol, first)), 1):
        services.vote(poll.id, option.id, voter, now=now + timedelta(seconds=seconds))

    log_in_as_olivia(browser, world, live_server, shots=False)
    browser.get(f"{live_server.url}/dashboard/g/{hq.id}/polls/{poll.id}/")
    snap(browser, "20-date-poll")
    row = browser.find_element(By.XPATH, f"//tr[td[1][normalize-space()='{second.label}']]")
    row.find_element(By.XPATH, ".//button[normalize-space()='Pick this date']").click()
    event = wait_for_event("Board games")
    arrive(browser, f"/dashboard/g/{hq.id}/events/{event.id}/")
    snap(browser, "21-date-picked")

    assert (
        f"Picked {second.label}: the event is posted in Discord, 2 voters registered as going in vote order; "
        "1 who voted only for other dates are told." in browser.find_element(By.TAG_NAME, "main").text
    )
    assert event.starts_at == second.starts_at
    assert dict(event.registrations.values_list("member_id", "status")) == {alice: "going", bob: "waitlisted"}
    browser.get(f"{live_server.url}/dashboard/g/{hq.id}/polls/{poll.id}/")
    assert f"Date chosen: {second.label}" in browser.page_source
    assert not browser.find_elements(By.XPATH, "//button[normalize-space()='Pick this date']")
    assert Event.objects.count() == 1
