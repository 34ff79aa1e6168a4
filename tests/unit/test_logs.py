"""Logging: real output from structlog and stdlib loggers, with personal data redacted."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import structlog

from gateway.domain.complaint import Reporter
from gateway.logs import LIBRARY_LOGGERS, configure_logging, get_logger, redact_value, scrub_text

PHONE = "+6281234567890"
PHONE_LOCAL = "0812-3456-7890"
PHONE_DIGITS = "81234567890"  # what must not survive in any written form
NIK = "1871012345670001"
EMAIL = "budi.santoso@example.co.id"
TOKEN = "tok-lampung-7f3a9c2e5d"
NAME = "Budi Santoso"
# Names are masked under their keys; free text cannot be searched for them.
SECRETS = (PHONE_DIGITS, "3456", NIK, EMAIL, TOKEN, NAME)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved_root = (list(root.handlers), root.level)
    saved_libraries = {
        name: (list(logging.getLogger(name).handlers), logging.getLogger(name).propagate)
        for name in LIBRARY_LOGGERS
    }
    yield
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()
    root.handlers[:] = saved_root[0]
    root.setLevel(saved_root[1])
    for name, (handlers, propagate) in saved_libraries.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.propagate = propagate


def _json_lines(text: str) -> list[dict[str, Any]]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "nothing was logged"
    return [json.loads(line) for line in lines]


def _assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into the log: {text}"


def test_structlog_event_is_json_and_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    log = get_logger("gateway.test")
    log.info(
        f"sms from {PHONE_LOCAL} received",
        phone=PHONE,
        Reporter_Name=NAME,
        reporter={"name": NAME, "nik": NIK},
        payload={"contacts": [{"email": EMAIL, "msisdn": "6281234567890"}], "tenant": "lampung"},
        token=TOKEN,
        note=f"NIK {NIK}, mail {EMAIL}, call {PHONE}",
        attempts=3,
        anonymous=False,
    )
    err = capsys.readouterr().err
    _assert_clean(err)
    [line] = _json_lines(err)
    assert line["event"] == "sms from +62******90 received"
    assert line["phone"] == "+62******90"
    assert line["Reporter_Name"] == "***"
    assert line["reporter"] == "***"
    assert line["payload"] == {
        "contacts": [{"email": "***", "msisdn": "+62******90"}],
        "tenant": "lampung",
    }
    assert line["token"] == "***"
    assert line["note"] == "NIK <nik>, mail <email>, call +62******90"
    assert (line["attempts"], line["anonymous"]) == (3, False)
    assert line["level"] == "info"
    assert line["logger"] == "gateway.test"
    assert datetime.fromisoformat(line["timestamp"]).tzinfo is not None


def test_stdlib_loggers_go_through_the_same_formatter(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    logging.getLogger("uvicorn.access").info(
        '%s - "GET /track?phone=%s&email=%s HTTP/1.1" 200', "10.0.0.1", "081234567890", EMAIL
    )
    logging.getLogger("apscheduler.scheduler").warning(
        "job for %s failed",
        NIK,
        extra={"reporter_phone": PHONE, "api_key": TOKEN, "reporter_name": NAME},
    )
    err = capsys.readouterr().err
    _assert_clean(err)
    access, scheduler = _json_lines(err)
    assert access["event"] == '10.0.0.1 - "GET /track?phone=+62******90&email=<email> HTTP/1.1" 200'
    assert access["logger"] == "uvicorn.access" and access["level"] == "info"
    assert "timestamp" in access
    assert scheduler["reporter_phone"] == "+62******90"
    assert scheduler["api_key"] == "***" and scheduler["reporter_name"] == "***"
    assert scheduler["event"] == "job for <nik> failed"
    assert scheduler["level"] == "warning"


def test_library_loggers_lose_their_own_handlers(capsys: pytest.CaptureFixture[str]) -> None:
    uvicorn = logging.getLogger("uvicorn.error")
    uvicorn.addHandler(logging.StreamHandler())  # what uvicorn's own config does
    uvicorn.propagate = False
    configure_logging("INFO", "json")
    assert uvicorn.handlers == [] and uvicorn.propagate
    uvicorn.info("Started server process for %s", EMAIL)
    err = capsys.readouterr().err
    _assert_clean(err)
    assert [line["event"] for line in _json_lines(err)] == ["Started server process for <email>"]


def test_exceptions_are_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    try:
        raise ValueError(f"cannot send to {PHONE} ({EMAIL}), NIK {NIK}")
    except ValueError:
        get_logger("gateway.test").exception("dispatch failed")
        logging.getLogger("sqlalchemy.engine").exception("query failed")
    err = capsys.readouterr().err
    _assert_clean(err)
    structlog_line, stdlib_line = _json_lines(err)
    for line in (structlog_line, stdlib_line):
        assert "Traceback" in line["exception"]
        assert "cannot send to +62******90 (<email>), NIK <nik>" in line["exception"]


def test_contextvars_are_merged_and_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    structlog.contextvars.bind_contextvars(request_id="req-42", sender=PHONE_LOCAL)
    get_logger("gateway.test").info("intake")
    logging.getLogger("uvicorn.error").info("foreign")
    err = capsys.readouterr().err
    _assert_clean(err)
    for line in _json_lines(err):
        assert line["request_id"] == "req-42"
        assert line["sender"] == "+62******90"


def test_level_filters_both_kinds_of_logger(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning", "json")
    log = get_logger("gateway.test")
    log.info("quiet")
    logging.getLogger("apscheduler").info("quiet too")
    log.warning("loud")
    logging.getLogger("apscheduler").error("louder")
    events = [line["event"] for line in _json_lines(capsys.readouterr().err)]
    assert events == ["loud", "louder"]


def test_console_format_is_redacted_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("DEBUG", "console")
    get_logger("gateway.test").debug("reply sent", phone=PHONE, email=EMAIL, password=TOKEN)
    logging.getLogger("apscheduler").info("row for %s", NIK)
    err = capsys.readouterr().err
    _assert_clean(err)
    assert "reply sent" in err and "+62******90" in err and "row for <nik>" in err
    assert "\x1b[" not in err  # no colours when not on a terminal
    with pytest.raises(json.JSONDecodeError):
        json.loads(err.splitlines()[0])


def test_auto_format_is_json_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging()
    get_logger("gateway.test").info("hello", tenant="lampung")
    [line] = _json_lines(capsys.readouterr().err)
    assert (line["event"], line["tenant"]) == ("hello", "lampung")


def test_configuring_twice_does_not_duplicate_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    configure_logging("INFO", "json")
    logging.getLogger("gateway.twice").info("once")
    get_logger("gateway.twice").info("once more")
    assert [line["event"] for line in _json_lines(capsys.readouterr().err)] == ["once", "once more"]


@pytest.mark.parametrize(("level", "fmt"), [("LOUD", "json"), ("INFO", "xml")])
def test_bad_settings_are_refused(level: str, fmt: str) -> None:
    with pytest.raises(ValueError):
        configure_logging(level, fmt)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("phone", PHONE, "+62******90"),
        ("PHONE", PHONE_LOCAL, "+62******90"),
        ("reporter_phone", "(0721) 781234", "+62******34"),
        ("msisdn", 6281234567890, "+62******90"),
        ("sender", "not a number", "***"),
        ("phone", None, None),
        ("name", NAME, "***"),
        ("Email", EMAIL, "***"),
        ("nik", NIK, "***"),
        ("reporter", {"name": NAME}, "***"),
        ("Authorization", f"Bearer {TOKEN}", "***"),
        ("X-Api-Key", TOKEN, "***"),
        ("national_token", TOKEN, "***"),
        ("webhook_secret", TOKEN, "***"),
        ("password", TOKEN, "***"),
        ("tenant", "lampung", "lampung"),
        ("tracking_id", "LPR-2026-0001", "LPR-2026-0001"),
        ("attempt", 2, 2),
        ("items", [{"phone": PHONE}, (EMAIL, 1)], [{"phone": "+62******90"}, ["<email>", 1]]),
        (None, {"Nested": {"TOKEN": TOKEN, "ok": True}}, {"Nested": {"TOKEN": "***", "ok": True}}),
    ],
)
def test_redact_value(key: str | None, value: Any, expected: Any) -> None:
    assert redact_value(value, key) == expected


def test_redact_value_handles_models_and_objects() -> None:
    reporter = Reporter(name=NAME, phone=PHONE, email=EMAIL, nik=NIK)
    assert redact_value(reporter, "draft") == {
        "name": "***",
        "phone": "+62******90",
        "email": "***",
        "nik": "***",
    }

    class Opaque:
        def __str__(self) -> str:
            return f"Opaque({PHONE}, {EMAIL})"

    assert redact_value(Opaque()) == "Opaque(+62******90, <email>)"
    assert redact_value(RuntimeError(f"no {NIK}")) == "RuntimeError('no <nik>')"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call 0812-3456-7890 now", "call +62******90 now"),
        ("+62 812 3456 7890", "+62******90"),
        ("+62 (0) 812 3456 7890", "+62******90"),
        ("6281234567890", "+62******90"),
        ("0812.3456.7890", "+62******90"),
        ("(0721) 781234 ext", "+62******34 ext"),
        ("wa.me/6281234567890", "wa.me/+62******90"),
        (f"nik:{NIK}.", "nik:<nik>."),
        (f"<{EMAIL}>", "<<email>>"),
        ("Authorization: Bearer abc.DEF-123", "Authorization: Bearer ***"),
        (
            "POST https://api.telegram.org/bot123456789:AAE-f3kT0k3nV4lu3abcdefghij/sendMessage",
            "POST https://api.telegram.org/bot***/sendMessage",
        ),
        # left alone: ids, timestamps, amounts, durations
        ("0f8e2c1a-0812-3456-7890-0a1b2c3d4e5f", "0f8e2c1a-0812-3456-7890-0a1b2c3d4e5f"),
        ("2026-03-21T10:00:00.123456+07:00", "2026-03-21T10:00:00.123456+07:00"),
        ("took 0.123456789 s", "took 0.123456789 s"),
        ("LPR-2026-000123 in 18.71", "LPR-2026-000123 in 18.71"),
        ("", ""),
    ],
)
def test_scrub_text(text: str, expected: str) -> None:
    assert scrub_text(text) == expected


def test_sql_statements_and_their_parameters_are_never_logged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sqlalchemy import create_engine, text

    configure_logging("DEBUG", "json")
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        connection.execute(text("SELECT :name"), {"name": "Siti Aminah"})
    engine.dispose()
    assert "Siti Aminah" not in capsys.readouterr().err
