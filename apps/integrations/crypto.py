"""Secrets at rest: Fernet tokens under a MultiFernet of the keys in ``INTEGRATION_KEYS``.

The first key encrypts, every key decrypts, so a key is rotated by putting the new one first and
keeping the old one after it until ``secrets_rotate`` (or a re-save) has re-encrypted every row.
Under DEBUG or TESTING with no keys set, one key is derived from SECRET_KEY so development works
out of the box; production refuses to start encrypting without a key. Plain values never leave
this module except to the caller that asked for them: nothing here logs or formats them.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .errors import SecretsUnavailable


def _keys() -> tuple[str, ...]:
    keys = tuple(k.strip() for k in getattr(settings, "INTEGRATION_KEYS", ()) if k and k.strip())
    if keys:
        return keys
    if settings.DEBUG or getattr(settings, "TESTING", False):
        digest = hashlib.sha256(b"fulfillment-hub/integrations:" + settings.SECRET_KEY.encode()).digest()
        return (base64.urlsafe_b64encode(digest).decode(),)
    raise ImproperlyConfigured(
        "Set INTEGRATION_KEYS (comma-separated Fernet keys, the newest first) to store shop credentials."
    )


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:  # not 32 url-safe base64-encoded bytes
        raise ImproperlyConfigured(
            "INTEGRATION_KEYS holds a key that is not a Fernet key (generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)."
        ) from exc


def encrypt(value) -> str:
    """A Fernet token (text) of any JSON value; "" for None."""
    if value is None:
        return ""
    return _fernet(_keys()).encrypt(json.dumps(value).encode()).decode()


def decrypt(token: str):
    """The JSON value behind ``token`` (None for ""); SecretsUnavailable when no key opens it."""
    if not token:
        return None
    try:
        return json.loads(_fernet(_keys()).decrypt(token.encode()))
    except InvalidToken:
        raise SecretsUnavailable("None of INTEGRATION_KEYS decrypts this secret.") from None


def rotate(token: str) -> str:
    """The same secret encrypted under the first key (for re-encrypting rows after a rotation)."""
    return _fernet(_keys()).rotate(token.encode()).decode() if token else ""
