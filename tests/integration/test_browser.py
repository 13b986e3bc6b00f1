"""The exploration notebook in a real JupyterLab in a real browser: JupyterLab on 127.0.0.1 over a
temporary project tree (the sample ingested), headless Chromium driven by Selenium opens
08_kham_pha.ipynb, runs every cell, picks a commune in the interactive view and sees the table change
to the commune's residential areas. Skipped, saying how to install them, without Debian's chromium and
chromium-driver (``.ci/run`` installs both)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import urllib.request

import pytest

from antt.core import config
from tests.integration.conftest import make_root

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="không có trình duyệt Chromium: cài bằng `apt-get install chromium chromium-driver` (.ci/run tự cài)")
TOKEN = "antt-test"
WAIT = 240          # seconds a step may take on a loaded machine before the test gives up


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server over a copy of notebook 08 and the ingested sample; its URL."""
    if not any(config.RAW_DIR.glob("20*/*")):
        pytest.skip("no sample returns under data/raw")
    root = make_root(tmp_path / "root")
    books = root / "notebooks"
    books.mkdir()
    shutil.copy(config.NOTEBOOKS_DIR / "08_kham_pha.ipynb", books)
    port = _free_port()
    env = os.environ | {"ANTT_ROOT": str(root), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
                        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={books}", "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "lab.log", "w"))
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _answers(f"{url}/api/status?token={TOKEN}"), "JupyterLab did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def _wait(ready, message: str):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(None, WAIT, poll_frequency=0.5).until(lambda _: ready(), message)


def test_the_interactive_view_follows_the_unit_picked(lab):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1200"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        # the view draws its table again when a choice changes: an element found a moment before may be
        # gone (stale) or not there yet; the wait looks again instead of failing
        wait = WebDriverWait(driver, WAIT, poll_frequency=0.5,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
        driver.get(f"{lab}/lab/tree/08_kham_pha.ipynb?token={TOKEN}")
        wait.until(lambda d: d.execute_script(
            "const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            "return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
            " && w.sessionContext.session.kernel.status === 'idle');"), "the notebook's kernel did not start")
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells');")
        view = ".antt-explorer"
        selects = wait.until(lambda d: len(s := d.find_elements(By.CSS_SELECTOR, f"{view} .widget-dropdown select")) == 3
                             and s, "the interactive view did not show")
        body = f"{view} table tbody"
        wait.until(lambda d: "Phường Bình Phước" in d.find_element(By.CSS_SELECTOR, body).text,
                   "the table of the latest cycle's communes did not show")
        errors = driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert [e.text for e in errors if "Error" in e.text] == []
        Select(selects[1]).select_by_visible_text("Xã Tân An")
        wait.until(lambda d: "Ấp 2" in d.find_element(By.CSS_SELECTOR, body).text,
                   "picking Xã Tân An did not show its residential areas")
        assert "Phường Bình Phước" not in driver.find_element(By.CSS_SELECTOR, body).text
    finally:
        driver.quit()
