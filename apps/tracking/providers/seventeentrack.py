"""The 17TRACK Tracking API client (v2.2 or v2.4, a setting): POST JSON with the ``17token``
header to ``<base>/<version>/<endpoint>``; answers ``{"code": 0, "data": {"accepted": […],
"rejected": [{"number", "error": {"code", "message"}}]}}``, or a non-zero ``code`` with
``data.errors`` when the whole request failed (a bad key, too many numbers).

At most 40 numbers per request and about 3 requests a second (HTTP 429 beyond): requests are
spaced by ``max_rps`` across the process, a 429 waits its Retry-After (or a second) and a 5xx or a
timeout backs off, both a few times, before the error is raised retryable for the caller's own
schedule. Push signatures: ``sign`` = lowercase hex SHA-256 of (raw body + "/" + security key)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import datetime

import httpx

from . import (
    MAX_BATCH,
    ProviderError,
    ProviderEvent,
    Push,
    Quota,
    Refusal,
    RegisterResult,
    Registration,
    Rejection,
    TrackInfo,
    TrackInfoResult,
)

VERSIONS = ("v2.2", "v2.4")
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 20.0
ATTEMPTS = 3
MAX_WAIT_SECONDS = 10.0

# Whole-request failures that no retry mends (help.17track.net "Error Codes and Troubleshooting").
FINAL_CODES = {
    -18010001: "This server's IP address is not on the 17TRACK whitelist.",
    -18010002: "The 17TRACK API key is wrong (SEVENTEENTRACK_API_KEY).",
    -18010004: "The 17TRACK account is disabled.",
    -18010014: "More than 40 numbers in one request.",
}
REFUSALS = {
    -18019901: Refusal.ALREADY_REGISTERED,
    -18019902: Refusal.NOT_REGISTERED,
    -18019903: Refusal.CARRIER_NOT_DETECTED,
    -18010018: Refusal.NEEDS_POSTAL_CODE,
    -18010019: Refusal.NEEDS_POSTAL_CODE,
    -18010020: Refusal.NEEDS_PHONE,
}

_pace_lock = threading.Lock()
_last_request = [0.0]


def sign(body: bytes, security_key: str) -> str:
    return hashlib.sha256(body + b"/" + security_key.encode()).hexdigest()


def verify(body: bytes, signature: str, security_key: str) -> bool:
    """Constant-time check of a push's ``sign`` header; False without a key or a signature."""
    if not security_key or not signature:
        return False
    return hmac.compare_digest(sign(body, security_key), signature.strip().lower())


def _time(value) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _main(sub_status: str) -> str:
    return (sub_status or "").split("_", 1)[0]


def info_from(item: dict) -> TrackInfo:
    """One ``accepted`` entry of gettrackinfo, or a push's ``data``, as a TrackInfo: every event of
    every provider (the origin and the last-mile carrier), oldest first."""
    track = item.get("track_info") or {}
    latest = track.get("latest_status") or {}
    events = []
    for provider in (track.get("tracking") or {}).get("providers") or []:
        for event in reversed(provider.get("events") or []):  # listed newest first; ties keep their order
            at = _time(event.get("time_utc")) or _time(event.get("time_iso"))
            if at is None:
                continue
            sub = event.get("sub_status") or ""
            events.append(
                ProviderEvent(
                    at=at,
                    status=_main(sub) or (event.get("stage") or ""),
                    sub_status=sub,
                    location=(event.get("location") or "").strip(),
                    description=(event.get("description") or "").strip(),
                )
            )
    events.sort(key=lambda e: e.at)
    return TrackInfo(
        number=str(item.get("number") or ""),
        carrier=item.get("carrier") if isinstance(item.get("carrier"), int) else None,
        status=latest.get("status") or "",
        sub_status=latest.get("sub_status") or "",
        events=tuple(events),
        tag=str(item.get("tag") or ""),
    )


def rejection_from(item: dict) -> Rejection:
    error = item.get("error") or {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    return Rejection(
        number=str(item.get("number") or ""),
        reason=REFUSALS.get(code, Refusal.OTHER),
        code=code,
        message=str(error.get("message") or "refused")[:300],
    )


def parse_push(body: bytes) -> Push:
    """A push body (``{"event": "TRACKING_UPDATED" | "TRACKING_STOPPED", "data": {…}}``)."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ProviderError("The push is not JSON.", retryable=False, code="BAD_JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise ProviderError("The push has no data.", retryable=False, code="BAD_PUSH")
    data = payload["data"]
    event = str(payload.get("event") or "")
    return Push(
        event=event,
        number=str(data.get("number") or ""),
        carrier=data.get("carrier") if isinstance(data.get("carrier"), int) else None,
        info=info_from(data) if event == "TRACKING_UPDATED" else None,
    )


class SeventeenTrackClient:
    name = "17track"

    def __init__(
        self,
        *,
        api_key: str,
        api_base: str = "https://api.17track.net/track",
        version: str = "v2.4",
        max_rps: float = 3.0,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        attempts: int = ATTEMPTS,
    ):
        if version not in VERSIONS:
            raise ProviderError(
                f"17TRACK API version {version!r} is not one of {', '.join(VERSIONS)}.", retryable=False
            )
        self.version, self.interval, self.attempts = version, 1.0 / max(max_rps, 0.1), attempts
        self.calls = 0
        self.http = httpx.Client(
            base_url=f"{api_base.rstrip('/')}/{version}/",
            headers={"17token": api_key, "Content-Type": "application/json"},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        )

    def __enter__(self) -> SeventeenTrackClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    # The endpoints.

    def register(self, items: list[Registration]) -> RegisterResult:
        data = self.post("register", [self._item(i, with_extra=True) for i in self._batch(items)])
        return self._result(data)

    def track_info(self, items: list[Registration]) -> TrackInfoResult:
        data = self.post("gettrackinfo", [self._item(i) for i in self._batch(items)])
        return TrackInfoResult(
            found=tuple(info_from(a) for a in data.get("accepted") or []),
            rejected=tuple(rejection_from(r) for r in data.get("rejected") or []),
        )

    def stop(self, items: list[Registration]) -> RegisterResult:
        return self._result(self.post("stoptrack", [self._item(i) for i in self._batch(items)]))

    def quota(self) -> Quota:
        data = self.post("getquota", {})
        return Quota(
            total=int(data.get("quota_total") or 0),
            used=int(data.get("quota_used") or 0),
            remaining=int(data.get("quota_remain") or 0),
        )

    # The wire.

    @staticmethod
    def _batch(items: list[Registration]) -> list[Registration]:
        if len(items) > MAX_BATCH:
            raise ProviderError(f"At most {MAX_BATCH} numbers per request, not {len(items)}.", retryable=False)
        return items

    @staticmethod
    def _item(item: Registration, *, with_extra: bool = False) -> dict:
        body: dict = {"number": item.number}
        if item.carrier:
            body["carrier"] = item.carrier
        if with_extra and item.param:
            body["param"] = item.param
        if with_extra and item.tag:
            body["tag"] = item.tag
        return body

    @staticmethod
    def _result(data: dict) -> RegisterResult:
        rejected = [rejection_from(r) for r in data.get("rejected") or []]
        accepted = [str(a.get("number") or "") for a in data.get("accepted") or []]
        # "Already registered" is success: the number is tracked, which is what we asked for.
        accepted += [r.number for r in rejected if r.reason == Refusal.ALREADY_REGISTERED]
        return RegisterResult(
            accepted=tuple(accepted),
            rejected=tuple(r for r in rejected if r.reason != Refusal.ALREADY_REGISTERED),
        )

    def _pace(self) -> None:
        """Space requests ``1 / max_rps`` apart across this process's clients."""
        with _pace_lock:
            wait = _last_request[0] + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            _last_request[0] = time.monotonic()

    def post(self, endpoint: str, payload) -> dict:
        """The ``data`` of a successful answer; raises ProviderError otherwise."""
        error: ProviderError | None = None
        for attempt in range(self.attempts):
            if error is not None:
                time.sleep(min(error.retry_after or 0.5 * 2**attempt, MAX_WAIT_SECONDS))
            self._pace()
            try:
                error, data = None, self._send(endpoint, payload)
            except ProviderError as exc:
                if not exc.retryable or exc.code == "UNREACHABLE":  # nobody listens: our caller retries later
                    raise
                error = exc
                continue
            return data
        raise error

    def _send(self, endpoint: str, payload) -> dict:
        self.calls += 1
        try:
            response = self.http.post(endpoint, content=json.dumps(payload))
        except httpx.TimeoutException as exc:
            raise ProviderError("17TRACK did not answer in time.", retryable=True, code="TIMEOUT") from exc
        except httpx.ConnectError as exc:
            raise ProviderError("Could not connect to 17TRACK.", retryable=True, code="UNREACHABLE") from exc
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"Could not reach 17TRACK ({type(exc).__name__}).", retryable=True, code="NETWORK"
            ) from exc
        status = response.status_code
        if status == 429:
            try:
                wait = float(response.headers.get("Retry-After") or 1.0)
            except ValueError:
                wait = 1.0
            raise ProviderError("17TRACK is rate limiting us.", retryable=True, status=429, retry_after=wait)
        if status >= 500:
            raise ProviderError(f"17TRACK answered {status}.", retryable=True, status=status)
        if status in (401, 403):
            raise ProviderError("17TRACK refused the API key.", retryable=False, status=status)
        if status >= 400:
            raise ProviderError(f"17TRACK refused the request ({status}).", retryable=False, status=status)
        try:
            answer = response.json()
        except ValueError as exc:
            raise ProviderError("17TRACK answered something that is not JSON.", retryable=True) from exc
        code = answer.get("code")
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        if code != 0:
            errors = data.get("errors") or [{}]
            message = FINAL_CODES.get(code) or str(errors[0].get("message") or f"17TRACK error {code}")
            raise ProviderError(message, retryable=False, code=code)
        return data
