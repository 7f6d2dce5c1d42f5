#!/usr/bin/env python3
"""Drives the reset-form page and the admin pages in real headless Chromium (Selenium + chromedriver)
against a running `resetpress serve`, as a person would.

Prints one line per check, `PASS <name>` or `FAIL <name>: <reason>`, and `DONE` at the end;
exits 1 after the first failure. Screenshots go to --screenshots. Run by ResetPressBrowserTests.
"""
import argparse
import email
import glob
import json
import os
import re
import sys
import time
import urllib.request
from email import policy

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT = 20
LINK = re.compile(r"(https?://[^\s\"'<>]+/_resetpassword\?code=[0-9]+\.[A-Za-z0-9_-]+)")


class CheckFailed(Exception):
    pass


def check(name, condition, detail=""):
    if not condition:
        raise CheckFailed(f"{name}: {detail}")
    print(f"PASS {name}", flush=True)


def wait_until(driver, name, predicate, timeout=WAIT):
    # A page that is being replaced (a form post navigating) can hand back an element that is gone
    # the next moment, which Chrome reports as stale or as a node that "does not belong to the
    # document": that is "not yet", not a failure.
    def settled(d):
        try:
            return predicate(d)
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return False
            raise
    try:
        return WebDriverWait(driver, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(settled)
    except TimeoutException:
        raise CheckFailed(f"{name}: timed out after {timeout}s on {driver.current_url}")


def wait_for_server(base):
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise CheckFailed("server: /healthz did not answer within 30s")


def request_reset(base, address):
    body = json.dumps({"email": address}).encode()
    request = urllib.request.Request(
        base + "/simple-jwt-login/v1/user/reset_password", data=body, method="POST",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


class Mailbox:
    """The .eml files the file transport writes, read as they arrive."""

    def __init__(self, directory):
        self.directory = directory
        self.seen = set(self.files())

    def files(self):
        return sorted(glob.glob(os.path.join(self.directory, "*.eml")))

    def next_reset(self, recipient, timeout=WAIT):
        """The next reset mail to `recipient` (other mail, such as the "password changed" notice, is skipped)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for path in self.files():
                if path in self.seen:
                    continue
                self.seen.add(path)
                with open(path, "rb") as handle:
                    message = email.message_from_binary_file(handle, policy=policy.default)
                if recipient in str(message["To"]) and LINK.search("".join(parts(message))):
                    return message
            time.sleep(0.2)
        raise CheckFailed(f"mail: no new reset mail to {recipient} within {timeout}s")


def parts(message):
    text, html = "", ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text += part.get_content()
        elif part.get_content_type() == "text/html":
            html += part.get_content()
    return text, html


def reset_link(message):
    found = LINK.search("".join(parts(message)))
    if not found:
        raise CheckFailed("mail: no reset link in the message")
    return found.group(1)


def start_browser(options):
    chrome = webdriver.ChromeOptions()
    chrome.binary_location = options.chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1500", "--no-first-run", "--password-store=basic"):
        chrome.add_argument(argument)
    chrome.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(options.chromedriver), options=chrome)


def console_problems(driver):
    """Console errors the pages caused so far: a CSP violation or a failed script shows up here."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry.get("level") == "SEVERE" or "Content Security Policy" in entry.get("message", "")]


def screenshot(driver, options, name):
    os.makedirs(options.screenshots, exist_ok=True)
    path = os.path.join(options.screenshots, name)
    driver.save_screenshot(path)
    print(f"SCREENSHOT {path}", flush=True)


def reset_through_the_link(driver, options, mailbox):
    request_reset(options.base, options.email)
    link = reset_link(mailbox.next_reset(options.email))
    driver.get(link)
    wait_until(driver, "form: token removed from the address bar", lambda d: "code=" not in d.current_url)
    check("form: token removed from the address bar", d_url_ok(driver))
    token = driver.find_element(By.NAME, "code").get_attribute("value")
    check("form: token kept in the hidden field", token and link.endswith(token), token)
    check("form: policy shown", "characters" in driver.find_element(By.ID, "policy").text)
    password = driver.find_element(By.ID, "new_password")
    confirmation = driver.find_element(By.ID, "confirm_password")
    password.send_keys(options.new_password)
    confirmation.send_keys(options.new_password + "x")
    hint = driver.find_element(By.ID, "hint")
    check("form: mismatch shown while typing", "do not match" in hint.text, hint.text)
    screenshot(driver, options, "reset-form.png")
    driver.find_element(By.ID, "submit").click()
    error = driver.find_element(By.ID, "error")
    check("form: mismatch stops the submit", "do not match" in error.text and "/_resetpassword" in driver.current_url, error.text)
    confirmation.clear()
    confirmation.send_keys(options.new_password)
    driver.find_element(By.ID, "submit").click()
    result = wait_until(driver, "form: change confirmed", lambda d: d.find_element(By.ID, "result") if d.find_element(By.ID, "result").is_displayed() else None)
    check("form: change confirmed", result.text == "User Password has been changed.", result.text)
    return link


def d_url_ok(driver):
    return "code=" not in driver.current_url and driver.current_url.endswith("/_resetpassword")


def expired_link(driver, options, mailbox, used_link):
    driver.get(used_link)
    heading = driver.find_element(By.TAG_NAME, "h1").text
    check("expired: used link shows the expired page", heading == "This link no longer works", heading)
    check("expired: new-link form offered", driver.find_element(By.ID, "new-link-form").is_displayed())
    wait_until(driver, "expired: token removed", lambda d: "code=" not in d.current_url)
    screenshot(driver, options, "expired-link.png")
    driver.find_element(By.ID, "email").send_keys(options.email)
    driver.find_element(By.CSS_SELECTOR, "#new-link-form button").click()
    wait_until(driver, "expired: new link requested", lambda d: d.find_elements(By.ID, "link-sent"))
    check("expired: new link requested", True)
    fresh = reset_link(mailbox.next_reset(options.email))
    check("expired: a new link arrives", fresh != used_link, fresh)


def admin_edits_the_mail(driver, options, mailbox):
    driver.get(options.base + "/admin")
    wait_until(driver, "admin: sign-in form", lambda d: d.find_elements(By.ID, "sign-in-form"))
    driver.find_element(By.ID, "password").send_keys(options.admin_password)
    driver.find_element(By.CSS_SELECTOR, "#sign-in-form button").click()
    wait_until(driver, "admin: signed in", lambda d: d.current_url.endswith("/admin/dashboard"))
    driver.get(options.base + "/admin")
    wait_until(driver, "admin: settings", lambda d: d.find_elements(By.ID, "settings-form"))
    check("admin: signed in", True)
    screenshot(driver, options, "admin-settings.png")

    driver.get(options.base + "/admin/email")
    driver.find_element(By.ID, "mode-custom_email").click()
    Select(driver.find_element(By.ID, "setting-reset_password.email_type")).select_by_value("html")
    subject = driver.find_element(By.ID, "setting-reset_password.email_subject")
    subject.clear()
    subject.send_keys("Browser subject for {{FIRST_NAME}}")
    body = driver.find_element(By.ID, "setting-reset_password.email_body")
    body.clear()
    body.send_keys('<h1 style="color:#2271b1">Browser body BODYMARK</h1><p>Hello {{NAME}}, your code is <b>{{CODE}}</b>.</p>'
                   '<p><a href="{{RESET_LINK}}">Choose a new password</a></p>')
    wait_until(driver, "admin: preview subject follows the editor",
               lambda d: d.find_element(By.ID, "preview-subject").text == "Browser subject for Jane")
    check("admin: preview subject follows the editor", True)

    def frame_text(d):
        d.switch_to.frame("preview-frame")
        try:
            return d.find_element(By.TAG_NAME, "body").text
        finally:
            d.switch_to.default_content()

    wait_until(driver, "admin: preview body follows the editor", lambda d: "Browser body BODYMARK" in frame_text(d))
    check("admin: preview body follows the editor", "Jane Doe" in frame_text(driver))
    screenshot(driver, options, "admin-email.png")
    driver.find_element(By.ID, "save-email").click()
    notice = wait_until(driver, "admin: saved", lambda d: [n for n in d.find_elements(By.CSS_SELECTOR, ".notice.success")])
    check("admin: saved", "Reset email saved." in notice[0].text, notice[0].text)

    request_reset(options.base, options.email)
    message = mailbox.next_reset(options.email)
    text, html = parts(message)
    check("admin: the next reset mail uses the new body", "Browser body BODYMARK" in html, html[:200])
    check("admin: the next reset mail uses the new subject", str(message["Subject"]) == "Browser subject for Ann", str(message["Subject"]))


def csrf_refused(driver, options):
    driver.get(options.base + "/admin")
    before = driver.find_element(By.ID, "setting-mail.smtp.host").get_attribute("value")
    driver.execute_script("document.querySelector('#settings-form input[name=_csrf]').remove();")
    field = driver.find_element(By.ID, "setting-mail.smtp.host")
    field.clear()
    field.send_keys("forged.example.org")
    driver.find_element(By.ID, "save-settings").click()
    wait_until(driver, "csrf: form refused", lambda d: d.find_elements(By.ID, "csrf-refused"))
    check("csrf: form refused", True)
    driver.get(options.base + "/admin")
    after = driver.find_element(By.ID, "setting-mail.smtp.host").get_attribute("value")
    check("csrf: nothing changed", after == before, after)


def run_in_browser(options, steps, start=None):
    """Waits for the server, starts Chromium (with `start(options)`, default ``start_browser``), runs
    `steps(driver, mailbox)` and prints DONE, or FAIL with why (a Selenium or network error too); quits
    the browser whatever happens; returns the exit status."""
    driver = None
    try:
        wait_for_server(options.base)
        mailbox = Mailbox(options.mail_dir)
        driver = (start or start_browser)(options)
        steps(driver, mailbox)
        print("DONE", flush=True)
        return 0
    except CheckFailed as failure:
        print(f"FAIL {failure}", flush=True)
        return 1
    except Exception as error:
        print(f"FAIL unexpected {type(error).__name__}: {error}", flush=True)
        return 1
    finally:
        if driver is not None:
            driver.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--mail-dir", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--new-password", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    options = parser.parse_args()

    def steps(driver, mailbox):
        used = reset_through_the_link(driver, options, mailbox)
        expired_link(driver, options, mailbox, used)
        admin_edits_the_mail(driver, options, mailbox)
        problems = [p for p in console_problems(driver) if "favicon.ico" not in p]
        check("console: no CSP violation or script error", not problems, problems)
        csrf_refused(driver, options)

    return run_in_browser(options, steps)


if __name__ == "__main__":
    sys.exit(main())
