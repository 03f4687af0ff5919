"""The README's screenshots, taken from a running studio as a creative sees it.

Start a studio on a throwaway directory and give its admin a password, then run this against it:
    STUDIO_VAR_DIR=/tmp/shots PORT=8300 make run
    STUDIO_VAR_DIR=/tmp/shots DJANGO_DEBUG=1 .venv/bin/python manage.py changepassword admin
    .venv/bin/python docs/screenshots.py http://127.0.0.1:8300 admin 'the password'
It uploads two pictures it draws, names one, writes a prompt, renders a free local preview, shares it, and saves
compose, gallery, result and share pages at 1920x1080 and 390x844 (dark, and the compose page light too) into docs/,
reduced to 256 colours. Needs Debian's chromium.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
DESKTOP, PHONE = {"width": 1920, "height": 1080}, {"width": 390, "height": 844}


def picture(path: Path, colour: tuple[int, int, int]) -> str:
    image = Image.new("RGB", (1280, 720), colour)
    ImageDraw.Draw(image).ellipse((500, 220, 780, 500), fill=(240, 240, 240))
    image.save(path)
    return str(path)


def save(page, name: str) -> None:
    path = DOCS / f"{name}.png"
    page.screenshot(path=str(path))
    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)


def main(base: str, username: str, password: str) -> None:
    media = Path(tempfile.mkdtemp())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        for scheme in ("dark", "light"):
            for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page = browser.new_context(viewport=viewport, color_scheme=scheme).new_page()
                page.goto(f"{base}/accounts/signin/")
                page.fill("#id_username", username)
                page.fill("#id_password", password)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/")
                if scheme == "dark" and name == "desktop":  # the first pass composes and renders
                    files = [
                        picture(media / "harbour.png", (40, 60, 200)),
                        picture(media / "lighthouse.png", (200, 60, 40)),
                    ]
                    page.set_input_files("#upload-input", files)
                    page.wait_for_selector(".chip[data-mention='@image2']")
                    page.fill(".chip[data-mention='@image2'] input[name=name]", "lighthouse")
                    page.press(".chip[data-mention='@image2'] input[name=name]", "Enter")
                    page.wait_for_selector(".chip[data-ref-name='lighthouse']")
                    page.fill("#id_prompt", "@lighthouse at dusk, then the camera pulls back to @image1")
                    page.wait_for_selector("#live-panel .all-good")
                    page.click("#submit-button")
                    page.wait_for_selector(".job-card video", timeout=120_000)
                page.goto(f"{base}/")
                page.wait_for_timeout(1500)
                save(page, f"compose-{name}" + ("-light" if scheme == "light" else ""))
                if scheme == "light":
                    continue
                if name == "phone":
                    page.click(".menu-toggle")
                    save(page, "menu-phone")
                page.goto(f"{base}/gallery/")
                page.wait_for_timeout(1000)
                save(page, f"gallery-{name}")
                page.click(".job-card a[href*='/jobs/']")
                page.wait_for_selector("video")
                save(page, f"result-{name}")
                if not page.locator("#share-url").count():
                    page.check("#share-panel input[name=show_prompt]")
                    page.click("#share-panel .share-form button[type=submit]")
                    page.wait_for_selector("#share-url")
                page.goto(page.input_value("#share-url"))
                page.wait_for_selector("video")
                save(page, f"share-{name}")
                page.context.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
