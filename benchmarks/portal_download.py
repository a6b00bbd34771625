"""Download benchmark: naive click-per-file vs the ERA flow's cookie-carrying request pool, at server latency.

200 payments (835 + PDF each) from the sandbox portal with 50 ms added to every request. The naive way clicks
each link and waits for the download (reloading every ten clicks, which headless Chromium requires); the
flow fetches the links with the page's cookies (``context.request``), six at a time, while it pages on.
Prints both times, the ratio (target >= 4x) and the peak RSS of this process plus Chromium's.
Usage: ``python benchmarks/portal_download.py [--payments 200] [--latency 50] [--pool 6]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import psutil
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connector.browser import BrowserSession, TotpSource, save_storage_state
from connector.sandbox.server import SandboxServer
from connector.selectormap import load_map
from flows.downloads import DEFAULT_POOL
from flows.eras import download_eras, search_payments
from flows.portal import PortalPage
from flows.signin import sign_in


class PeakRss:
    """Samples the RSS of this process and its children (Chromium) every 50 ms; keeps the peak."""

    def __init__(self) -> None:
        self.peak = 0
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        self.peak = max(self.peak, total)
        return total

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(0.05)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


async def naive(portal: PortalPage, dest: Path, since: dt.date, until: dt.date) -> int:
    """Click every 835 and PDF link, wait for each download, save it; reload after every ten clicks."""
    page, smap = portal.page, portal.smap
    await search_payments(portal, since, until)
    saved = 0
    while True:
        rows = await smap.find(page, "payments.row")
        for i in range(await rows.count()):
            for name in ("payments.row_835", "payments.row_pdf"):
                await portal.click_budget("bench")
                link = await smap.find(rows.nth(i), name, timeout_s=5)
                async with page.expect_download() as info:
                    await link.click()
                download = await info.value
                await download.save_as(dest / f"naive-{saved}")
                saved += 1
        if not await smap.present(page, "payments.next"):
            return saved
        await (await smap.find(page, "payments.next")).click()
        await portal.after_action("bench")


async def main(payments: int, latency_ms: int, pool: int) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-download-") as tmp:
        root = Path(tmp)
        server = SandboxServer(root / "sandbox", payments=payments, faults={"announcement": 0}).start()
        smap = load_map("sandbox-v1")
        since, until = dt.date(2000, 1, 1), server.data.as_of + dt.timedelta(days=1)
        rss = PeakRss()
        try:
            async with BrowserSession() as browser:
                rss.start()
                context = await browser.new_context()
                signer = PortalPage(context, await context.new_page(), smap, server.base_url)
                totp = TotpSource(server.totp_secret)
                await sign_in(signer, server.username, SecretStr(server.password), totp)
                state = root / "state.json"
                await save_storage_state(context, state)
                await context.close()
                server.set_fault("latency", latency_ms)

                context = await browser.new_context(state)
                portal = PortalPage(context, await context.new_page(), smap, server.base_url)
                start = time.perf_counter()
                clicked = await naive(portal, root / "naive", since, until)
                naive_s = time.perf_counter() - start
                await context.close()

                context = await browser.new_context(state)
                portal = PortalPage(context, await context.new_page(), smap, server.base_url)
                start = time.perf_counter()
                got = await download_eras(
                    portal, root / "flow", since=since, until=until, method="request", pool=pool
                )
                flow_s = time.perf_counter() - start
                await context.close()
                await rss.stop()
        finally:
            server.stop()
    listed = len(got.listings)
    ratio = naive_s / flow_s
    print(f"sandbox: {payments} payments, {listed} listed on {got.pages} pages, {latency_ms} ms latency")
    per_file = naive_s / clicked * 1e3
    print(f"naive click + expect_download: {clicked} files in {naive_s:.2f} s ({per_file:.1f} ms/file)")
    print(f"flow (context.request, pool {pool}): {len(got.files)} files in {flow_s:.2f} s")
    print(f"ratio: {ratio:.1f}x (target >= 4x)")
    print(f"peak RSS (python + chromium): {rss.peak / 2**20:.0f} MiB")
    if clicked != len(got.files):
        raise SystemExit(f"file counts differ: naive {clicked}, flow {len(got.files)}")
    return ratio


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--latency", type=int, default=50, help="milliseconds added to every request")
    parser.add_argument("--pool", type=int, default=DEFAULT_POOL)
    args = parser.parse_args()
    asyncio.run(main(args.payments, args.latency, args.pool))
