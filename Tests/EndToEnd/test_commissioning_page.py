"""The commissioning page in headless Chromium (Debian's chromium and chromium-driver) against the real daemon on
the simulated site: it renders every compartment, follows the live event stream, drives the simulated board
(door, card, load), and an unlock from the page (confirmation and a reason) reaches the simulated lock and the
audit log. A screenshot per state goes to the test's tmp_path and to .build/screenshots/ for people to look at."""
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from central_system import CentralSystem
from conftest import free_port
from test_sessions import OWNER, session_site, start_daemon
from test_simulated_hardware import compartment, eventually, line

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS_FOR_PEOPLE = Path(__file__).resolve().parents[2] / ".build" / "screenshots"


@pytest.fixture
def central():
    system = CentralSystem(free_port()).start()
    system.id_tags[OWNER] = {"status": "Accepted"}
    yield system
    system.stop()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,1500", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    except WebDriverException as error:
        pytest.fail(f"headless Chromium did not start ({error.msg}); `make deps-system` installs chromium and "
                    f"chromium-driver")
    yield driver
    driver.quit()


class Page:
    def __init__(self, driver, folder):
        self.driver = driver
        self.folder = folder
        self.shots = 0

    def wait(self, condition, timeout=20, message=""):
        # Tables are redrawn every few seconds: an element found a moment ago may be gone; look again.
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition(), message)

    def text(self, css):
        """The text of the element now (one lookup in the page, so a redraw in between cannot matter)."""
        return self.driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.textContent : null",
                                          css)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def card(self, name):
        return self.find(f'[data-compartment="{name}"]')

    def field(self, name, field):
        return self.card(name).find_element(By.CSS_SELECTOR, f'[data-field="{field}"]').text

    def button(self, name, action):
        return self.card(name).find_element(By.CSS_SELECTOR, f'[data-action="{action}"]')

    def screenshot(self, state):
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{state}.png"
        # The whole page, not only the window.
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1400, max(900, min(int(height) + 120, 4000)))
        assert self.driver.save_screenshot(str(path)), f"no screenshot for {state}"
        SCREENSHOTS_FOR_PEOPLE.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS_FOR_PEOPLE / path.name)
        return path


def test_the_page_renders_drives_the_board_and_unlocks_with_a_reason(daemon_factory, central, browser, tmp_path):
    daemon = start_daemon(daemon_factory, session_site(tmp_path, central), central)
    folder = tmp_path / "screenshots"
    folder.mkdir()
    page = Page(browser, folder)

    browser.get(f"http://127.0.0.1:{daemon.port}/")
    page.wait(lambda: browser.current_url.endswith("/ui/"), message="/ redirects to the page")
    page.wait(lambda: "Paste the API token" in page.find("#message").text)
    page.screenshot("token-prompt")

    # A wrong token is refused with a message that says what to paste.
    page.find("#token").send_keys("not-the-token")
    page.find("#connect").click()
    page.wait(lambda: "token was not accepted" in page.find("#message").text)

    page.find("#token").clear()
    page.find("#token").send_keys(daemon.token)
    page.find("#connect").click()
    page.wait(lambda: len(browser.find_elements(By.CSS_SELECTOR, "[data-compartment]")) == 12,
              message="a card per compartment")
    page.wait(lambda: page.find("#live").text == "live: on", message="the event stream is followed")
    page.wait(lambda: page.find("#uplink").text.startswith("uplink: connected"))
    page.wait(lambda: len(browser.find_elements(By.CSS_SELECTOR, "#meters tbody tr")) > 0)
    assert "SIM-LOCKER" in page.find("#station").text and "(simulated)" in page.find("#station").text
    assert (page.field("A1", "door"), page.field("A1", "lock"), page.field("A1", "relay"), page.field("A1", "status")) \
        == ("closed", "locked", "off", "Available")
    assert not page.find("#simulation").get_attribute("hidden")
    assert browser.execute_script("return sessionStorage.getItem('edgeAgentToken')") == daemon.token
    page.screenshot("site")

    # Unlock from the page: the dialog insists on a reason, then the lock moves and the audit log has it.
    page.button("A1", "unlock").click()
    page.wait(lambda: page.find("#unlock-dialog").get_attribute("open") is not None)
    page.find("#unlock-confirm").click()
    page.wait(lambda: "A reason is required" in page.find("#unlock-error").text)
    page.screenshot("unlock-needs-a-reason")
    assert compartment(daemon, "A1")["lock"] == "locked", "nothing happens without a reason"
    page.find("#unlock-reason").send_keys("commissioning: door check from the page")
    page.screenshot("unlock-confirm")
    page.find("#unlock-confirm").click()
    page.wait(lambda: "A1 unlocked" in page.find("#message").text, message="the page reports the confirmed unlock")
    page.wait(lambda: page.field("A1", "lock") == "unlocked", message="the card follows the stream")
    assert line(daemon, "LOCKED1")["active"] is False, "the simulated latch released (its feedback line)"
    _, events = daemon.get("/v1/events?limit=20")
    assert any(e["kind"] == "unlockConfirmed" and e.get("compartment") == "A1" for e in events["events"])
    _, audit = daemon.get("/v1/audit?action=unlock&limit=5")
    record = audit["records"][0]
    assert (record["actor"], record["target"], record["reason"]) == \
        ("operator:local-api", "A1", "commissioning: door check from the page")
    page.wait(lambda: "commissioning: door check from the page" in page.find("#audit").text)
    page.screenshot("unlocked")

    # The simulated board from the page: open and close the door, then a card starts a session.
    page.button("A1", "door").click()
    page.wait(lambda: page.field("A1", "door") == "open")
    assert eventually(lambda: compartment(daemon, "A1")["door"] == "open")
    page.screenshot("door-open")
    page.button("A1", "door").click()
    page.wait(lambda: page.field("A1", "door") == "closed" and page.field("A1", "status") == "Preparing")
    page.screenshot("door-closed-preparing")
    page.find("#card-idtag").send_keys(OWNER)
    page.find("#card-present").click()
    page.wait(lambda: page.field("A1", "status") == "Charging", timeout=30, message="the card starts the session")
    assert page.field("A1", "relay") == "on" and page.field("A1", "session").startswith("charging ****")
    assert compartment(daemon, "A1")["status"] == "Charging"
    page.wait(lambda: "session started A1" in page.find("#events").text)

    # A load on A1's meter from the page shows in the meters table.
    row = page.find('#loads [data-unit="11"]')
    row.find_element(By.CSS_SELECTOR, "input").send_keys("320")
    row.find_element(By.CSS_SELECTOR, "button").click()
    page.wait(lambda: page.text('#meters tr[data-meter="A1"] td:nth-child(3)') == "320",
              timeout=30, message="the meter reads the load set on the page")
    page.screenshot("charging")

    # An SMS to the simulated modem from the page: the daemon's answer shows among the sent texts.
    assert not page.find("#sms-form").get_attribute("hidden"), "the simulated site has a simulated modem"
    page.find("#sms-from").send_keys("+491701234567")
    page.find("#sms-text").send_keys("help")
    page.find("#sms-send").click()
    page.wait(lambda: "+491701234567" in page.find("#sms-sent").text, timeout=45, message="the help reply was sent")
    page.screenshot("sms-answered")

    shots = sorted(p.name for p in folder.iterdir())
    assert len(shots) == page.shots >= 7
