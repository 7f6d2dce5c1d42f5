#!/usr/bin/env python3
"""Runs the Simple JWT Login docs' JavaScript for reset password in headless Chromium, from pages on two
other origins than the running `resetpress serve`: one listed in `http.cors_origins`, one not.

The page carries the docs' XMLHttpRequest code as written (`withCredentials = true`, a JSON body with
`Content-Type: application/json`, so every call is preflighted), wrapped in two functions for the site
URL and the values. The docs' "Reset password" example body is a copy of the change body (`code` "123",
`new_password` "test"), which a POST answers as a change; the request here sends that page's documented
Request body, `{"email": ...}`, instead. Prints `PASS <name>` / `FAIL <name>: <reason>` lines and `DONE`.
"""
import argparse
import functools
import http.server
import json
import os
import re
import sys
import tempfile
import threading
import urllib.request

from browser_flows import CheckFailed, Mailbox, check, parts, start_browser, wait_for_server

CODE = re.compile(r"code(?: is)?: ([A-Za-z0-9]+)")  # the default templates: "Your reset code is: X", "Your code: X"

# The docs' JavaScript (simplejwtlogin.com/docs/reset-password and /docs/change-password), as written but
# for the site URL, the values, and `report(this)` beside `console.log` so the test can read the answer.
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SJL docs client</title></head>
<body><h1>SJL docs client</h1>
<script>
function report(xhr) { window.answers.push({status: xhr.status, text: xhr.responseText}); }
window.answers = [];

function resetPassword(site, email) {
    var data = JSON.stringify({
        "email": email
    });

    var xhr = new XMLHttpRequest();
    xhr.withCredentials = true;

    xhr.addEventListener("readystatechange", function() {
        if(this.readyState === 4) {
            console.log(this.responseText);
            report(this);
        }
    });

    xhr.open("POST", site + "/simple-jwt-login/v1/users/reset_password");
    xhr.setRequestHeader("Content-Type", "application/json");

    xhr.send(data);
}

function changePassword(site, email, code, newPassword) {
    var data = JSON.stringify({
        "email": email,
        "code": code,
        "new_password": newPassword
    });

    var xhr = new XMLHttpRequest();
    xhr.withCredentials = true;

    xhr.addEventListener("readystatechange", function() {
        if(this.readyState === 4) {
            console.log(this.responseText);
            report(this);
        }
    });

    xhr.open("PUT", site + "/simple-jwt-login/v1/users/reset_password");
    xhr.setRequestHeader("Content-Type", "application/json");

    xhr.send(data);
}
</script></body></html>
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_page(directory, port):
    """A static file server for the page on 127.0.0.1:port, in a daemon thread."""
    handler = functools.partial(QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def call(driver, script):
    """Runs `script` (one of the docs' functions) on the page and returns the XHR's final status and text."""
    driver.set_script_timeout(20)
    return driver.execute_async_script("""
        var done = arguments[arguments.length - 1];
        var before = window.answers.length;
        %s;
        (function wait() {
            if (window.answers.length > before) { done(window.answers[before]); } else { setTimeout(wait, 50); }
        })();
    """ % script)


def preflight_headers(base, origin):
    """The CORS headers of the server's answer to a preflight from `origin`, as the browser would send it."""
    request = urllib.request.Request(
        base + "/simple-jwt-login/v1/users/reset_password", method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return {k.lower(): v for k, v in answer.getheaders() if k.lower().startswith("access-control-")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--listed-port", type=int, required=True)
    parser.add_argument("--unlisted-port", type=int, required=True)
    parser.add_argument("--mail-dir", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--new-password", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    options = parser.parse_args()
    site = json.dumps(options.base)
    driver = None
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "client.html"), "w") as handle:
            handle.write(PAGE)
        servers = [serve_page(directory, options.listed_port), serve_page(directory, options.unlisted_port)]
        try:
            wait_for_server(options.base)
            mailbox = Mailbox(options.mail_dir)
            driver = start_browser(options)

            listed = f"http://127.0.0.1:{options.listed_port}"
            driver.get(listed + "/client.html")
            answer = call(driver, f"resetPassword({site}, {json.dumps(options.email)})")
            check("listed: request answered", answer["status"] == 200, answer)
            check("listed: request sent", json.loads(answer["text"])["message"] == "Reset password email has been sent.", answer)
            message = mailbox.next_reset(options.email)
            found = CODE.search("".join(parts(message)))
            check("listed: code delivered", found is not None, "no code in the mail")
            change = f"changePassword({site}, {json.dumps(options.email)}, {json.dumps(found.group(1))}, {json.dumps(options.new_password)})"
            answer = call(driver, change)
            check("listed: change answered", answer["status"] == 200, answer)
            check("listed: password changed", json.loads(answer["text"])["message"] == "User Password has been changed.", answer)

            unlisted = f"http://127.0.0.1:{options.unlisted_port}"
            driver.get(unlisted + "/client.html")
            answer = call(driver, f"resetPassword({site}, {json.dumps(options.email)})")
            check("unlisted: the browser refuses the call", answer["status"] == 0 and answer["text"] == "", answer)
            logs = " ".join(entry["message"] for entry in driver.get_log("browser"))
            check("unlisted: blocked by CORS policy", "CORS policy" in logs, logs[:500])
            check("unlisted: no CORS headers for its preflight", preflight_headers(options.base, unlisted) == {},
                  preflight_headers(options.base, unlisted))
            try:
                mailbox.next_reset(options.email, timeout=2)
                reached = True
            except CheckFailed:
                reached = False
            check("unlisted: no request reached the server (no new reset mail)", not reached)
            granted = preflight_headers(options.base, listed)
            check("listed: preflight allows credentials", granted.get("access-control-allow-credentials") == "true"
                  and granted.get("access-control-allow-origin") == listed, granted)
            print("DONE", flush=True)
            return 0
        except CheckFailed as failure:
            print(f"FAIL {failure}", flush=True)
            return 1
        except Exception as error:  # a Selenium or network error: report it as a failure line too
            print(f"FAIL unexpected {type(error).__name__}: {error}", flush=True)
            return 1
        finally:
            if driver is not None:
                driver.quit()
            for server in servers:
                server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
