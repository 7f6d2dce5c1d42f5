#!/usr/bin/env python3
"""The reset form's states in real headless Chromium (issue 15, item 4): the show/hide buttons (mouse
and keyboard), the rules checked as you type, a server refusal shown in the error summary with the
focus on it, success, the expired link, and the same refusal without script (a second browser with
JavaScript turned off) answered with a page.

Prints `PASS <name>` / `FAIL <name>: <reason>` lines and `DONE`; exits 1 at the first failure.
Screenshots (800x600) go to --screenshots. Run by ResetPressBrowserTests.ResetFormBrowserTests.
"""
import argparse
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser_flows import check, console_problems, request_reset, reset_link, run_in_browser, wait_until


def start_browser(options, javascript=True):
    chrome = webdriver.ChromeOptions()
    chrome.binary_location = options.chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=800,600", "--hide-scrollbars", "--no-first-run", "--password-store=basic"):
        chrome.add_argument(argument)
    if not javascript:
        chrome.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    chrome.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(options.chromedriver), options=chrome)
    # --window-size sizes the window; the viewport (what a screenshot shows) is set through DevTools.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 800, "height": 600, "deviceScaleFactor": 1, "mobile": False})
    return driver


def screenshot(driver, options, name):
    os.makedirs(options.screenshots, exist_ok=True)
    path = os.path.join(options.screenshots, name)
    driver.save_screenshot(path)
    print(f"SCREENSHOT {path}", flush=True)


def by_id(driver, name):
    return driver.find_element(By.ID, name)


def classes(element):
    return (element.get_attribute("class") or "").split()


def active_id(driver):
    return driver.switch_to.active_element.get_attribute("id")


def erase(field):
    """Empties a field as a person does (select all, delete), so the page sees the input."""
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)


def scroll_to_top(driver):
    driver.execute_script("window.scrollTo(0, 0);")


def toggles(driver):
    for field in ("new_password", "confirm_password"):
        toggle = by_id(driver, field + "-toggle")
        check(f"toggle: {field} has a visible button", toggle.is_displayed() and toggle.tag_name == "button")
        check(f"toggle: {field} starts hidden", by_id(driver, field).get_attribute("type") == "password"
              and toggle.get_attribute("aria-pressed") == "false")
    password = by_id(driver, "new_password")
    password.send_keys("Sh0w me")
    by_id(driver, "new_password-toggle").click()
    check("toggle: a click shows the password", password.get_attribute("type") == "text"
          and by_id(driver, "new_password-toggle").get_attribute("aria-pressed") == "true")
    by_id(driver, "new_password-toggle").click()
    check("toggle: a second click hides it", password.get_attribute("type") == "password"
          and by_id(driver, "new_password-toggle").get_attribute("aria-pressed") == "false")
    erase(password)
    # Keyboard only: Tab from the field reaches its button; Space and Enter press it.
    confirmation = by_id(driver, "confirm_password")
    confirmation.click()
    confirmation.send_keys(Keys.TAB)
    check("toggle: Tab reaches the button", active_id(driver) == "confirm_password-toggle", active_id(driver))
    driver.switch_to.active_element.send_keys(Keys.SPACE)
    check("toggle: Space shows the password", confirmation.get_attribute("type") == "text"
          and by_id(driver, "confirm_password-toggle").get_attribute("aria-pressed") == "true")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    check("toggle: Enter hides it again", confirmation.get_attribute("type") == "password"
          and by_id(driver, "confirm_password-toggle").get_attribute("aria-pressed") == "false")


def in_french(driver, link):
    """The live link with `locale=fr`: the page and the script's live check speak French (issue 14)."""
    driver.get(link + "&locale=fr")
    wait_until(driver, "french: token removed from the address bar", lambda d: "code=" not in d.current_url)
    check("french: the page is French", driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
          and driver.find_element(By.TAG_NAME, "h1").text == "Choisissez un nouveau mot de passe")
    by_id(driver, "new_password").send_keys("abc")
    hint = by_id(driver, "hint").text
    check("french: the script's live check is French", "Encore" in hint and "caractères" in hint, hint)
    erase(by_id(driver, "new_password"))


def live_rules(driver, options):
    password = by_id(driver, "new_password")
    confirmation = by_id(driver, "confirm_password")
    length, match = by_id(driver, "rule-length"), by_id(driver, "rule-match")
    check("rules: shown before typing", "characters" in length.text and match.is_displayed()
          and "met" not in classes(length) and "unmet" not in classes(length))
    password.send_keys("abc")
    check("rules: too short is marked while typing", "unmet" in classes(length), classes(length))
    check("rules: the hint counts what is missing", "more characters needed" in by_id(driver, "hint").text, by_id(driver, "hint").text)
    password.send_keys("defgh-long")
    check("rules: long enough is marked met", "met" in classes(length) and "unmet" not in classes(length), classes(length))
    confirmation.send_keys("abcdefgh-lo")
    check("rules: a differing repeat is marked", "unmet" in classes(match), classes(match))
    scroll_to_top(driver)
    screenshot(driver, options, "form-typing.png")
    confirmation.send_keys("ng")
    check("rules: matching fields are marked met", "met" in classes(match) and "unmet" not in classes(match), classes(match))
    check("rules: the hint says both are fine", "match" in by_id(driver, "hint").text, by_id(driver, "hint").text)
    check("rules: the state is spoken too", length.find_element(By.CLASS_NAME, "rule-state").get_attribute("textContent") == "(done)")


def refused_then_changed(driver, options, refused_password, new_password):
    password = by_id(driver, "new_password")
    confirmation = by_id(driver, "confirm_password")
    erase(password)
    erase(confirmation)
    by_id(driver, "submit").click()
    summary = by_id(driver, "error-summary")
    check("summary: an empty submit lists the problems", summary.is_displayed()
          and len(summary.find_elements(By.CSS_SELECTOR, "li a")) == 2, summary.text)
    check("summary: the focus moves to it", active_id(driver) == "error-summary", active_id(driver))

    password.send_keys(refused_password)
    confirmation.send_keys(refused_password)
    by_id(driver, "submit").click()
    wait_until(driver, "summary: the server's refusal is shown",
               lambda d: "email address's name" in by_id(d, "error-summary").text and by_id(d, "error-summary").is_displayed())
    check("summary: the server's refusal is shown", True)
    check("summary: role alert and the focus on it", summary.get_attribute("role") == "alert" and active_id(driver) == "error-summary",
          active_id(driver))
    field_error = by_id(driver, "new_password-error")
    check("summary: the message stands next to the field", "email address's name" in field_error.text, field_error.text)
    check("summary: the field is marked invalid and described by its error", password.get_attribute("aria-invalid") == "true"
          and "new_password-error" in password.get_attribute("aria-describedby"))
    scroll_to_top(driver)
    screenshot(driver, options, "form-error.png")
    by_id(driver, "error").click()
    check("summary: its link moves the focus to the field", active_id(driver) == "new_password", active_id(driver))

    erase(password)
    erase(confirmation)
    password.send_keys(new_password)
    confirmation.send_keys(new_password)
    by_id(driver, "submit").click()
    result = wait_until(driver, "form: change confirmed", lambda d: by_id(d, "result") if by_id(d, "result").is_displayed() else None)
    check("form: change confirmed", result.text == "User Password has been changed.", result.text)
    check("form: the summary is gone", not by_id(driver, "error-summary").is_displayed())
    screenshot(driver, options, "form-success.png")


def expired(driver, options, used_link):
    driver.get(used_link)
    heading = driver.find_element(By.TAG_NAME, "h1").text
    check("expired: used link shows the expired page", heading == "This link no longer works", heading)
    check("expired: a new link is offered", by_id(driver, "new-link-form").is_displayed())
    screenshot(driver, options, "link-expired.png")


def without_script(options, mailbox, refused_password, new_password):
    driver = start_browser(options, javascript=False)
    try:
        request_reset(options.base, options.email)
        link = reset_link(mailbox.next_reset(options.email))
        driver.get(link)
        check("no script: the form is shown", by_id(driver, "reset-form").is_displayed())
        check("no script: no dead show/hide buttons", not by_id(driver, "new_password-toggle").is_displayed())
        check("no script: the rules are listed", "characters" in by_id(driver, "policy").text)
        by_id(driver, "new_password").send_keys(refused_password)
        by_id(driver, "confirm_password").send_keys(refused_password)
        by_id(driver, "submit").click()
        wait_until(driver, "no script: the server answers with a page", lambda d: d.find_elements(By.ID, "error-summary")
                   and "email address's name" in by_id(d, "error-summary").text)
        check("no script: the server answers with a page", "/_resetpassword" in driver.current_url and "code=" not in driver.current_url)
        check("no script: the summary shows the server's message", by_id(driver, "error-summary").is_displayed())
        check("no script: the message stands next to the field", "email address's name" in by_id(driver, "new_password-error").text)
        check("no script: the summary has the focus", active_id(driver) == "error-summary", active_id(driver))
        screenshot(driver, options, "noscript-error.png")
        by_id(driver, "new_password").send_keys(new_password)
        by_id(driver, "confirm_password").send_keys(new_password)
        by_id(driver, "submit").click()
        wait_until(driver, "no script: the change is confirmed by a page",
                   lambda d: "Your password was changed" in d.find_element(By.TAG_NAME, "h1").text)
        check("no script: the change is confirmed by a page", True)
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--mail-dir", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--refused-password", required=True, help="a password the server refuses for this user (the email's name in it)")
    parser.add_argument("--new-password", required=True)
    parser.add_argument("--last-password", required=True, help="the password set without script")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    options = parser.parse_args()

    def steps(driver, mailbox):
        request_reset(options.base, options.email)
        link = reset_link(mailbox.next_reset(options.email))
        in_french(driver, link)
        driver.get(link)
        wait_until(driver, "form: token removed from the address bar", lambda d: "code=" not in d.current_url)
        screenshot(driver, options, "form-initial.png")
        toggles(driver)
        live_rules(driver, options)
        refused_then_changed(driver, options, options.refused_password, options.new_password)
        expired(driver, options, link)
        # The refusal is a 400 answer, which Chromium logs as a failed load: expected here, nothing else is.
        problems = [p for p in console_problems(driver) if "favicon.ico" not in p
                    and not ("/_resetpassword - Failed to load resource" in p and "status of 400" in p)]
        check("console: no CSP violation or script error", not problems, problems)
        without_script(options, mailbox, options.refused_password, options.last_password)

    return run_in_browser(options, steps, start=start_browser)


if __name__ == "__main__":
    sys.exit(main())
