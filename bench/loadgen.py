"""Load generators for ``POST`` benchmarks: ``wrk`` with a Lua script, or a lean
asyncio HTTP/1.1 client (keep-alive sockets, no HTTP library) in its own process.

Both send the same body with a unique ``source_ref`` per request
(``<prefix>-<connection or thread>-<n>``) and give the same figures: requests,
seconds, requests/s, latency p50/p99 in ms, errors (socket errors and answers
>= 400), and the CPU the client itself used (in cores), so a run can show that
the client was not the bottleneck.

Run alone (the Python client): ``python bench/loadgen.py URL --key K --prefix P``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REF = "@@SOURCE_REF@@"

#: the README's call-centre complaint; ``source_ref`` differs on every request
PAYLOAD: dict[str, Any] = {
    "source_ref": REF,
    "title": "Jalan berlubang di Jl. Teuku Umar",
    "content": "Jalan berlubang besar di depan pasar Kedaton, sudah dua minggu belum diperbaiki.",
    "region_code": "18.71",
    "location": {"text": "Jl. Teuku Umar, Kedaton, Bandar Lampung"},
    "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
}


def body_parts(payload: dict[str, Any] | None = None) -> tuple[str, str]:
    """The JSON body before and after its unique reference (``REF``)."""
    head, _, tail = json.dumps(payload or PAYLOAD, ensure_ascii=False).partition(REF)
    return head, tail


def read_texts(path: Path) -> list[str]:
    """The ``text`` of each line of a JSONL file (the labelled complaints' format)."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines if line.strip()]


def bodies(payload: dict[str, Any] | None, texts: list[str] | None) -> list[tuple[bytes, bytes]]:
    """The body's parts around ``REF``; with ``texts``, one body per text, as its
    ``content`` (its first line as the ``title``), sent in turn."""
    base = payload or PAYLOAD
    if not texts:
        return [tuple(part.encode() for part in body_parts(base))]  # type: ignore[misc]
    found = []
    for text in texts:
        title = text.strip().splitlines()[0][:80] if text.strip() else "-"
        varied = {**base, "title": title, "content": text}
        found.append(tuple(part.encode() for part in body_parts(varied)))
    return found  # type: ignore[return-value]


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


# -- wrk --------------------------------------------------------------------------------

_LUA = """
local prefix = "%(prefix)s"
local head = [==[%(head)s]==]
local tail = [==[%(tail)s]==]
local headers = {["Content-Type"] = "application/json", ["%(header)s"] = "%(value)s"}
local threads = {}
local n = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function request()
  n = n + 1
  return wrk.format("POST", nil, headers, head .. prefix .. "-" .. tid .. "-" .. n .. tail)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%%d,"duration_us":%%d,"socket_errors":%%d,"status_errors":%%d,' ..
    '"p50_us":%%d,"p99_us":%%d,"max_us":%%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def run_wrk(
    url: str,
    *,
    key: str,
    prefix: str,
    connections: int,
    seconds: float,
    workdir: Path,
    payload: dict[str, Any] | None = None,
    auth: tuple[str, str] | None = None,
    texts: Path | None = None,
) -> dict[str, Any]:
    """One ``wrk -t1`` run: one client thread keeps ``connections`` requests in flight.

    Sends ``X-API-Key: key`` (or the ``auth`` header given as ``(name, value)``) and
    ``payload`` (default :data:`PAYLOAD`) with ``REF`` replaced by a unique reference.
    ``texts`` is the Python client's alone.
    """
    if texts is not None:
        raise ValueError("varied texts need the Python client (--client python)")
    head, tail = body_parts(payload)
    header, value = auth or ("X-API-Key", key)
    script = workdir / f"post-{prefix}.lua"
    fields = {"prefix": prefix, "head": head, "tail": tail, "header": header, "value": value}
    script.write_text(_LUA % fields)
    out = workdir / f"wrk-{prefix}.out"
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    with open(out, "wb") as f:
        proc = subprocess.Popen([*args, "-s", str(script), url], stdout=f, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text()
    line = next((x for x in text.splitlines() if x.startswith("WRK_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{text}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    took = raw["duration_us"] / 1e6
    return {
        "client": "wrk",
        "requests": raw["requests"],
        "seconds": round(took, 2),
        "rps": round(raw["requests"] / took, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": raw["socket_errors"] + raw["status_errors"],
        "client_cores": round((usage.ru_utime + usage.ru_stime) / took, 2),
    }


# -- the Python client ---------------------------------------------------------------------


def run_python(
    url: str,
    *,
    key: str,
    prefix: str,
    connections: int,
    seconds: float,
    workdir: Path,
    payload: dict[str, Any] | None = None,
    texts: Path | None = None,
) -> dict[str, Any]:
    """The asyncio client below, in a separate process (``payload``: as :func:`run_wrk`;
    ``texts``: a JSONL file whose texts the requests carry in turn, see :func:`bodies`)."""
    args = [sys.executable, __file__, url, "--key", key, "--prefix", prefix]
    args += ["--connections", str(connections), "--seconds", str(seconds)]
    if payload is not None:
        args += ["--payload", json.dumps(payload, ensure_ascii=False)]
    if texts is not None:
        args += ["--texts", str(texts)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"load generator failed:\n{err}")
    found: dict[str, Any] = json.loads(out)
    found["client_cores"] = round((usage.ru_utime + usage.ru_stime) / found["seconds"], 2)
    return found


async def _connection(
    host: str,
    port: int,
    head: bytes,
    parts: list[tuple[bytes, bytes]],
    start: int,
    name: str,
    deadline: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    n = 0
    try:
        while time.perf_counter() < deadline:
            n += 1
            before, after = parts[(start + n) % len(parts)]
            body = before + f"{name}-{n}".encode() + after
            started = time.perf_counter()
            writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
            header = await reader.readuntil(b"\r\n\r\n")
            status = int(header[9:12])
            length = 0
            for line in header.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                errors.append(status)
    finally:
        writer.close()


async def _load(
    url: str,
    key: str,
    prefix: str,
    connections: int,
    seconds: float,
    payload: dict[str, Any] | None = None,
    texts: list[str] | None = None,
) -> None:
    parsed = urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    head = (
        f"POST {parsed.path} HTTP/1.1\r\nHost: {host}:{port}\r\nX-API-Key: {key}\r\n"
        "Content-Type: application/json\r\nContent-Length: "
    ).encode()
    parts = bodies(payload, texts)
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(
                host,
                port,
                head,
                parts,
                i * len(parts) // connections,
                f"{prefix}-{i}",
                deadline,
                latencies,
                errors,
            )
            for i in range(connections)
        )
    )
    took = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 2)

    print(
        json.dumps(
            {
                "client": "python-asyncio",
                "requests": len(latencies),
                "seconds": round(took, 2),
                "rps": round(len(latencies) / took, 1),
                "p50_ms": pct(50),
                "p99_ms": pct(99),
                "max_ms": round(latencies[-1] * 1000, 2),
                "errors": len(errors),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--key", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--payload", help="the JSON body, with REF where the reference goes")
    parser.add_argument("--texts", type=Path, help="JSONL: each request carries the next text")
    args = parser.parse_args()
    payload = json.loads(args.payload) if args.payload else None
    texts = read_texts(args.texts) if args.texts else None
    load = _load(args.url, args.key, args.prefix, args.connections, args.seconds, payload, texts)
    try:
        import uvloop
    except ImportError:
        asyncio.run(load)
    else:
        uvloop.run(load)


if __name__ == "__main__":
    main()
