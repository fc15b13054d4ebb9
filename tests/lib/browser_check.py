#!/usr/bin/env python3
"""browser_check.py - open an HTML page in headless Chromium and say whether it is whole and offline.

    browser_check.py PAGE.html [CHROMIUM]

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: no port, no
websocket library): a new tab with the Network domain on, the page loaded from file://, then
every <img> examined in the page itself. Only the tab's own requests count; Chromium's
background traffic (updates, time) is another target's. Prints one JSON object:
{"images": [{"src", "complete", "width", "height"}], "requests": [URL, ...], "title": ...}
and exits 0; 1 when Chromium cannot be driven (it says why).
"""
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    page = os.path.abspath(sys.argv[1])
    chromium = sys.argv[2] if len(sys.argv) > 2 else "chromium"
    profile = tempfile.mkdtemp(prefix="perfrl-chromium-")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def child_fds():
        # Chromium reads the protocol from fd 3 and writes it to fd 4 (moved out of the way
        # first: a pipe's own fd may be 3 or 4). The fds kept open are 3 and 4 (pass_fds).
        r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
        os.dup2(r, 3)
        os.dup2(w, 4)

    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
         "--user-data-dir=" + profile, "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "about:blank"],
        pass_fds=(3, 4, to_chrome_r, from_chrome_w), preexec_fn=child_fds,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    out = os.fdopen(to_chrome_w, "wb", buffering=0)
    inp = os.fdopen(from_chrome_r, "rb", buffering=0)
    buf = b""
    ids = [0]
    events = []

    def send(method, params=None, session=None):
        ids[0] += 1
        msg = {"id": ids[0], "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        out.write(json.dumps(msg).encode() + b"\0")
        return ids[0]

    def read_message(deadline):
        nonlocal buf
        while b"\0" not in buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = inp.read(65536)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            buf += chunk
        msg, buf = buf.split(b"\0", 1)
        return json.loads(msg)

    def call(method, params=None, session=None, timeout=30):
        want = send(method, params, session)
        deadline = time.time() + timeout
        while True:
            m = read_message(deadline)
            if m.get("id") == want:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            events.append(m)

    try:
        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        call("Network.enable", {}, session)
        call("Page.enable", {}, session)
        call("Page.navigate", {"url": "file://" + page}, session)
        deadline = time.time() + 60
        while not any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session
                      for e in events):
            events.append(read_message(deadline))
        expr = ("JSON.stringify({title: document.title, images: Array.from(document.images).map("
                "i => ({src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth, "
                "height: i.naturalHeight}))})")
        res = call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session)
        seen = json.loads(res["result"]["value"])
        seen["requests"] = [e["params"]["request"]["url"] for e in events
                            if e.get("method") == "Network.requestWillBeSent"
                            and e.get("sessionId") == session]
        print(json.dumps(seen))
        try:
            send("Browser.close")
        except OSError:
            pass
        return 0
    except (TimeoutError, EOFError, RuntimeError, KeyError, OSError) as e:
        print("browser_check: %s" % e, file=sys.stderr)
        return 1
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        subprocess.run(["rm", "-rf", profile])


if __name__ == "__main__":
    sys.exit(main())
