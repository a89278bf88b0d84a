"""The digest's TOML configuration: parsed, validated and turned into frozen settings.

Validation is strict (an unknown key is an error that names it) because a typo in a
cron job's config would otherwise fail silently, every morning, for months.
Secrets are never read from the file: it names the environment variables that hold them.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from briefing.errors import BriefingError
from briefing.options import DEFAULT_MAX_INPUT_BYTES, DEFAULT_MODEL

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, published as tomli
    import tomli as tomllib  # type: ignore[no-redef]

Security = Literal["none", "starttls", "tls"]
SECURITY_MODES: tuple[Security, ...] = ("none", "starttls", "tls")
DEFAULT_PORTS: dict[Security, int] = {"none": 25, "starttls": 587, "tls": 465}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STATE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+")
# Keys people try first; they get a pointer to the *_env key instead of "unknown key".
_SECRET_KEYS = {"password": "password_env", "username": "username_env", "user": "username_env"}
_HTTP_URL = re.compile(r"https?://[^\s/]+(/\S*)?")
_API_KEY_KEYS = {"api_key", "apikey", "openai_api_key", "key", "token"}
_PRIVATE_ADDRESSES_KEY = "allow_private_addresses"


class ConfigError(BriefingError):
    """The config file is missing, not TOML, or has a wrong, missing or unknown key."""


@dataclass(frozen=True)
class EmailConfig:
    to: tuple[str, ...]
    sender: str  # `from` in the file
    smtp_host: str
    smtp_port: int
    security: Security = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    timeout: float = 30.0  # seconds, per SMTP operation
    retries: int = 3  # extra attempts after a transient failure
    retry_delay: float = 5.0  # seconds before the first retry; doubles each time
    # The body is the reading layer (email clients show folded detail unfolded); the full
    # page and the calendar of dated next steps can ride along as attachments.
    attach_html: bool = False
    attach_calendar: bool = False


@dataclass(frozen=True)
class DigestConfig:
    path: Path  # the config file itself; relative paths in it are relative to its folder
    email: EmailConfig
    title: str = "Daily briefing"
    model: str = DEFAULT_MODEL
    fallback: str | None = None
    device: str = "auto"
    endpoint: str | None = None  # an OpenAI-compatible model server (models/endpoint.py)
    concurrency: int | None = None
    history: bool = True  # the story history (history.py): Developing stories, steps due
    history_days: int = 14
    feeds: tuple[str, ...] = ()
    sources: tuple[Path, ...] = ()
    output_dir: Path = Path("briefings")
    name: str = "default"  # separates the state of several digests on one machine
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    fetch: Mapping[str, Any] = field(default_factory=dict)  # FetchSettings overrides
    allow_private_addresses: bool = False  # intranet feeds; see briefing/addresses.py


def load_config(path: Path) -> DigestConfig:
    """Read and validate the config file at `path`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_config(raw, path)


def parse_config(raw: Mapping[str, Any], path: Path) -> DigestConfig:
    """A parsed TOML document -> DigestConfig; errors name the file and the key."""
    table = _Table(raw, path, "")
    folder = path.resolve().parent
    email = _parse_email(_Table(table.table("email", required=True), path, "email."))
    max_size_mb = table.integer("max_size", DEFAULT_MAX_INPUT_BYTES // (1024 * 1024), minimum=1)
    fetch = dict(table.table("fetch") or {})
    config = DigestConfig(
        path=path,
        email=email,
        title=table.string("title", "Daily briefing"),
        model=table.string("model", DEFAULT_MODEL),
        fallback=table.choice("fallback", (None, "extractive"), None),
        device=table.choice("device", ("auto", "cpu", "cuda"), "auto"),
        endpoint=table.optional_string("endpoint", pattern=_HTTP_URL),
        concurrency=table.integer("concurrency", 0, minimum=1) or None,
        history=table.boolean("history", True),
        history_days=table.integer("history_days", 14, minimum=1),
        feeds=tuple(table.strings("feeds")),
        sources=tuple(folder / Path(source).expanduser() for source in table.strings("sources")),
        output_dir=folder / Path(table.string("output_dir", "briefings")).expanduser(),
        name=table.string("name", "default", pattern=_STATE_NAME),
        max_input_bytes=max_size_mb * 1024 * 1024,
        fetch=fetch,
        allow_private_addresses=table.boolean("allow_private_addresses", False),
    )
    table.reject_unknown()
    if not config.feeds and not config.sources:
        raise ConfigError(f"{path}: nothing to read: set `feeds` or `sources` (or both)")
    if fetch:
        _check_fetch_keys(fetch, path)
    return config


def _parse_email(table: _Table) -> EmailConfig:
    security = table.choice("security", SECURITY_MODES, "starttls")
    to = table.strings("to", required=True, pattern=_ADDRESS)
    if not to:
        raise table.error("to", "needs at least one address")
    email = EmailConfig(
        to=tuple(to),
        sender=table.string("from", required=True, pattern=_ADDRESS),
        smtp_host=table.string("smtp_host", required=True),
        smtp_port=table.integer("smtp_port", DEFAULT_PORTS[security], minimum=1, maximum=65535),
        security=security,
        username_env=table.optional_string("username_env", pattern=_ENV_NAME),
        password_env=table.optional_string("password_env", pattern=_ENV_NAME),
        timeout=table.number("timeout", 30.0, minimum=1),
        retries=table.integer("retries", 3, minimum=0, maximum=10),
        retry_delay=table.number("retry_delay", 5.0, minimum=0),
        attach_html=table.choice("attach_html", (True, False), False),
        attach_calendar=table.choice("attach_calendar", (True, False), False),
    )
    table.reject_unknown()
    if bool(email.username_env) != bool(email.password_env):
        raise table.error(
            "username_env" if not email.username_env else "password_env", "is needed too: set both or neither"
        )
    if email.security == "none" and (email.username_env or email.password_env) and not _is_loopback(email.smtp_host):
        raise table.error(
            "security", '"none" would send the password unencrypted; use "starttls" or "tls" with a login'
        )
    return email


def _check_fetch_keys(overrides: Mapping[str, Any], path: Path) -> None:
    from briefing.fetch import FetchSettings  # only when a [fetch] table is present

    # The opt-in is a top-level key, next to `feeds`, where a reader of the file sees it.
    known = {f.name for f in dataclasses.fields(FetchSettings)} - {_PRIVATE_ADDRESSES_KEY}
    for key in overrides:
        if key == _PRIVATE_ADDRESSES_KEY:
            raise ConfigError(
                f"{path}: `fetch.{key}` belongs at the top level of the file: {key} = true (before any [table])"
            )
        if key not in known:
            raise ConfigError(f"{path}: unknown key `fetch.{key}` (known: {', '.join(sorted(known))})")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Table:
    """One TOML table, read key by key so that whatever is left over is unknown."""

    def __init__(self, raw: Mapping[str, Any], path: Path, prefix: str) -> None:
        self.raw = raw
        self.path = path
        self.prefix = prefix
        self.seen: set[str] = set()

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: `{self.prefix}{key}` {problem}")

    def reject_unknown(self) -> None:
        for key in self.raw:
            if key in self.seen:
                continue
            if key in _API_KEY_KEYS:
                raise self.error(
                    key,
                    "is not allowed: a model server's API key is read only from the environment "
                    "(BRIEFING_API_KEY, else OPENAI_API_KEY)",
                )
            if key in _SECRET_KEYS:
                raise self.error(
                    key,
                    f"is not allowed: secrets are never read from the config file; put the name of "
                    f"an environment variable in `{self.prefix}{_SECRET_KEYS[key]}`",
                )
            raise self.error(key, "is not a known key")

    def _get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.raw:
            if required:
                raise ConfigError(f"{self.path}: missing required key `{self.prefix}{key}`")
            return None
        return self.raw[key]

    def table(self, key: str, required: bool = False) -> Mapping[str, Any] | None:
        value = self._get(key, required)
        if value is not None and not isinstance(value, dict):
            raise self.error(key, f"must be a table ([{self.prefix}{key}])")
        return value

    def string(
        self, key: str, default: str = "", required: bool = False, pattern: re.Pattern[str] | None = None
    ) -> str:
        value = self.optional_string(key, required=required, pattern=pattern)
        return default if value is None else value

    def optional_string(self, key: str, required: bool = False, pattern: re.Pattern[str] | None = None) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        if pattern is not None and not pattern.fullmatch(value):
            raise self.error(key, f"has an invalid value {value!r}")
        return value

    def strings(self, key: str, required: bool = False, pattern: re.Pattern[str] | None = None) -> list[str]:
        value = self._get(key, required)
        if value is None:
            return []
        if isinstance(value, str):  # `to = "a@b"` is an obvious enough intent to accept
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise self.error(key, "must be a list of non-empty strings")
        for item in value:
            if pattern is not None and not pattern.fullmatch(item):
                raise self.error(key, f"has an invalid value {item!r}")
        return value

    def choice(self, key: str, choices: tuple[Any, ...], default: Any) -> Any:
        value = self._get(key, False)
        if value is None:
            return default
        if value not in choices:
            allowed = ", ".join(repr(choice) for choice in choices if choice is not None)
            raise self.error(key, f"must be one of {allowed}, not {value!r}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def integer(self, key: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._get(key, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, "must be a whole number")
        return self._bounded(key, value, minimum, maximum)

    def number(self, key: str, default: float, minimum: float | None = None) -> float:
        value = self._get(key, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, "must be a number")
        return float(self._bounded(key, value, minimum, None))

    def _bounded(self, key: str, value: Any, minimum: Any, maximum: Any) -> Any:
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise self.error(key, f"must be at most {maximum}")
        return value
