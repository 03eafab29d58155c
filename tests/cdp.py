"""One headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe).

Starting Chromium costs seconds of CPU; the browser test opens every page of the site, so it
starts one browser and navigates it, instead of one `--dump-dom` and one `--screenshot` process
per page. The pipe (file descriptors 3 and 4 in the browser, NUL-separated JSON messages) needs
no port, so it also works from inside tests/offline/run-offline's network namespace."""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--hide-scrollbars", "--window-size=1280,1600"]

# After the load event: wait for MathJax's first typesetting pass where the page loads MathJax.
SETTLED_DOM = """(async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  if (document.querySelector('script[src*="mathjax" i]')) {
    for (let i = 0; i < 400 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
      await sleep(25);
    await MathJax.startup.promise;
  }
  return document.documentElement.outerHTML;
})()"""

# Sphinx's search page fills its result list asynchronously; wait until it reports it finished.
SEARCH_DOM = """(async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  for (let i = 0; i < 600; i++) {
    const summary = document.querySelector('#search-results .search-summary, #search-results p');
    if (summary && /found|did not match/i.test(summary.textContent)) break;
    await sleep(50);
  }
  return document.documentElement.outerHTML;
})()"""


def _above(fd, lowest):
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, lowest)
    os.close(fd)
    return moved


class Chromium:
    def __init__(self, executable, prefix=(), timeout=60):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # Move the browser's ends above 4, so that placing them on 3 and 4 overwrites neither.
        to_browser_r, from_browser_w = (_above(fd, 10) for fd in (to_browser_r, from_browser_w))
        # bash (dash takes one-digit descriptors only) puts the pipe ends where Chromium expects
        # them: 3 carries commands in, 4 carries answers out.
        argv = [*prefix, "bash", "-c", f'exec 3<&{to_browser_r} 4>&{from_browser_w} "$0" "$@"',
                executable, *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe",
                "about:blank"]
        self.proc = subprocess.Popen(argv, pass_fds=(to_browser_r, from_browser_w),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable", session=True)

    def _message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_browser], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium exited: " + self.proc.stderr.read().decode()[-2000:])
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method, params=None, session=False):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        try:
            os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise RuntimeError("Chromium exited: " + self.proc.stderr.read().decode()[-2000:]) from None
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            if reply.get("method") == "Page.loadEventFired":
                self.loaded = True

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"]["value"]

    def open(self, url, script=SETTLED_DOM):
        """Navigate, wait for the load event and the page's own scripts, return the DOM."""
        self.loaded = False
        self.send("Page.navigate", {"url": url}, session=True)
        deadline = time.monotonic() + self.timeout
        while not self.loaded:
            message = self._message(deadline)
            if message.get("method") == "Page.loadEventFired":
                self.loaded = True
        # A page that redirects (a meta refresh) may navigate away while we ask: ask again.
        for _ in range(100):
            try:
                return self.evaluate(script)
            except RuntimeError:
                time.sleep(0.1)
        return self.evaluate(script)

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.to_browser)
        os.close(self.from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
