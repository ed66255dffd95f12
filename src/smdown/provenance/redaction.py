"""Redaction of what provenance shares: credentials, URL passwords and the home directory.

Sidecars and logs travel with the results, so every string in them passes through `redact`.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

REDACTED = "<redacted>"


MIN_SECRET_LENGTH = 6  # shorter env values ("true", "1") are settings, and would match anywhere

_USERINFO = re.compile(r"(?<=://)[^/?#\s]*@")
_SECRET_PARAM = re.compile(
    r"([?&;][^=&;#\s]*(?:key|token|password|secret|signature|sig|auth)[^=&;#\s]*=)[^&;#\s]*",
    re.IGNORECASE,
)
_SECRET_ENV = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD", re.IGNORECASE)


_SECRET_WORDS = frozenset({"key", "token", "password", "passwd", "secret", "apikey"})


_NAME = re.compile(r"[A-Za-z_][\w-]*")


_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")  # snake_case, camelCase, UPPER parts


def redact_url(url: str) -> str:
    """Drop `user:password@` and the values of secret-looking query parameters, for logging.

    Works on a bare URL and on text that contains URLs (such as an exception message).
    """
    return _SECRET_PARAM.sub(r"\1***", _USERINFO.sub("", url))


def _cdsapirc_keys() -> list[str]:
    """The `key:` value of the CDS API config ($CDSAPI_RC or ~/.cdsapirc), and its parts.

    The old format is `UID:APIKEY`; the API key alone is hidden too.
    """
    try:
        text = Path(os.environ.get("CDSAPI_RC") or Path.home() / ".cdsapirc").read_text()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: no home directory
        return []
    keys = []
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        value = value.strip()
        if sep and name.strip() == "key" and value:
            keys.append(value)
            keys.extend(part for part in value.split(":") if len(part) >= MIN_SECRET_LENGTH)
    return keys


def _default_secrets() -> list[str]:
    """Values of env vars named like a key, token, secret or password, and the CDS API key."""
    found = [
        value
        for name, value in os.environ.items()
        if _SECRET_ENV.search(name) and len(value) >= MIN_SECRET_LENGTH
    ]
    return found + _cdsapirc_keys()


def _home_pattern() -> re.Pattern | None:
    """The user's home directory as spelled by Path.home(), $HOME and resolved, longest first.

    A match must be a whole path prefix: `/home/al` does not match inside `/home/alice`.
    """
    homes = {os.environ.get("HOME", "")}
    with contextlib.suppress(OSError, RuntimeError):
        homes |= {str(Path.home()), str(Path.home().resolve())}
    homes = {home.rstrip("/") for home in homes} - {""}  # a home of "/" is not worth hiding
    if not homes:
        return None
    spelled = "|".join(re.escape(h) for h in sorted(homes, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{spelled})(?![\w.-])")


def _secret_name(name: str) -> bool:
    """Whether a dict key names a credential: a name (not a path, such as a lineage key) with a
    whole word key, token, password, secret or apikey in it."""
    return bool(_NAME.fullmatch(name)) and any(
        word.lower() in _SECRET_WORDS for word in _WORDS.findall(name)
    )


def redact(obj: Any, secrets: Iterable[str] | None = None) -> Any:
    """A JSON-ready deep copy of `obj` that is safe to share.

    Containers become dicts and lists, anything not JSON becomes its str. In every string (dict
    keys included) each secret becomes "<redacted>", URL credentials are dropped, and the home
    directory becomes "~"; a dict key that names a credential (api_key, token, password, ...;
    paths are not names) gets the value "<redacted>". `secrets` defaults to the values of env
    vars named like a key, token, secret or password (6+ characters) and the `key:` of
    ~/.cdsapirc ($CDSAPI_RC).
    """
    hidden = sorted(
        {s for s in (_default_secrets() if secrets is None else secrets) if s},
        key=len,
        reverse=True,
    )
    home = _home_pattern()

    def clean(text: str) -> str:
        for secret in hidden:
            text = text.replace(secret, REDACTED)
        text = redact_url(text)
        return home.sub("~", text) if home else text

    return _redact(obj, clean)


def _redact(obj: Any, clean: Callable[[str], str]) -> Any:
    """`redact`'s walk over `obj`, with the string cleaner built once."""
    if isinstance(obj, str):
        return clean(obj)
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    if isinstance(obj, Mapping):
        return {
            clean(str(key)): REDACTED
            if _secret_name(str(key)) and value is not None
            else _redact(value, clean)
            for key, value in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [_redact(value, clean) for value in obj]
    return clean(str(obj))
