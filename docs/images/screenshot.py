"""The README's screenshot of kg.html, with Xiaomi selected, through Debian's chromium.

kg build -o /tmp/sample
python docs/images/screenshot.py /tmp/sample/kg.html docs/images/kg-html.png
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

page_path, out = Path(sys.argv[1]).resolve(), sys.argv[2]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1200, "height": 700})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(page_path.as_uri())
    page.wait_for_timeout(2500)
    page.mouse.click(459, 226)
    page.wait_for_timeout(800)
    page.screenshot(path=out)
    browser.close()
