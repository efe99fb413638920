#!/usr/bin/env python3
"""Times `signpost serve` from saving a page to the reload event reaching the page.

    scripts/bench-serve.py [--pages 10000] [--edits 20] [--kind body|title] [--bin PATH]

Generates the benchmark corpus (../shared/bench/gen_corpus.py) in /dev/shm unless it is
there already, starts `signpost serve --port 0` on it, opens the reload channel the way
an open page does (`__signpost/events?file=...&v=...&at=...`), then saves one page
EDITS times the way editors do (write a temporary file, rename it over the page) and
measures from just before the rename to the `reload` event arriving on the socket.
`--kind body` edits a paragraph (the common case); `--kind title` edits the front
matter, which also rebuilds the tag pages and the sitemap. Prints the median and the
spread; docs/serve.md quotes them.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def make_corpus(pages: int, root: Path, gen: Path) -> None:
    if (root / "site.yaml").exists():
        return
    content = root / "content"
    subprocess.run(
        [sys.executable, str(gen), "--pages", str(pages), "--out", str(content), "--format", "plain"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    sidebars = content / "_data" / "sidebars"
    sidebars.mkdir(parents=True)
    (sidebars / "main_sidebar.yml").write_text(
        "entries:\n- title: sidebar\n  folders:\n  - title: Start\n    folderitems:\n"
        "    - title: Home\n      url: /index.html\n"
    )
    (root / "site.yaml").write_text(f"title: Serve benchmark ({pages} pages)\nbase_url: /\nsidebar: main_sidebar\n")


def start_server(binary: str, root: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [binary, "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in server.stdout:
        match = re.match(r"Serving (http://\S+)", line)
        if match:
            return server, match.group(1)
    raise SystemExit("signpost serve stopped before printing its address")


def get(host: str, port: int, path: str) -> str:
    with socket.create_connection((host, port)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while data := s.recv(65536):
            chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


class Channel:
    """The reload channel of one page, read line by line from a plain socket."""

    def __init__(self, host: str, port: int, path: str):
        self.sock = socket.create_connection((host, port))
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
        self.buffer = b""
        self.wait("errors")

    def wait(self, name: str, timeout: float = 30.0) -> None:
        self.sock.settimeout(timeout)
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                if line.strip() == f"event: {name}".encode():
                    return
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit("the reload channel closed")
            self.buffer += data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--kind", choices=["body", "title"], default="body")
    parser.add_argument("--bin", default=str(REPO / "target" / "release" / "signpost"))
    parser.add_argument("--dir", default=os.environ.get("BENCH_DIR", "/dev/shm/signpost-bench-serve"))
    parser.add_argument("--gen", default=str(REPO.parent / "shared" / "bench" / "gen_corpus.py"))
    args = parser.parse_args()

    root = Path(args.dir) / f"site-{args.pages}"
    make_corpus(args.pages, root, Path(args.gen))
    page = sorted((root / "content").rglob("*.md"))[len(list((root / "content").rglob("*.md"))) // 2]
    output = page.relative_to(root / "content").with_suffix(".html").as_posix()
    original = page.read_text()

    started = time.monotonic()
    server, url = start_server(args.bin, root)
    print(f"{args.pages} pages served at {url} after {time.monotonic() - started:.1f} s; editing {output}")
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    port = int(port)
    try:
        html = get(host, port, f"/{output}")
        v = re.search(r'data-v="(\d+)"', html).group(1)
        at = re.search(r'data-at="(\d+)"', html).group(1)
        channel = Channel(host, port, f"/__signpost/events?file={output}&v={v}&at={at}")
        times = []
        for i in range(args.edits):
            if args.kind == "body":
                text = original.replace("\n## ", f"\nEdit number {i} of the benchmark.\n\n## ", 1)
            else:
                text = re.sub(r"^title: .*$", f'title: "Benchmark title {i}"', original, count=1, flags=re.M)
            tmp = page.with_name(f".{page.name}.tmp")
            tmp.write_text(text)
            t0 = time.perf_counter()
            os.replace(tmp, page)
            channel.wait("reload")
            times.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.3)
    finally:
        page.write_text(original)
        server.terminate()
        server.wait()
    times.sort()
    print(
        f"save -> reload event, {args.kind} edits, {len(times)} saves: median {statistics.median(times):.1f} ms, "
        f"min {times[0]:.1f} ms, p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, max {times[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
