"""The dashboard and the report in a real headless Chromium (Debian's chromium + chromedriver).

The dashboard runs in a thread of this process on a free port with tiny scenarios; the browser may
only reach 127.0.0.1 (every other host name resolves to nothing), so anything loaded from a CDN
would show up as a failed request and a console error.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from parksim.experiments.executors import make_executor
from parksim.experiments.runner import execute, plan
from parksim.experiments.store import Store
from tests.conftest import TINY_WORLD, write

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER) and not os.environ.get("PARKSIM_REQUIRE_BROWSER"),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")
TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app) -> str:
    """Serve ``app`` in a thread on a free port; its URL once it answers."""
    port = free_port()
    threading.Thread(target=app.run, kwargs={"host": "127.0.0.1", "port": port, "debug": False}, daemon=True).start()
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    return f"http://127.0.0.1:{port}/"


def make_driver(tmp_path: Path, downloads: Path | None = None):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'profile'}",
                '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if downloads is not None:
        opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                               "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(TIMEOUT)
    return driver


def console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def off_host_requests(driver) -> list[str]:
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [u for u in urls if not u.startswith(("http://127.0.0.1", "data:", "blob:"))]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """A dashboard on a free port offering two tiny scenarios (serial runs in the server process), with a
    tiny sweep in its runs directory."""
    from parksim.viz.app import create_app
    from parksim.viz.jobs import JobManager
    tmp = tmp_path_factory.mktemp("dash")
    tiny = TINY_WORLD.replace("years = 3", "years = 6")
    base = write(tmp, "tiny_base.toml",
                 f'name = "tiny_base"\ndescription = "Baseline, tiny"\nextends = "baseline"\nreplications = 4\n[world]\n{tiny}')
    lanz = write(tmp, "tiny_lanzhou.toml",
                 f'name = "tiny_lanzhou"\ndescription = "Lanzhou 2012, tiny"\nextends = "lanzhou_2012"\n'
                 f'replications = 4\nburn_in = 0\n[world]\n{tiny}\nstart_year = 2010\n')
    sweep = write(tmp, "tiny_sweep.toml", 'name = "tiny_sweep"\nextends = "tiny_lanzhou.toml"\nreplications = 2\n'
                  '[sweep]\nmethod = "factorial"\n[sweep.levers]\n"policy.E1.national" = [100.0, 300.0]\n')
    execute(plan(str(sweep), sweep=True), Store(tmp / "runs" / "tiny_sweep"), make_executor("serial"), progress=False)
    app = create_app(tmp / "runs", (str(base), str(lanz)), JobManager("serial"))
    return serve(app), app


@pytest.fixture
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = make_driver(tmp_path, downloads)
    driver.downloads = downloads
    yield driver
    driver.quit()


def wait(driver, condition, timeout=TIMEOUT):
    """Poll ``condition`` until it is truthy; an element that Dash re-rendered meanwhile (stale) is looked up again."""
    return WebDriverWait(driver, timeout, poll_frequency=0.2,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                         ).until(lambda d: condition(d))


def choose(driver, dropdown_id: str, text: str) -> None:
    """Pick the option of a Dash dropdown whose label contains ``text``."""
    box = wait(driver, lambda d: d.find_element(By.ID, dropdown_id) if d.find_elements(By.ID, dropdown_id) else None)
    box.click()
    option = wait(driver, lambda d: next((o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")
                                          if text in o.text), None))
    option.click()
    wait(driver, lambda d: text in d.find_element(By.ID, dropdown_id).text)


def tab(driver, label: str) -> None:
    next(t for t in driver.find_elements(By.CSS_SELECTOR, ".tab") if t.text == label).click()


def traces_drawn(driver, graph_id: str) -> int:
    """Number of non-empty traces plotly drew in the graph's div (0 before it is drawn)."""
    return driver.execute_script(
        "const g = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return g && g._fullData ? g._fullData.filter(t => t.visible !== false && (t.x || t.z || []).length > 0)"
        ".length : 0;", graph_id)


def trace_values(driver, graph_id: str, axis: str = "y") -> list[list[float]]:
    """The decoded ``axis`` values of every trace of a drawn graph."""
    return driver.execute_script(
        "const g = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return g._fullData.map(t => Array.from(t[arguments[1]] || []));", graph_id, axis)


def open_dashboard(driver, url: str, lang: str = "en", start: str | None = "Scenario and run") -> None:
    """Open the dashboard in ``lang`` (remembered by the browser like the language switch does), on the
    tab labelled ``start`` (None: the guided comparison, where it opens)."""
    driver.get(url)
    driver.execute_script("localStorage.setItem('parksim-lang', arguments[0])", lang)
    driver.add_cookie({"name": "parksim_lang", "value": lang, "path": "/"})
    driver.get(url)
    wait(driver, lambda d: d.find_elements(By.ID, "g-run") and d.execute_script("return document.readyState") == "complete")
    if start:
        tab(driver, start)
    if start in ("Scenario and run", "情景与运行"):
        wait(driver, lambda d: d.find_elements(By.ID, "rule-E1") and d.find_elements(By.ID, "scenario"))


def session_id(driver) -> str:
    wait(driver, lambda d: d.execute_script("return sessionStorage.getItem('session')"))
    return driver.execute_script("return JSON.parse(sessionStorage.getItem('session'))")


def run_and_wait(driver) -> str:
    status_before = driver.find_element(By.ID, "status").text
    driver.find_element(By.ID, "run").click()
    wait(driver, lambda d: not d.find_element(By.ID, "run").is_enabled() or "done" in d.find_element(By.ID, "status").text)
    wait(driver, lambda d: "done" in d.find_element(By.ID, "status").text
         and d.find_element(By.ID, "status").text != status_before)
    assert driver.find_element(By.ID, "run").is_enabled()
    return driver.find_element(By.ID, "status").text


def test_workshop_flow(dashboard, browser):
    """Choose a scenario, change a threshold, run, see fans, compare with another, replay the map,
    download a CSV; no console errors and no request leaves 127.0.0.1."""
    url, _ = dashboard
    d = browser
    open_dashboard(d, url)
    choose(d, "scenario", "tiny_lanzhou")
    wait(d, lambda d: "Lanzhou" in d.find_element(By.ID, "scenario-description").text)
    e1_on = d.find_element(By.CSS_SELECTOR, "#rule-E1 input[type=checkbox]")
    assert e1_on.is_selected()                                   # the scenario's rule switches are shown
    field = d.find_element(By.CSS_SELECTOR, "#rule-E1 .param input:not([type=checkbox])")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("320", Keys.ENTER)                          # E1 national: 250 → 320 万元/mu
    status = run_and_wait(d)
    assert "E1.national=320" in status and "done" in status

    tab(d, "Time series")
    for graph in ("fan-output", "fan-land", "fan-tax_per_mu"):
        wait(d, lambda d, graph=graph: traces_drawn(d, graph) >= 3)
    high, low, median = trace_values(d, "fan-output")[:3]
    assert len(median) == 7 and all(lo <= mid <= hi for hi, lo, mid in zip(high, low, median))

    tab(d, "Scenario and run")
    choose(d, "scenario", "tiny_base")
    wait(d, lambda d: not d.find_element(By.CSS_SELECTOR, "#rule-E1 input[type=checkbox]").is_selected())
    run_and_wait(d)
    tab(d, "A versus B")
    wait(d, lambda d: traces_drawn(d, "ab-diff") >= 2 and traces_drawn(d, "ab-fan") >= 6)
    rows = wait(d, lambda d: [r.text for r in d.find_elements(By.CSS_SELECTOR, "#ab-table td[data-column=metric]")])
    assert "Industrial output" in rows
    verdict = wait(d, lambda d: [li.text for li in d.find_elements(By.CSS_SELECTOR, "#ab-verdict li")])
    assert verdict[0].startswith("Industrial output: ") and "random variation" in verdict[0]

    tab(d, "Park map")
    wait(d, lambda d: traces_drawn(d, "map") >= 1 and "2016" in d.find_element(By.CSS_SELECTOR, "#map .gtitle").text)

    tab(d, "Time series")
    wait(d, lambda d: traces_drawn(d, "fan-output") >= 3)
    d.find_element(By.CSS_SELECTOR, "#fan-output ~ .exports button:nth-child(3)").click()   # CSV
    path = wait(d, lambda d: next((p for p in d.downloads.glob("*.csv")), None))
    with open(path, encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 4 * 7 and {"replication", "seed", "year", "output"} <= set(table[0])
    d.find_element(By.CSS_SELECTOR, "#fan-land ~ .exports button:nth-child(1)").click()    # PNG via kaleido
    png = wait(d, lambda d: next((p for p in d.downloads.glob("*land.png")), None))
    wait(d, lambda d: png.stat().st_size > 10_000)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    tab(d, "Chain network")
    wait(d, lambda d: traces_drawn(d, "network") >= 2 and d.find_elements(By.CSS_SELECTOR, "#flows .sankey-node"))
    assert "2016" in d.find_element(By.CSS_SELECTOR, "#network .gtitle").get_attribute("textContent")  # last year first
    assert "2016" in d.find_element(By.CSS_SELECTOR, "#flows .gtitle").text

    tab(d, "Sweeps")
    choose(d, "sweep-store", "tiny_sweep")
    wait(d, lambda d: traces_drawn(d, "sweep") >= 3)
    point = wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#sweep .scatterlayer .trace:last-of-type .point"))
    ActionChains(d).move_to_element(point[-1]).click().perform()
    cells = wait(d, lambda d: d.find_elements(By.CSS_SELECTOR,
                                              "#sweep-runs td[data-column='E1 National-park intensity threshold']"))
    assert [c.text for c in cells] == ["300", "300"]            # the two replications behind the point
    # The chart is redrawn after the click; read its titles once it has settled (no code names).
    wait(d, lambda d: d.find_element(By.ID, "sweep-metric").text + d.find_element(By.CSS_SELECTOR, "#sweep .xtitle").text
         == "Industrial output (100 million yuan (亿元))E1 National-park intensity threshold")

    assert console_errors(d) == []
    assert off_host_requests(d) == []


def set_replications(driver, n: int) -> None:
    box = driver.find_element(By.ID, "replications")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(n))
    wait(driver, lambda d: d.find_element(By.ID, "replications").get_attribute("value") == str(n))


def test_cancel_and_sessions_are_isolated(dashboard, browser):
    """Run is disabled and Cancel enabled while a run goes; Cancel stops it. A run started in one tab
    is not listed in another tab (another session)."""
    url, app = dashboard
    d = browser
    open_dashboard(d, url)
    first = session_id(d)
    set_replications(d, 200)
    d.find_element(By.ID, "run").click()
    wait(d, lambda d: not d.find_element(By.ID, "run").is_enabled() and d.find_element(By.ID, "cancel").is_enabled())
    wait(d, lambda d: 0 < float(d.find_element(By.ID, "progress").get_attribute("value")) < 1)
    d.find_element(By.ID, "cancel").click()
    wait(d, lambda d: "cancelled" in d.find_element(By.ID, "status").text)
    assert d.find_element(By.ID, "run").is_enabled() and not d.find_element(By.ID, "cancel").is_enabled()
    set_replications(d, 2)
    run_and_wait(d)
    assert [j.status for j in app.manager.jobs(first)] == ["cancelled", "done"]
    d.switch_to.new_window("tab")
    open_dashboard(d, url)
    second = session_id(d)
    assert second != first
    wait(d, lambda d: d.find_elements(By.ID, "run-select"))
    time.sleep(1)
    assert "no run yet" in d.find_element(By.ID, "run-select").text
    assert app.manager.jobs(second) == []
    assert console_errors(d) == []


def test_report_opens_offline_with_every_chart(tmp_path, browser):
    """A comparison report, opened from disk with no network, draws every chart without console errors."""
    from parksim.cli import main
    refs = []
    for name, extra in (("rep_a", ""), ("rep_b", "[policy.X1]\nenabled = true\n")):
        path = write(tmp_path, f"{name}.toml", f'name = "{name}"\nreplications = 2\nseed = 3\n[world]\n{TINY_WORLD}{extra}')
        execute(plan(str(path)), Store(tmp_path / "runs" / name), make_executor("serial"), progress=False)
        refs.append(str(tmp_path / "runs" / name))
    out = tmp_path / "elsewhere" / "report.html"
    assert main(["report", *refs, "--out", str(out)]) == 0
    shutil.rmtree(tmp_path / "runs")                         # the report needs nothing but itself
    browser.get(out.as_uri())
    charts = browser.find_elements(By.CSS_SELECTOR, "div.chart")
    assert len(charts) > 20
    wait(browser, lambda d: d.execute_script(
        "return Array.from(document.querySelectorAll('div.chart')).every(c => c.querySelector('.main-svg'))"))
    titles = browser.execute_script("return Array.from(document.querySelectorAll('div.chart .gtitle'))"
                                    ".map(t => t.textContent)")
    assert len(titles) == len(charts) and any("Industrial output" in t for t in titles)
    assert console_errors(browser) == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0



def run_two_and_open(driver, url: str, label: str) -> None:
    """Run the first scenario with 2 replications, then open the tab ``label``."""
    open_dashboard(driver, url)
    set_replications(driver, 2)
    run_and_wait(driver)
    tab(driver, label)


def slider_value(driver, slider_id: str) -> int:
    return int(driver.find_element(By.CSS_SELECTOR, f"#{slider_id} [role=slider]").get_attribute("aria-valuenow"))


def map_years(driver) -> tuple[str, set]:
    """(the map's title, the years of the bubbles drawn) at one moment."""
    return driver.execute_script(
        "const g = document.querySelector('#map .js-plotly-plot');"
        "return [g.querySelector('.gtitle').textContent,"
        " g.data.flatMap(t => Array.from(t.customdata || []).map(c => String(c[3])))];")


def test_replications_typed_after_a_scenario_change_are_run(dashboard, browser):
    """Bug: a number typed into Replications just after a scenario change was overwritten by the
    scenario's own number when the server's reply came in, so the run ignored it."""
    url, app = dashboard
    d = browser
    open_dashboard(d, url)
    session = session_id(d)
    choose(d, "scenario", "tiny_lanzhou")
    time.sleep(1)
    d.execute_cdp_cmd("Network.enable", {})
    slow = {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1}
    d.execute_cdp_cmd("Network.emulateNetworkConditions", slow)     # a busy server on a room's Wi-Fi
    choose(d, "scenario", "tiny_base")
    set_replications(d, 3)
    time.sleep(3)                                                    # every reply is in
    assert d.find_element(By.ID, "replications").get_attribute("value") == "3"
    d.execute_cdp_cmd("Network.emulateNetworkConditions", {**slow, "latency": 0})
    run_and_wait(d)
    assert app.manager.jobs(session)[-1].total == 3


def test_map_year_label_stays_with_the_bubbles_during_play(dashboard, browser):
    """Bug: after Play the map's year label and its bubbles showed different years."""
    d = browser
    run_two_and_open(d, dashboard[0], "Park map")
    wait(d, lambda d: traces_drawn(d, "map") >= 1)
    d.find_element(By.ID, "map-play").click()
    seen = set()
    deadline = time.time() + TIMEOUT
    while "Play" not in d.find_element(By.ID, "map-play").text or not seen:
        assert time.time() < deadline
        title, years = map_years(d)
        year = title.split(" ")[2].rstrip(":")
        assert set(years) <= {year}, (title, years)                 # bubbles of the year the title names
        seen.add(year)
        time.sleep(0.1)
    time.sleep(1)
    title, years = map_years(d)
    assert str(slider_value(d, "map-year")) in title and set(years) == {str(slider_value(d, "map-year"))}
    assert slider_value(d, "map-year") == 2016 and len(seen) >= 3      # it did play through the years


# The ancestors (and the window) that cut off part of an element: those that clip their overflow and
# do not contain the element's box.
CLIPPED_JS = """
const r = arguments[0].getBoundingClientRect(), out = [];
if (r.left < 0 || r.right > window.innerWidth) { out.push('window'); }
for (let a = arguments[0].parentElement; a; a = a.parentElement) {
    const st = getComputedStyle(a), b = a.getBoundingClientRect();
    if ((st.overflowX !== 'visible' || st.overflow !== 'visible') && (r.left < b.left - 0.5 || r.right > b.right + 0.5)) {
        out.push(a.className || a.tagName);
    }
}
return out;"""


def test_network_year_slider_labels_are_not_cut(dashboard, browser):
    """Bug: the network year slider's first label was cut to "011"."""
    d = browser
    run_two_and_open(d, dashboard[0], "Chain network")
    wait(d, lambda d: traces_drawn(d, "network") >= 2)
    marks = d.find_elements(By.CSS_SELECTOR, "#net-year .dash-slider-mark")
    for mark in (marks[0], marks[-1]):
        assert d.execute_script(CLIPPED_JS, mark) == [], mark.text
    assert marks[0].text == "2010" and marks[-1].text == "2016"


def test_map_png_shows_the_year_on_screen(dashboard, browser):
    """Bug: the map PNG always showed the first year (with a Play button that does nothing on paper)."""
    _, app = dashboard
    d = browser
    run_two_and_open(d, dashboard[0], "Park map")
    wait(d, lambda d: "2016" in d.find_element(By.CSS_SELECTOR, "#map .gtitle").text)
    pngs = {}
    for key, year in ((Keys.HOME, 2010), (Keys.END, 2016)):
        d.find_element(By.CSS_SELECTOR, "#map-year [role=slider]").send_keys(key)
        wait(d, lambda d, year=year: str(year) in d.find_element(By.CSS_SELECTOR, "#map .gtitle").text)
        d.find_element(By.CSS_SELECTOR, "#map ~ .exports button:nth-child(1)").click()
        path = wait(d, lambda d, year=year: next(iter(d.downloads.glob(f"*map_{year}.png")), None))
        wait(d, lambda d, path=path: path.stat().st_size > 10_000)
        pngs[year] = path.read_bytes()
    assert pngs[2010] != pngs[2016]
    run = next(iter(app.manager.results(session_id(d)).values()))
    from parksim.viz.export import chart
    fig = chart("map", [run], year=2016)[1]
    assert not fig.layout.updatemenus and not fig.layout.sliders and "2016" in fig.layout.title.text


def test_language_switch_is_remembered_and_sets_html_lang(dashboard, browser):
    """中文/English: the switch rebuilds the page in that language, sets <html lang>, and a new visit
    in the same browser comes back in it; labels are plain names with units (亿元, no code names)."""
    url, _ = dashboard
    d = browser
    open_dashboard(d, url, "en")
    assert d.execute_script("return document.documentElement.lang") == "en"
    assert any(t.text == "Scenario and run" for t in d.find_elements(By.CSS_SELECTOR, ".tab"))
    d.find_element(By.XPATH, "//label[contains(., '中文')]").click()
    wait(d, lambda d: d.execute_script("return document.documentElement.lang") == "zh-CN"
         and any(t.text == "情景与运行" for t in d.find_elements(By.CSS_SELECTOR, ".tab")))
    assert d.execute_script("return localStorage.getItem('parksim-lang')") == "zh"
    tab(d, "情景与运行")
    assert "国家级园区投资强度门槛（万元/亩）" in wait(d, lambda d: d.find_element(By.ID, "rule-E1")).text
    d.delete_all_cookies()                                          # localStorage alone brings it back
    d.get(url)
    wait(d, lambda d: any(t.text == "情景与运行" for t in d.find_elements(By.CSS_SELECTOR, ".tab")))
    tab(d, "情景与运行")
    wait(d, lambda d: d.find_elements(By.ID, "replications"))
    set_replications(d, 2)
    run_and_wait_zh = d.find_element(By.ID, "run")
    run_and_wait_zh.click()
    wait(d, lambda d: "完成" in d.find_element(By.ID, "status").text)
    tab(d, "时间序列")
    wait(d, lambda d: traces_drawn(d, "fan-output") >= 3)
    assert d.execute_script("return document.querySelector('#fan-output .js-plotly-plot').layout.yaxis.title.text") \
        == "亿元"
    tab(d, "指标说明")
    assert "产业集聚指数 (EG γ)" in d.find_element(By.CSS_SELECTOR, ".glossary").text
    assert "eg_gamma_mean" not in d.find_element(By.TAG_NAME, "body").text
    assert console_errors(d) == []
    assert off_host_requests(d) == []


def card_rule(driver, card: str, rid: str):
    return driver.find_element(By.CSS_SELECTOR, f"#card-{card} [id*='\"rule\":\"{rid}\"'][id*='g-block']")


def test_guided_comparison_end_to_end(dashboard, browser):
    """The workshop's main flow in Chinese at 1280×720: presets in cards A and B, the preset's rules
    first, search, a prerequisite switched on with a note, changed levers highlighted, one button runs
    both on common seeds, a plain-language verdict per headline metric, cost per job and the fiscal balance
    of A and B side by side."""
    url, app = dashboard
    d = browser
    d.set_window_size(1280, 720)
    open_dashboard(d, url, "zh", start=None)
    session = session_id(d)
    choose(d, "g-preset-A", "tiny_base")
    choose(d, "g-preset-B", "tiny_lanzhou")
    first = wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#card-B .preset-rules .rule"))
    assert first[0].text.split()[0] == "L1"                         # Lanzhou's own rules come first
    assert not d.find_elements(By.CSS_SELECTOR, "#card-A .preset-rules .rule")   # the baseline switches none on
    search = d.find_element(By.ID, "g-search-B")
    search.send_keys("末位淘汰")
    wait(d, lambda d: [r.text.split()[0] for r in d.find_elements(By.CSS_SELECTOR, "#card-B .rule")
                       if r.is_displayed()] == ["V4"])
    v4 = d.find_element(By.CSS_SELECTOR, "#card-B .rule:not([style*='none']) input[type=checkbox]")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", v4)
    v4.click()
    wait(d, lambda d: "V1" in d.find_element(By.ID, "g-changed-B").text
         or "V4" in d.find_element(By.ID, "g-changed-B").text)
    search.send_keys(Keys.CONTROL, "a")
    search.send_keys(Keys.BACKSPACE)
    changed = wait(d, lambda d: [r.text.split()[0] for r in d.find_elements(By.CSS_SELECTOR, "#card-B .rule.changed")])
    assert changed == ["V4"]                                          # V1 is Lanzhou's own: on already, no note
    choose(d, "g-preset-B", "tiny_base")
    wait(d, lambda d: not d.find_elements(By.CSS_SELECTOR, "#card-B .preset-rules .rule"))
    d.find_element(By.ID, "g-search-B").send_keys("V4")
    v4 = wait(d, lambda d: next(r for r in d.find_elements(By.CSS_SELECTOR, "#card-B .rule") if r.is_displayed()))
    v4.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    note = wait(d, lambda d: d.find_element(By.ID, "g-note-B").text)
    assert "V1" in note and "V4" in note                              # the prerequisite, switched on with a note
    d.find_element(By.ID, "g-search-B").send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    wait(d, lambda d: sorted(r.text.split()[0] for r in d.find_elements(By.CSS_SELECTOR, "#card-B .rule.changed"))
         == ["V1", "V4"])
    box = d.find_element(By.ID, "g-replications")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("3")
    d.find_element(By.ID, "g-run").click()
    head = wait(d, lambda d: d.find_element(By.CSS_SELECTOR, "#g-verdict .verdict-head").text
                if d.find_elements(By.CSS_SELECTOR, "#g-verdict .verdict-head") else None)
    assert head.startswith("B 相对 A（打开 V1") and "V4" in head
    lines = wait(d, lambda d: [li.text for li in d.find_elements(By.CSS_SELECTOR, "#g-verdict li")] or None)
    assert lines[0].startswith("工业产值：") and all(("随机波动" in x or "无定义" in x) for x in lines)
    costs = d.find_element(By.CSS_SELECTOR, "#g-verdict table").text     # issue 13 item 3: side by side
    assert "每个新增就业岗位的财政投入" in costs and "财政净收支（现值）" in costs and "方案 B" in costs
    job = wait(d, lambda d: next((j for j in app.manager.jobs(session)[-1:] if j.status == "done"), None))
    a, b = job.results.values()
    assert job.parts == 2 and a.metrics["seed"].tolist() == b.metrics["seed"].tolist() and len(a.metrics) == 3
    d.execute_script("document.getElementById('g-verdict').scrollIntoView({block: 'end'})")
    d.save_screenshot(str(Path(os.environ.get("PARKSIM_SCREENSHOTS", d.downloads)) / "guided_zh_1280x720.png"))
    assert console_errors(d) == []
    assert off_host_requests(d) == []


SMALL_TEXT_JS = """
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e || !e.getClientRects().length) { continue; }
    const r = e.getBoundingClientRect(), st = getComputedStyle(e);
    if (r.width === 0 || st.visibility === 'hidden' || r.bottom < 0 || r.top > innerHeight) { continue; }
    if (parseFloat(st.fontSize) < 16) { out.push(n.textContent.trim().slice(0, 30) + ' ' + st.fontSize); }
}
return out;"""


def visible_fans(driver) -> list[str]:
    return driver.execute_script("return Array.from(document.querySelectorAll('#fans > .card'))"
                                 ".filter(c => c.offsetParent !== null).map(c => c.querySelector('.dash-graph').id)")


def test_projector_mode_at_1280x720(dashboard, browser):
    """Projector: every visible text 16 px or more, one chart at a time with next and previous, and no
    chart title under the toolbar, at 1280×720."""
    url, _ = dashboard
    d = browser
    d.set_window_size(1280, 720)
    open_dashboard(d, url, "zh", start="情景与运行")
    wait(d, lambda d: d.find_elements(By.ID, "replications"))
    set_replications(d, 2)
    d.find_element(By.ID, "run").click()
    wait(d, lambda d: "完成" in d.find_element(By.ID, "status").text)
    d.find_element(By.XPATH, "//label[contains(., '投影模式')]").click()
    tab(d, "时间序列")
    wait(d, lambda d: len(visible_fans(d)) == 1 and traces_drawn(d, visible_fans(d)[0]) >= 3)
    first = visible_fans(d)[0]
    time.sleep(1)
    assert d.execute_script(SMALL_TEXT_JS) == []
    title, graph = (d.find_element(By.CSS_SELECTOR, f"#{first} {sel}").rect for sel in (".gtitle", ".main-svg"))
    assert title["x"] >= graph["x"] and title["x"] + title["width"] <= graph["x"] + graph["width"]
    bars = [b.rect for b in d.find_elements(By.CSS_SELECTOR, f"#{first} .modebar") if b.is_displayed()]
    assert all(b["y"] + b["height"] <= title["y"] or b["x"] >= title["x"] + title["width"] for b in bars)
    d.find_element(By.ID, "slide-next").click()
    wait(d, lambda d: visible_fans(d) != [first] and len(visible_fans(d)) == 1)
    d.find_element(By.ID, "slide-prev").click()
    wait(d, lambda d: visible_fans(d) == [first])
    d.refresh()                                                       # the choice is remembered
    wait(d, lambda d: d.execute_script("return document.body.classList.contains('projector')"))
    assert console_errors(d) == []


CRAFTED_JS = """
const [path, done] = arguments;
fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({output: 'sweep.figure', outputs: {id: 'sweep', property: 'figure'},
        inputs: [{id: 'sweep-store', property: 'value', value: path},
                 {id: 'sweep-metric', property: 'value', value: 'output'}],
        changedPropIds: ['sweep-store.value'], state: []})})
    .then(r => r.text()).then(done, e => done('error ' + e));"""


def test_sweep_picker_refuses_a_crafted_path(dashboard, browser):
    """The picker offers store names only; a request naming a path (or another store) is refused and
    nothing is read from it."""
    url, _ = dashboard
    d = browser
    open_dashboard(d, url, start="Sweeps")
    d.find_element(By.ID, "sweep-store").click()
    options = wait(d, lambda d: [o.text for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")
                                 if o.text not in ("中文", "English", "Projector")])
    assert options == ["tiny_sweep"]
    store = d.execute_async_script(CRAFTED_JS, "tiny_sweep")
    assert "E1 National-park intensity threshold" in store and "Refused" not in store     # the name works
    for crafted in ("/etc", "../tiny_sweep", "runs/tiny_sweep", str(Path.cwd())):
        answer = d.execute_async_script(CRAFTED_JS, crafted)
        assert "Refused" in answer and "policy.E1.national" not in answer, crafted


def test_a_saved_run_is_reopened_after_a_server_restart(dashboard, browser):
    """A run is saved to the store; a new server on the same runs directory shows it to the same group
    (browser session), with its charts, and the facilitator view lists it."""
    from parksim.viz.app import create_app
    from parksim.viz.jobs import JobManager
    url, app = dashboard
    d = browser
    open_dashboard(d, url)
    session = session_id(d)
    set_replications(d, 2)
    choose(d, "scenario", "tiny_lanzhou")
    set_replications(d, 2)
    run_and_wait(d)
    label = app.manager.jobs(session)[-1].label
    assert app.manager.jobs(session)[-1].saved.wait(TIMEOUT)        # saved just after it shows done
    runs_dir = app.saved.root.parent
    restarted = create_app(runs_dir, [str(p) for p in sorted(runs_dir.parent.glob("tiny_*.toml"))[:2]],
                           JobManager("serial"))
    new_url = serve(restarted)
    d.get(new_url)
    d.execute_script("sessionStorage.setItem('session', JSON.stringify(arguments[0]))", session)
    open_dashboard(d, new_url, start="Time series")
    assert session_id(d) == session
    wait(d, lambda d: label in d.find_element(By.ID, "run-select").text)
    wait(d, lambda d: traces_drawn(d, "fan-output") >= 3)
    tab(d, "Room")
    wait(d, lambda d: label in d.find_element(By.ID, "room-runs").text)
    assert console_errors(d) == []


def graph_title(driver, graph_id: str) -> str:
    return driver.execute_script("const t = document.querySelector('#' + arguments[0] + ' .gtitle');"
                                 "return t ? t.textContent : '';", graph_id)


def test_guided_runs_a_and_b_on_two_maps_side_by_side_with_their_pickers(dashboard, browser):
    """After the guided comparison the map tab shows A and B side by side at 1280×720, each naming its run,
    replication and seed; each map has its own run and replication picker, the network tab has them too;
    switching tabs back and forth draws nothing again."""
    url, app = dashboard
    d = browser
    d.set_window_size(1280, 720)
    open_dashboard(d, url, start=None)
    session = session_id(d)
    choose(d, "g-preset-A", "tiny_base")
    choose(d, "g-preset-B", "tiny_lanzhou")
    box = d.find_element(By.ID, "g-replications")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("2")
    d.find_element(By.ID, "g-run").click()
    job = wait(d, lambda d: next((j for j in app.manager.jobs(session)[-1:] if j.status == "done"), None))
    a, b = job.results.values()
    tab(d, "Park map")
    wait(d, lambda d: f"{a.label}, replication" in graph_title(d, "map") and f"{b.label}, replication" in graph_title(d, "map-b"))
    assert [d.find_element(By.CSS_SELECTOR, f"#map-side-{s} h4").text for s in "ab"] == ["Run A", "Run B"]
    seeds = a.replication_seeds()
    assert f"replication 0 (seed {seeds[0]})" in graph_title(d, "map-b")
    left, right = (d.find_element(By.ID, f"map-side-{s}").rect for s in "ab")
    assert left["x"] + left["width"] <= right["x"] + 1 and abs(left["y"] - right["y"]) < 2      # side by side
    assert right["x"] + right["width"] <= 1280
    choose(d, "map-rep-b", f"seed {seeds[1]}")
    wait(d, lambda d: f"replication 1 (seed {seeds[1]})" in graph_title(d, "map-b"))
    assert f"replication 0 (seed {seeds[0]})" in graph_title(d, "map")                 # A keeps its own
    choose(d, "map-run-a", b.label)
    wait(d, lambda d: f"{b.label}, replication" in graph_title(d, "map"))
    time.sleep(1)
    d.execute_script("window.keptData = document.querySelector('#map .js-plotly-plot').data")
    tab(d, "Chain network")
    assert d.find_element(By.ID, "run-select").is_displayed() and d.find_element(By.ID, "rep-select").is_displayed()
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#flows .sankey-node"))
    tab(d, "Park map")
    time.sleep(2)                                                   # a redraw would replace the plot's data
    assert d.execute_script("return document.querySelector('#map .js-plotly-plot').data === window.keptData")
    assert console_errors(d) == []


def test_synthetic_scenario_map_shows_its_parks_on_the_outlines(dashboard, browser):
    """A synthetic world's map (issue 13): its parks at their generated positions on 河南's real outline,
    labelled, with its generated counties and cities, degrees on the axes (no invented km)."""
    url, app = dashboard
    d = browser
    open_dashboard(d, url)
    choose(d, "scenario", "tiny_base")
    set_replications(d, 2)
    run_and_wait(d)
    tab(d, "Park map")
    wait(d, lambda d: "synthetic province" in graph_title(d, "map"))
    names = d.execute_script("return document.querySelector('#map .js-plotly-plot').data.map(t => t.name)")
    assert "河南" in names and "counties (synthetic)" in names and "cities (synthetic)" in names
    run = app.manager.jobs(session_id(d))[-1].result
    last = run.parks_of(0)
    last = last[last["year"] == last["year"].max()]
    drawn = d.execute_script("return document.querySelector('#map .js-plotly-plot').data"
                             ".filter(t => !t.meta && !/synthetic/.test(t.name)).flatMap(t => Array.from(t.text))")
    assert sorted(drawn) == sorted(last["name"])                          # every park of the run is drawn
    assert d.find_elements(By.CSS_SELECTOR, "#map .annotation-text")      # labelled
    assert "km" not in d.find_element(By.CSS_SELECTOR, "#map .xtitle").text
    assert console_errors(d) == []


def test_c2_mode_and_burn_in_controls_reach_the_run(dashboard, browser):
    """The builder's C2 form (a radio) and burn-in box (run settings) go into the run's configuration;
    the Costs tab then shows the run's per-park costs, or says it has no finance table."""
    url, app = dashboard
    d = browser
    open_dashboard(d, url)
    choose(d, "scenario", "tiny_lanzhou")
    wait(d, lambda d: "Lanzhou" in d.find_element(By.ID, "scenario-description").text)
    target = d.find_element(By.CSS_SELECTOR, "#rule-C2 .choice input[value=target]")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    target.click()
    box = d.find_element(By.CSS_SELECTOR, ".sidebar .world-input input")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("2", Keys.TAB)
    set_replications(d, 2)
    status = run_and_wait(d)
    assert "C2.mode=target" in status and "burn_in=2" in status
    job = app.manager.jobs(session_id(d))[-1]
    assert job.result.config.policy.C2.mode == "target" and job.result.config.world.burn_in == 2
    tab(d, "Costs")
    if "finance" in job.result.tables:                                   # the store's finance table (cityfin)
        wait(d, lambda d: traces_drawn(d, "costs") == 2)
        assert d.find_elements(By.CSS_SELECTOR, "#costs-table td")
    else:
        wait(d, lambda d: "no finance table" in d.find_element(By.CSS_SELECTOR, "#costs").text)
    assert console_errors(d) == []
