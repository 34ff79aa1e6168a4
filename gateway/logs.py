"""Logging: structlog configured once, with personal data redacted on every line.

:func:`configure_logging` sets up structlog and the standard library together:
structlog loggers and stdlib loggers (uvicorn, apscheduler, sqlalchemy, ...)
end in one handler on stderr whose formatter runs the same processors, so every
line has an ISO timestamp, the level, the logger name, the context bound with
``structlog.contextvars``, and is redacted before it is rendered: JSON lines
when stderr is not a terminal, a readable console format when it is.

Redaction (:func:`redact_value`, also usable on its own):

- values under sensitive keys (``phone``, ``reporter_name``, ``email``, ``nik``,
  ``token``, ``authorization``, ... at any depth, case-insensitive) are masked:
  phone numbers keep their country code and last two digits (``+62******90``),
  everything else becomes ``***``;
- every string anywhere, including the event message and exception text, is
  scrubbed of Indonesian phone numbers, 16-digit NIKs, e-mail addresses and
  bearer tokens (:func:`scrub_text`).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from gateway.phone import mask_phone

MASK = "***"

PHONE_KEYS = frozenset(
    {"phone", "reporter_phone", "msisdn", "sender", "phone_number", "mobile", "from_number"}
)
SECRET_KEYS = frozenset(
    {
        "name",
        "reporter_name",
        "email",
        "reporter_email",
        "nik",
        "reporter",
        "token",
        "api_key",
        "apikey",
        "secret",
        "authorization",
        "password",
        "cookie",
        "set_cookie",
    }
)
SECRET_SUFFIXES = ("_token", "_secret", "_password", "_api_key", "_apikey")

#: stdlib loggers of the libraries we run, routed through our handler.
QUIET_LOGGERS = frozenset({"sqlalchemy", "httpx", "httpcore", "telegram"})
LIBRARY_LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "apscheduler",
    "sqlalchemy",
    "alembic",
    "httpx",
    "telegram",
)

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
# +62 / 62 / 0 prefix, an operator or area code starting 2-9 (optionally in
# brackets), then 6-10 more digits with optional single separators. Not glued
# to letters or digits before, nor to letters, digits or dashes after, so UUID
# segments stay intact.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+62[\s.\-]?(?:\(0\)[\s.\-]?)?|62[\s.\-]?|\(?0)"
    r"\(?[2-9]\d{1,3}\)?(?:[\s.\-]?\d){6,10}(?![\w\-])"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]+")
# a Telegram bot token (in a Bot API URL: .../bot123456:AAE.../sendMessage)
_BOT_TOKEN = re.compile(r"\d{5,12}:[A-Za-z0-9_\-]{20,}")
_NON_DIGIT = re.compile(r"\D")
# what every pattern above needs: a digit, an "@" or a bearer/basic scheme
_SUSPECT = re.compile(r"[0-9@]|(?i:bearer|basic)")
#: keys whose values the logging set-up itself writes: never personal data
TRUSTED_KEYS = frozenset({"timestamp", "level", "logger", "request_id", "duration_ms"})


def _mask_phone_in_text(match: re.Match[str]) -> str:
    digits = _NON_DIGIT.sub("", match.group(0))
    return f"+62******{digits[-2:]}"


def scrub_text(text: str) -> str:
    """``text`` without e-mail addresses, NIKs, Indonesian phone numbers, bearer or bot tokens."""
    if not text or not _SUSPECT.search(text):
        return text
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _BOT_TOKEN.sub(MASK, text)
    text = _EMAIL.sub("<email>", text)
    text = _NIK.sub("<nik>", text)
    return _PHONE.sub(_mask_phone_in_text, text)


_KEY_KINDS: dict[str, str | None] = {}


def _key_kind(key: object) -> str | None:
    if not isinstance(key, str):
        return None
    try:
        return _KEY_KINDS[key]
    except KeyError:
        pass
    kind = _classify_key(key)
    if len(_KEY_KINDS) < 4096:  # keys are names in code, but do not grow without bound
        _KEY_KINDS[key] = kind
    return kind


def _classify_key(key: str) -> str | None:
    normalised = key.lower().replace("-", "_")
    if normalised in PHONE_KEYS:
        return "phone"
    if normalised in SECRET_KEYS or normalised.endswith(SECRET_SUFFIXES):
        return "secret"
    return None


def _mask(kind: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if kind == "phone" and isinstance(value, str | int):
        return mask_phone(str(value))
    return MASK


def redact_value(value: Any, key: str | None = None) -> Any:
    """``value`` with sensitive keys masked and every string scrubbed, at any depth.

    ``key`` is the name the value is logged under, if any. Containers are
    copied, never changed in place; objects that are neither JSON-like nor
    pydantic models or dataclasses become their scrubbed ``str()``.
    """
    kind = _key_kind(key)
    if kind is not None:
        return _mask(kind, value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v, k if isinstance(k, str) else None) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    if isinstance(value, BaseException):
        return scrub_text(repr(value))
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # a pydantic model
        return redact_value(dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return redact_value(dataclasses.asdict(value))
    return scrub_text(str(value))


def redact_event(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Processor: :func:`redact_value` over every key of the event."""
    return {
        key: value if key in TRUSTED_KEYS else redact_value(value, key)
        for key, value in event_dict.items()
    }


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (pytest swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]


def _renderer(fmt: str, stream: TextIO) -> Processor:
    is_tty = stream.isatty()
    if fmt == "auto":
        fmt = "console" if is_tty else "json"
    if fmt == "json":
        return structlog.processors.JSONRenderer()
    if fmt == "console":
        return structlog.dev.ConsoleRenderer(
            colors=is_tty, exception_formatter=structlog.dev.plain_traceback
        )
    raise ValueError(f"log format must be auto, json or console, not {fmt!r}")


def _level(level: str) -> int:
    value = logging.getLevelName(level.strip().upper())
    if not isinstance(value, int):
        raise ValueError(f"unknown log level {level!r}")
    return value


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    """Configure structlog and stdlib logging; call once at start-up (again is harmless).

    Replaces the root logger's handlers with one redacting handler on stderr
    and makes the library loggers (uvicorn, ...) propagate to it; start
    uvicorn with ``log_config=None`` so it keeps this configuration.
    """
    numeric_level = _level(level)
    # no line shows the caller, thread or process: do not compute them for every record
    # (the logging HOWTO's "Optimization" section)
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    renderer = _renderer(fmt.strip().lower(), sys.stderr)
    shared = _shared_processors()

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)

    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric_level)

    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        for old in list(library.handlers):
            library.removeHandler(old)
        library.propagate = True
        # inherit the root level, except where INFO would log what must not be logged:
        # sqlalchemy logs every statement with its parameters (personal data) at INFO
        library.setLevel(logging.WARNING if name in QUIET_LOGGERS else logging.NOTSET)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """A structlog logger named ``name`` (use ``__name__``) for module level."""
    return structlog.stdlib.get_logger(name)
