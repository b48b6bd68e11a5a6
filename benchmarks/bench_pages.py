"""What each page of the built book weighs and how soon a reader sees it, in headless Chromium.

Run after a build (``jupyter-book build --all .``):
``.venv/bin/python benchmarks/bench_pages.py [--label after] [--repeats 5] [--slow-repeats 3]``.
Writes the run under ``--label`` in ``benchmarks/results/pages.json`` (other labels are kept:
"before" and "after" a change live side by side).

Per page of ``_toc.yml``:

- **weight**: the page's HTML file (``html_bytes``), and everything the page really loads at
  the desktop size (``loaded_bytes``): the HTML plus every local file Chromium requested while
  loading it and MathJax typeset (scripts, style sheets, fonts, images), each counted once,
  sizes on disk (uncompressed); ``loaded_gzip_bytes`` is the same files gzipped, about what a
  web host that compresses sends; ``plotly_js``: whether plotly.min.js was among them.
- **first contentful paint** (``performance.getEntriesByType('paint')``), the median of
  ``--repeats`` fresh loads in a new tab with the cache off: ``desktop`` (1400 x 900, from
  disk), ``phone`` (390 x 844, mobile and touch emulation, from disk) and ``phone_slow`` (the
  same over a local HTTP server with the line throttled to 1.6 Mbit/s down, 750 kbit/s up,
  150 ms round trip, like Chrome's "slow 4G"; files sent uncompressed: a worst case).

The load average is recorded beside the times: other work on this shared 2-core machine
stretches every paint.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import importlib.util
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml
from _common import RESULTS, machine_info, write_results

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SLOW_LINE = {  # bytes per second and ms, as Chrome DevTools' "slow 4G" preset
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6e6 / 8,
    "uploadThroughput": 750e3 / 8,
}
SIZES = {"desktop": (1400, 900, False), "phone": (390, 844, True)}


def _browser_module():
    spec = importlib.util.spec_from_file_location("browser", ROOT / "tests" / "browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = toc.get("chapters", []) + [
        c for part in toc.get("parts", []) for c in part.get("chapters", [])
    ]
    return [toc["root"]] + [c["file"] for c in chapters]


def _local_path(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "http" and parsed.hostname == "127.0.0.1":
        return HTML / unquote(parsed.path).lstrip("/")
    return None


def _open(browser, url: str, size: str, throttle: dict | None = None):
    """A fresh tab at ``size``, cache off (and the line throttled), loaded with ``url``."""
    width, height, mobile = SIZES[size]
    page = browser.open("about:blank", width, height, mobile=mobile, scale=2 if mobile else 1)
    page.send("Page.bringToFront")  # a background tab does not paint
    page.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle:
        page.send("Network.emulateNetworkConditions", throttle)
    page.requests.clear()
    page.navigate(url)
    return page


def first_paint_ms(page) -> float | None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        value = page.eval(
            "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
        )
        if value is not None:
            return round(value, 1)
        page.pump(0.1)
    return None


def weight(browser, name: str) -> dict:
    page = _open(browser, (HTML / f"{name}.html").as_uri(), "desktop")
    page.pump(1.0)  # fonts and MathJax's late components
    files = {}
    for url in page.requests:
        path = _local_path(url)
        if path is not None and path.is_file():
            files[path] = path.stat().st_size
    page.close()
    html = HTML / f"{name}.html"
    files[html] = html.stat().st_size
    return {
        "html_bytes": html.stat().st_size,
        "loaded_bytes": sum(files.values()),
        "loaded_gzip_bytes": sum(len(gzip.compress(p.read_bytes(), 6)) for p in files),
        "loaded_files": len(files),
        "plotly_js": any(p.name == "plotly.min.js" for p in files),
    }


def paint_times(browser, url: str, size: str, repeats: int, throttle=None) -> dict:
    times = []
    for _ in range(repeats):
        page = _open(browser, url, size, throttle)
        times.append(first_paint_ms(page))
        page.close()
    measured = [t for t in times if t is not None]
    median = round(statistics.median(measured), 1) if measured else None
    return {"median_ms": median, "runs_ms": times}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="after", help="key in results/pages.json")
    parser.add_argument("--repeats", type=int, default=5, help="loads per page from disk")
    parser.add_argument("--slow-repeats", type=int, default=3, help="loads on the slow line")
    parser.add_argument("--note", default="", help="what this build is")
    args = parser.parse_args(argv)
    if not (HTML / "index.html").exists():
        raise SystemExit(f"no built book in {HTML}: run jupyter-book build --all . first")
    handler = functools.partial(_Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    result = {"machine": machine_info(), "note": args.note, "slow_line": SLOW_LINE, "pages": {}}
    browser_mod = _browser_module()
    try:
        with browser_mod.Browser(timeout=240) as browser:
            for name in pages():
                url = (HTML / f"{name}.html").as_uri()
                entry = weight(browser, name)
                for size in SIZES:
                    entry[f"fcp_{size}"] = paint_times(browser, url, size, args.repeats)
                entry["fcp_phone_slow"] = paint_times(
                    browser, f"{base}/{name}.html", "phone", args.slow_repeats, SLOW_LINE
                )
                result["pages"][name] = entry
                print(
                    f"{name:40s} html {entry['html_bytes'] / 1e6:5.2f} MB  loaded "
                    f"{entry['loaded_bytes'] / 1e6:5.2f} MB (gzip "
                    f"{entry['loaded_gzip_bytes'] / 1e6:4.2f})  plotly.js "
                    f"{'yes' if entry['plotly_js'] else 'no ':3s}  FCP desktop "
                    f"{entry['fcp_desktop']['median_ms']} ms, phone "
                    f"{entry['fcp_phone']['median_ms']} ms, slow line "
                    f"{entry['fcp_phone_slow']['median_ms']} ms"
                )
    finally:
        server.shutdown()
    result["machine"]["load_average_end"] = machine_info()["load_average"]
    out = write_results(RESULTS / "pages.json", result, args.label)
    print(f"wrote {out} [{args.label}]")
    return result


if __name__ == "__main__":
    main()
