"""A real Kannel (Debian's bearerbox and smsbox) on loopback, with a fake SMSC we drive.

Kannel's ``smsc = fake`` connection listens on a TCP port for one client and speaks a line
protocol both ways: ``<sender> <receiver> <type> <payload>\\n`` (gw/smsc/smsc_fake.c).
Kannel's own client, ``/usr/lib/kannel/test/fakesmsc``, sends only what its argv generates
and then prints the replies, so ``FakeSmsc`` here is that client in Python: one connection
for the whole context, MO messages written on demand, MT messages read by a thread.

The wire types of Kannel 1.4.5 (checked against the real bearerbox):

- MO, written by us: ``text`` is the raw payload, taken as 7-bit GSM (Kannel holds 7-bit
  text as UTF-8, so ``é`` is sent as its UTF-8 bytes); ``ucs2`` is URL-encoded UTF-16BE,
  taken as UCS-2. ``send_mo`` picks ``text`` when a phone would send GSM 7-bit and the text
  fits on one line, else ``ucs2``. smsbox runs with ``mo-recode = true``, so a UCS-2 MO
  reaches the gateway as UTF-8 with coding 0, like a GSM one.
- MT, written by Kannel: ``text <raw UTF-8>`` for 7-bit (a newline in the text ends the
  line: the next line is its continuation), ``ucs-2 <URL-encoded UTF-16BE>``,
  ``data <URL-encoded>`` for 8-bit, and for each part of a concatenated message
  ``udh <URL-encoded UDH> data <URL-encoded payload>``, which does not say the coding.

Delivery reports come from bearerbox, not from the client: with ``dlr-mask`` 8 it reports
8 (SMSC accepted, ``%A`` = ``ACK/``) once the line is written, with 1 or 2 it reports 1
(delivered) right after; one pair per message, also for a concatenated one.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from tests.support import child_process, free_port, scaled, wait_until

if TYPE_CHECKING:
    from gateway.bootstrap import Container

BEARERBOX = Path("/usr/sbin/bearerbox")
SMSBOX = Path("/usr/sbin/smsbox")

#: What the sms-service appends to the gateway's get-url; smsbox fills in one MO each GET.
#: ``%b`` is the whole text, exactly (``%a`` would squeeze runs of spaces and drop newlines);
#: ``%t`` is UTC as ``YYYY-MM-DD+HH:MM:SS``; ``%c`` is 0 (7-bit, also a recoded UCS-2),
#: 1 (8-bit) or 2 (UCS-2 that could not be recoded); ``%C`` the charset of ``%b``.
MO_QUERY = "from=%p&to=%P&text=%b&id=%I&ts=%t&smsc=%i&coding=%c&charset=%C"

# GSM 03.38: the default alphabet and its extension table (escaped with ESC).
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    "\f^{}\\[~]|€"
)


def missing() -> str | None:
    """Why Kannel cannot run on this machine, or None when it can."""
    absent = [str(path) for path in (BEARERBOX, SMSBOX) if not path.exists()]
    if not absent:
        return None
    return f"needs Debian's kannel ({', '.join(absent)} missing); `make pytest` installs it"


@dataclass(frozen=True)
class MT:
    """One SMS, or one part of a concatenated SMS, that Kannel handed to the SMSC."""

    sender: str
    receiver: str
    text: str  # decoded; a part of a concatenated message may end in half a character
    wire: str  # the line's type: text, ucs-2, data or udh
    payload: bytes  # as Kannel sent it: UTF-8 for 7-bit, UTF-16BE for UCS-2
    udh: bytes = b""

    @property
    def concat(self) -> tuple[int, int, int] | None:
        """(reference, parts, sequence) from a concatenation UDH, if there is one."""
        data, i = self.udh[1:], 0
        while i + 1 < len(data):
            iei, size, value = data[i], data[i + 1], data[i + 2 : i + 2 + data[i + 1]]
            if iei == 0 and size == 3:
                return value[0], value[1], value[2]
            if iei == 8 and size == 4:
                return value[0] << 8 | value[1], value[2], value[3]
            i += 2 + size
        return None


def reassemble(parts: list[MT]) -> list[MT]:
    """Whole messages: concatenated parts joined in sequence (complete ones only)."""
    whole: list[MT] = []
    groups: dict[tuple[str, str, int], list[MT]] = {}
    for part in parts:
        concat = part.concat
        if concat is None:
            whole.append(part)
            continue
        group = groups.setdefault((part.sender, part.receiver, concat[0]), [])
        group.append(part)
        if len(group) == concat[1]:
            group.sort(key=lambda p: p.concat[2] if p.concat else 0)
            payload = b"".join(p.payload for p in group)
            whole.append(MT(part.sender, part.receiver, _decode(payload), "udh", payload))
    return whole


def _decode(payload: bytes, wire: str = "udh") -> str:
    if wire == "ucs-2":
        return payload.decode("utf-16-be", errors="replace")
    if wire == "udh" and b"\0" in payload and len(payload) % 2 == 0:
        # The udh line does not carry the coding; NULs mean UTF-16BE, not UTF-8 text.
        return payload.decode("utf-16-be", errors="replace")
    return payload.decode("utf-8", errors="replace")


def _quote(value: bytes) -> bytes:
    return urllib.parse.quote_from_bytes(value, safe="").encode()


def _unquote(value: bytes) -> bytes:
    return urllib.parse.unquote_to_bytes(value.replace(b"+", b" "))


class FakeSmsc:
    """The fakesmsc client: one TCP connection to bearerbox's ``smsc = fake`` port."""

    def __init__(self, port: int) -> None:
        sock = wait_until(
            lambda: self._connect(port), timeout=10, what=f"the fake SMSC port {port}"
        )
        assert sock is not None
        sock.settimeout(None)
        self._sock = sock
        self._lock = threading.Lock()
        self._received: list[MT] = []
        self._reader = threading.Thread(target=self._read, name="fakesmsc", daemon=True)
        self._reader.start()

    @staticmethod
    def _connect(port: int) -> socket.socket | None:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=scaled(1))
        except OSError:
            return None

    def send(self, sender: str, receiver: str, text: str) -> None:
        for number in (sender, receiver):
            if not number or any(c.isspace() for c in number):
                raise ValueError(f"not a number for the fake SMSC: {number!r}")
        head = f"{sender} {receiver}".encode()
        if set(text) <= GSM7 and not set(text) & set("\n\r\f"):
            line = head + b" text " + text.encode()
        else:
            line = head + b" ucs2 " + _quote(text.encode("utf-16-be"))
        with self._lock:
            self._sock.sendall(line + b"\n")

    def received(self) -> list[MT]:
        with self._lock:
            return list(self._received)

    def close(self) -> None:
        with suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._reader.join(timeout=scaled(5))

    def _read(self) -> None:
        with self._sock.makefile("rb") as lines:
            try:
                for line in lines:
                    self._take(line.removesuffix(b"\n"))
            except OSError:
                return

    def _take(self, line: bytes) -> None:
        fields = line.split(b" ", 3)
        wire = fields[2].decode(errors="replace") if len(fields) == 4 else ""
        with self._lock:
            if wire not in ("text", "ucs-2", "data", "udh"):
                # A newline inside a 7-bit text: Kannel wrote it raw, so this line is the rest.
                if self._received and self._received[-1].wire == "text":
                    last = self._received.pop()
                    payload = last.payload + b"\n" + line
                    self._received.append(
                        MT(last.sender, last.receiver, _decode(payload, "text"), "text", payload)
                    )
                return
            sender, receiver, rest = fields[0].decode(), fields[1].decode(), fields[3]
            udh = b""
            if wire == "udh":
                raw_udh, _, rest = rest.partition(b" data ")
                udh = _unquote(raw_udh)
            payload = rest if wire == "text" else _unquote(rest)
            self._received.append(MT(sender, receiver, _decode(payload, wire), wire, payload, udh))


@dataclass
class Kannel:
    sendsms_url: str  # http://127.0.0.1:<sendsms-port>/cgi-bin/sendsms
    username: str  # the sendsms-user
    password: str
    smsc_id: str
    status_url: str  # bearerbox's /status.txt, with its password
    logs: Path  # bearerbox.log and smsbox.log
    _smsc: FakeSmsc = field(repr=False)

    def send_mo(self, sender: str, receiver: str, text: str) -> None:
        """A citizen's SMS, as the SMSC would deliver it to Kannel."""
        self._smsc.send(sender, receiver, text)

    def replies(self) -> list[MT]:
        """Every SMS (every part) Kannel has sent to the SMSC so far, in order."""
        return self._smsc.received()

    def messages(self) -> list[MT]:
        """``replies()`` with concatenated parts joined into whole messages."""
        return reassemble(self.replies())

    def texts_to(self, number: str) -> list[str]:
        """The whole messages sent to ``number`` (with or without its ``+``), in order."""
        return [m.text for m in self.messages() if m.receiver.lstrip("+") == number]

    def wait_text(self, number: str, pattern: str) -> str:
        """The first message to ``number`` that matches ``pattern``, once it has come."""

        def found() -> str | None:
            return next((t for t in self.texts_to(number) if re.search(pattern, t)), None)

        return wait_until(found, timeout=20, what=f"an SMS matching {pattern!r}")

    def log(self, box: str = "smsbox") -> str:
        return (self.logs / f"{box}.log").read_text(errors="replace")

    def status(self) -> str:
        return httpx.get(self.status_url, timeout=scaled(5)).text


CONFIG = """\
group = core
admin-port = {admin_port}
admin-interface = 127.0.0.1
admin-password = {admin_password}
status-password = {admin_password}
smsbox-port = {smsbox_port}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
dlr-storage = internal
{core_extra}
group = smsc
smsc = fake
smsc-id = {smsc_id}
port = {smsc_port}
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = {sendsms_port}
sendsms-interface = 127.0.0.1
mo-recode = true
{smsbox_extra}
group = sendsms-user
username = {username}
password = {password}
user-allow-ip = 127.0.0.1
concatenation = true
max-messages = {max_messages}

# Every MO goes to the gateway with GET; nothing it answers (a body, an empty body, an
# error page) is ever sent back as an SMS: max-messages 0 denies every reply.
group = sms-service
keyword = default
catch-all = true
get-url = "{get_url}"
omit-empty = true
max-messages = 0
"""


def _settings(values: dict[str, str] | None) -> str:
    return "".join(f"{key} = {value}\n" for key, value in (values or {}).items())


def _stop_first(bearerbox: subprocess.Popen[bytes]) -> None:
    """Stop bearerbox before smsbox: it hands what it still holds (late delivery reports)
    to smsbox, then tells smsbox to quit; with smsbox gone it would wait for one forever."""
    bearerbox.terminate()
    try:
        bearerbox.wait(timeout=scaled(10))
    except subprocess.TimeoutExpired:
        bearerbox.kill()


@contextmanager
def kannel(
    tmp: Path,
    get_url: str,
    *,
    max_messages: int = 3,
    core: dict[str, str] | None = None,
    smsbox: dict[str, str] | None = None,
) -> Iterator[Kannel]:
    """bearerbox, smsbox and a connected fake SMSC; MO messages go to ``get_url``.

    ``max_messages`` caps the parts of a concatenated sendsms message (smsbox ignores a
    ``max-messages`` request parameter); ``core`` and ``smsbox`` are more settings of
    those groups (``http-request-retry``, ``store-location``...). Logs go to ``tmp``;
    everything stops on exit.
    """
    if reason := missing():
        raise RuntimeError(reason)
    if '"' in get_url:
        raise ValueError(f"a quote cannot go into Kannel's configuration: {get_url!r}")
    ports = {name: free_port() for name in ("admin", "smsbox", "smsc", "sendsms")}
    admin_password = "status-secret"
    smsc_id = "fake"
    url = get_url.replace("%", "%%") + ("&" if "?" in get_url else "?") + MO_QUERY
    config = tmp / "kannel.conf"
    config.write_text(
        CONFIG.format(
            admin_port=ports["admin"],
            admin_password=admin_password,
            smsbox_port=ports["smsbox"],
            smsc_id=smsc_id,
            smsc_port=ports["smsc"],
            sendsms_port=ports["sendsms"],
            username="gateway",
            password="sendsms-secret",
            max_messages=max_messages,
            get_url=url,
            core_extra=_settings(core),
            smsbox_extra=_settings(smsbox),
        )
    )
    status_url = f"http://127.0.0.1:{ports['admin']}/status.txt?password={admin_password}"
    sendsms_url = f"http://127.0.0.1:{ports['sendsms']}/cgi-bin/sendsms"

    def status() -> str:
        try:
            return httpx.get(status_url, timeout=scaled(2)).text
        except httpx.TransportError:
            return ""

    with ExitStack() as stack:
        bearerbox = stack.enter_context(
            child_process(
                [str(BEARERBOX), "-v", "0", str(config)], {}, status_url, tmp / "bearerbox.log"
            )
        )
        smsc = FakeSmsc(ports["smsc"])
        stack.callback(smsc.close)
        online = re.compile(rf"^\s*{smsc_id}\[{smsc_id}\]\s+FAKE:\d+ \(online", re.M)
        wait_until(lambda: online.search(status()), timeout=10, what="the fake SMSC online")
        stack.enter_context(
            child_process(
                [str(SMSBOX), "-v", "0", str(config)], {}, sendsms_url, tmp / "smsbox.log"
            )
        )
        connected = re.compile(r"^\s*smsbox:.*on-line", re.M)
        wait_until(lambda: connected.search(status()), timeout=10, what="smsbox connected")
        stack.callback(_stop_first, bearerbox)
        yield Kannel(
            sendsms_url=sendsms_url,
            username="gateway",
            password="sendsms-secret",
            smsc_id=smsc_id,
            status_url=status_url,
            logs=tmp,
            _smsc=smsc,
        )


def sumbar_gateway(
    tmp_path: Path,
    k: Kannel,
    callback_url: str | None = None,
    *,
    sandbox_step_seconds: float = 0.5,
) -> Container:
    """Sumbar's gateway (SQLite, the in-process sandbox in ``tmp_path/sandbox.db``)
    sending through Kannel ``k``; with ``callback_url``, Kannel's delivery reports come
    back to it; ``sandbox_step_seconds`` 0 keeps the registry's complaints as
    submitted. Migrated, not started."""
    from gateway.bootstrap import build_container
    from gateway.migrations import upgrade
    from gateway.settings import Settings
    from tests.support import ROOT, TENANT_ENV

    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    path = mappings / "sumbar.yaml"
    yaml = path.read_text(encoding="utf-8")
    yaml = yaml.replace("http://127.0.0.1:13013/cgi-bin/sendsms", k.sendsms_url)
    yaml = yaml.replace("sendsms_username: lapor-sumbar", f"sendsms_username: {k.username}")
    if callback_url is not None:
        yaml = yaml.replace(
            "smsc_id: sumbar", f"smsc_id: {k.smsc_id}\n      callback_url: {callback_url}"
        )
    path.write_text(yaml, encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(mappings),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_step_seconds=sandbox_step_seconds,
        sandbox_archive_rate=0,
        dispatch_interval=0.1,
        pull_interval=0.2,
    )
    env = {**TENANT_ENV, "GATEWAY_SUMBAR_KANNEL_PASSWORD": k.password}
    container = build_container(settings, environ=env)
    upgrade(container.engine)
    return container
