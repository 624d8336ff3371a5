"""eBay's push notifications to the app (Notification API), as the mandatory marketplace account
deletion endpoint receives them (developer.ebay.com/marketplace-account-deletion):

- endpoint validation: ``GET <endpoint>?challenge_code=X`` is answered 200
  ``{"challengeResponse": hex SHA-256(challengeCode + verificationToken + endpoint URL)}``;
- each notification is a POST of JSON ``{metadata: {topic, …}, notification: {notificationId,
  eventDate, publishDate, data: {username, userId, eiasToken}}}`` with ``X-EBAY-SIGNATURE``:
  base64 of JSON ``{alg: "ecdsa", kid, signature, digest: "SHA1"}``. ``signature`` is a base64
  DER ECDSA signature of the raw body under the key that getPublicKey(kid) returns (PEM, maybe on
  one line), hashed with ``digest``. Keys are cached by kid; an unknown or forged signature is
  refused (eBay's SDKs answer 412).

Plain Python: the key is fetched through ``fetch_key(kid) -> {key, algorithm, digest}``, given by
the caller (the client with an application token, or a test's fake).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .auth import application_token
from .client import EbayClient

SIGNATURE_HEADER = "x-ebay-signature"
DELETION_TOPIC = "MARKETPLACE_ACCOUNT_DELETION"
KEY_CACHE_SECONDS = 3600.0
DIGESTS = {"SHA1": hashes.SHA1, "SHA256": hashes.SHA256, "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}
_PEM = re.compile(r"-----BEGIN PUBLIC KEY-----\s*(.+?)\s*-----END PUBLIC KEY-----", re.S)


def challenge_response(challenge_code: str, verification_token: str, endpoint_url: str) -> str:
    return hashlib.sha256((challenge_code + verification_token + endpoint_url).encode()).hexdigest()


class SignatureRefused(ValueError):
    """The notification is not signed by eBay (a sentence says why)."""


def signature_header_read(value: str) -> dict:
    """X-EBAY-SIGNATURE decoded: {alg, kid, signature, digest}; SignatureRefused when unreadable."""
    try:
        data = json.loads(base64.b64decode(value or "", validate=False))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise SignatureRefused("The X-EBAY-SIGNATURE header is not base64 JSON.") from None
    if not isinstance(data, dict) or not data.get("kid") or not data.get("signature"):
        raise SignatureRefused("The X-EBAY-SIGNATURE header has no kid or signature.")
    return data


def pem_of(key: str) -> bytes:
    """getPublicKey's key as proper PEM (eBay sends it on one line)."""
    match = _PEM.search(key or "")
    if not match:
        raise SignatureRefused("eBay's public key is not a PEM public key.")
    body = "".join(match.group(1).split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n").encode()


class KeyCache:
    """eBay's public keys by kid, kept an hour (per process)."""

    def __init__(self, seconds: float = KEY_CACHE_SECONDS) -> None:
        self.seconds = seconds
        self.keys: dict[str, tuple[float, dict]] = {}
        self.lock = threading.Lock()

    def get(self, kid: str, fetch: Callable[[str], dict]) -> dict:
        now = time.monotonic()
        with self.lock:
            cached = self.keys.get(kid)
        if cached and now - cached[0] < self.seconds:
            return cached[1]
        key = fetch(kid)
        with self.lock:
            self.keys[kid] = (now, key)
        return key

    def clear(self) -> None:
        with self.lock:
            self.keys.clear()


KEYS = KeyCache()


def signature_verify(body: bytes, header: str, fetch_key: Callable[[str], dict], cache: KeyCache = KEYS) -> None:
    """Return when ``body`` carries eBay's signature; raise SignatureRefused otherwise. A key that
    cannot be fetched raises what ``fetch_key`` raises (the caller answers 5xx: eBay sends again)."""
    signed = signature_header_read(header)
    key_info = cache.get(str(signed["kid"]), fetch_key)
    try:
        public_key = load_pem_public_key(pem_of(str(key_info.get("key") or "")))
    except ValueError:
        raise SignatureRefused("eBay's public key cannot be read.") from None
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise SignatureRefused("eBay's public key is not an elliptic-curve key.")
    digest = DIGESTS.get(str(signed.get("digest") or key_info.get("digest") or "SHA1").upper())
    if digest is None:
        raise SignatureRefused("The signature names a digest eBay does not use.")
    try:
        signature = base64.b64decode(str(signed["signature"]))
        public_key.verify(signature, bytes(body), ec.ECDSA(digest()))
    except (InvalidSignature, ValueError, binascii.Error):
        raise SignatureRefused("The signature does not match the body.") from None


def key_fetcher(origins, client_id: str, client_secret: str) -> Callable[[str], dict]:
    """getPublicKey(kid) with an application token (client-credentials grant, kept until it lapses)."""
    token: dict = {}

    def fetch(kid: str) -> dict:
        now = datetime.now(UTC)
        if not token or (token["grant"].expires_at and token["grant"].expires_at <= now):
            token["grant"] = application_token(
                origin=origins.api, client_id=client_id, client_secret=client_secret, now=now
            )
        with EbayClient(origins=origins, access_token=token["grant"].access_token, max_attempts=2) as client:
            return client.public_key(kid)

    return fetch


def deletion_read(body: bytes) -> dict:
    """{notification_id, username, user_id, eias_token} of an account-deletion notification;
    ValueError when the body is not one."""
    data = json.loads(bytes(body))
    if not isinstance(data, dict):
        raise ValueError("The notification is not a JSON object.")
    metadata, notification = data.get("metadata") or {}, data.get("notification") or {}
    if not isinstance(metadata, dict) or not isinstance(notification, dict):
        raise ValueError("The notification's metadata and notification must be JSON objects.")
    topic = str(metadata.get("topic") or "")
    if topic != DELETION_TOPIC:
        raise ValueError(f"The notification's topic is {topic or 'missing'}, not {DELETION_TOPIC}.")
    user = notification.get("data") or {}
    if not isinstance(user, dict) or not (user.get("username") or user.get("userId")):
        raise ValueError("The notification names no eBay user.")
    return {
        "notification_id": str(notification.get("notificationId") or "")[:255],
        "username": str(user.get("username") or "")[:100],
        "user_id": str(user.get("userId") or "")[:100],
        "eias_token": str(user.get("eiasToken") or "")[:255],
    }


def sign(body: bytes, private_key: ec.EllipticCurvePrivateKey, kid: str, digest: str = "SHA1") -> str:
    """X-EBAY-SIGNATURE for ``body`` (the fake's side, for tests and the demo)."""
    signature = private_key.sign(bytes(body), ec.ECDSA(DIGESTS[digest]()))
    header = {"alg": "ecdsa", "kid": kid, "signature": base64.b64encode(signature).decode(), "digest": digest}
    return base64.b64encode(json.dumps(header).encode()).decode()
