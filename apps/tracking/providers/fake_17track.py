"""A local fake 17TRACK for the tests and the demo, over real HTTP on 127.0.0.1, speaking the
wire format ``seventeentrack.py`` speaks (v2.2 and v2.4 paths alike).

    with Fake17Track() as fake:
        client = SeventeenTrackClient(api_key=fake.api_key, api_base=fake.api_base)
        fake.add_event("1Z…", "Delivered_Other", "Delivered, front door", "Austin, TX")
        fake.push(webhook_url, "1Z…")  # signed with fake.security_key

What it answers: POST /track/<version>/register | gettrackinfo | stoptrack | retrack | getquota
with the ``17token`` header. A wrong token is ``code`` -18010002; more than 40 numbers -18010014;
a number registered again -18019901 (under the same carrier); no carrier given and none it can
tell from the number -18019903; a carrier in ``needs_postal_code`` without ``param`` -18010019;
gettrackinfo or stoptrack of an unknown number -18019902. Each accepted registration costs one
quota. More than ``max_rps`` requests within a second, or ``throttle_next(n)``, answer HTTP 429;
``fail_next(n)`` answers 500. ``calls`` counts requests per endpoint.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import Counter, deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler

import httpx

from apps.core.fake_http import LocalFakeServer

DEFAULT_API_KEY = "fake-17track-api-key"
DEFAULT_SECURITY_KEY = "fake-17track-security-key"
# What the fake can tell from a number alone (17TRACK auto-detects many more).
DETECT_PREFIXES = {"1Z": 100002}
CARRIER_NAMES = {100001: "DHL Express", 100002: "UPS", 100003: "FedEx", 21051: "USPS", 7041: "DHL Paket"}
STAGES = {
    "InfoReceived": "InfoReceived",
    "InTransit_PickedUp": "PickedUp",
    "InTransit_Departure": "Departure",
    "InTransit_Arrival": "Arrival",
    "AvailableForPickup_Other": "AvailableForPickup",
    "OutForDelivery_Other": "OutForDelivery",
    "Delivered_Other": "Delivered",
    "Exception_Returning": "Returning",
    "Exception_Returned": "Returned",
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Fake17Track(LocalFakeServer):
    thread_name = "fake-17track"

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        security_key: str = DEFAULT_SECURITY_KEY,
        port: int = 0,
        quota_total: int = 100,
        max_rps: int = 3,
    ):
        self.api_key, self.security_key, self.port = api_key, security_key, port
        self.quota_total, self.quota_used, self.max_rps = quota_total, 0, max_rps
        self.lock = threading.Lock()
        self.numbers: dict[str, dict] = {}  # number → {carrier, param, tag, events (oldest first), stopped}
        self.needs_postal_code: set[int] = {7041}
        self.calls: Counter = Counter()
        self.bodies: list[tuple[str, object]] = []  # (endpoint, request JSON), oldest first
        self.failures: list[int] = []
        self.throttles: list[float] = []
        self.recent: deque[float] = deque()
        self.hashes = itertools.count(1000)

    # Running.

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/track"

    # Knobs.

    def fail_next(self, times: int = 1, *, status: int = 500) -> None:
        with self.lock:
            self.failures.extend([status] * times)

    def throttle_next(self, times: int = 1, *, retry_after: float = 0.2) -> None:
        with self.lock:
            self.throttles.extend([retry_after] * times)

    def add_event(
        self, number: str, sub_status: str, description: str = "", location: str = "", at: datetime | None = None
    ) -> dict:
        """A carrier scan on a registered number (registering it, without a carrier, if unknown)."""
        with self.lock:
            entry = self.numbers.setdefault(number, {"carrier": None, "param": "", "tag": "", "events": []})
            event = {
                "at": at or datetime.now(UTC),
                "sub_status": sub_status,
                "description": description,
                "location": location,
            }
            entry["events"].append(event)
            entry["events"].sort(key=lambda e: e["at"])
            return event

    # Pushes.

    def push_body(self, number: str, *, event: str = "TRACKING_UPDATED", upto: datetime | None = None) -> bytes:
        """The push 17TRACK sends for ``number``: its whole tracking, or only the events up to
        ``upto`` (an older push that arrives late)."""
        with self.lock:
            entry = self.numbers[number]
            data = {"number": number, "carrier": entry["carrier"], "param": entry["param"] or None, "tag": entry["tag"]}
            if event == "TRACKING_UPDATED":
                data["track_info"] = self.track_info(entry, upto=upto)
        return json.dumps({"event": event, "data": data}).encode()

    def sign(self, body: bytes, key: str | None = None) -> str:
        return hashlib.sha256(body + b"/" + (key or self.security_key).encode()).hexdigest()

    def send(self, url: str, body: bytes, *, signature: str | None = None, timeout: float = 10.0) -> httpx.Response:
        signature = self.sign(body) if signature is None else signature
        headers = {"Content-Type": "application/json", "sign": signature}
        return httpx.post(url, content=body, headers=headers, timeout=httpx.Timeout(timeout, connect=2.0))

    def push(self, url: str, number: str, **kwargs) -> httpx.Response:
        return self.send(url, self.push_body(number, **kwargs))

    # The wire format.

    def track_info(self, entry: dict, *, upto: datetime | None = None) -> dict:
        events = [e for e in entry["events"] if upto is None or e["at"] <= upto]
        shown = [
            {
                "time_iso": e["at"].astimezone(UTC).isoformat(),
                "time_utc": _iso(e["at"]),
                "time_raw": {"date": f"{e['at']:%Y-%m-%d}", "time": f"{e['at']:%H:%M:%S}", "timezone": "+00:00"},
                "description": e["description"],
                "description_translation": None,
                "location": e["location"],
                "stage": STAGES.get(e["sub_status"], ""),
                "sub_status": e["sub_status"],
                "address": {"country": None, "state": None, "city": None, "street": None, "postal_code": None},
            }
            for e in reversed(events)  # newest first, as 17TRACK lists them
        ]
        latest_sub = events[-1]["sub_status"] if events else "NotFound_Other"
        carrier = entry["carrier"]
        return {
            "shipping_info": {"shipper_address": {}, "recipient_address": {}},
            "latest_status": {"status": latest_sub.split("_")[0], "sub_status": latest_sub, "sub_status_descr": None},
            "latest_event": shown[0] if shown else None,
            "time_metrics": {"days_after_order": 0, "days_of_transit": 0, "days_of_transit_done": 0},
            "milestone": [],
            "misc_info": {},
            "tracking": {
                "providers_hash": next(self.hashes),
                "providers": [
                    {
                        "provider": {"key": carrier, "name": CARRIER_NAMES.get(carrier, str(carrier))},
                        "latest_sync_status": "Success",
                        "latest_sync_time": _iso(datetime.now(UTC)),
                        "events_hash": next(self.hashes),
                        "events": shown,
                    }
                ],
            },
        }

    def answer(self, path: str, token: str | None, body: bytes) -> tuple[int, dict, dict]:
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "track" or parts[1] not in ("v2.2", "v2.4"):
            return 404, {}, {"message": "Not Found"}
        endpoint = parts[2]
        with self.lock:
            self.calls[endpoint] += 1
            now = time.monotonic()
            while self.recent and self.recent[0] < now - 1.0:
                self.recent.popleft()
            self.recent.append(now)
            failure = self.failures.pop(0) if self.failures else None
            throttle = self.throttles.pop(0) if self.throttles else None
            if throttle is None and len(self.recent) > self.max_rps:
                throttle = 1.0
        if failure:
            return failure, {}, {"message": "Internal Server Error"}
        if throttle is not None:
            return 429, {"Retry-After": f"{throttle:.1f}"}, {"message": "Too Many Requests"}
        if token != self.api_key:
            return 200, {}, _whole_error(-18010002, "Security key is invalid.")
        try:
            request = json.loads(body or b"null")
        except ValueError:
            return 200, {}, _whole_error(-18010012, "The data format is incorrect.")
        self.bodies.append((endpoint, request))
        if endpoint == "getquota":
            with self.lock:
                return 200, {}, {"code": 0, "data": self.quota()}
        if not isinstance(request, list):
            return 200, {}, _whole_error(-18010012, "The data format is incorrect.")
        if len(request) > 40:
            return 200, {}, _whole_error(-18010014, "The submitted numbers exceed the limit of 40.")
        handler = {"register": self.register_one, "gettrackinfo": self.info_one, "stoptrack": self.stop_one}.get(
            endpoint, self.stop_one if endpoint == "retrack" else None
        )
        if handler is None:
            return 404, {}, {"message": "Not Found"}
        accepted, rejected = [], []
        with self.lock:
            for item in request:
                ok, value = handler(item if isinstance(item, dict) else {})
                (accepted if ok else rejected).append(value)
        return 200, {}, {"code": 0, "data": {"accepted": accepted, "rejected": rejected}}

    def quota(self) -> dict:
        return {
            "quota_total": self.quota_total,
            "quota_used": self.quota_used,
            "quota_remain": self.quota_total - self.quota_used,
            "today_used": self.quota_used,
            "max_track_daily": 10000,
            "free_email_quota": 300,
            "free_email_quota_used": 0,
        }

    def register_one(self, item: dict) -> tuple[bool, dict]:
        number = str(item.get("number") or "")
        carrier = item.get("carrier")
        if not 5 <= len(number) <= 50:
            return False, _refusal(number, -18019909, "The tracking number is invalid.")
        known = self.numbers.get(number)
        if known is not None and known.get("registered") and (carrier is None or carrier == known["carrier"]):
            return False, _refusal(number, -18019901, f"The tracking number '{number}' has been registered.")
        if carrier is None:
            carrier = next((code for prefix, code in DETECT_PREFIXES.items() if number.startswith(prefix)), None)
            if carrier is None:
                return False, _refusal(number, -18019903, "The carrier cannot be detected.")
        if carrier in self.needs_postal_code and not item.get("param"):
            return False, _refusal(number, -18010019, "The carrier requires a postal code (param).")
        if self.quota_used >= self.quota_total:
            return False, _refusal(number, -18010022, "The quota is used up.")
        self.quota_used += 1
        entry = self.numbers.setdefault(number, {"events": []})
        entry.update(carrier=carrier, param=item.get("param") or "", tag=item.get("tag") or "", registered=True)
        entry["stopped"] = False
        return True, {"origin": 1, "number": number, "carrier": carrier}

    def info_one(self, item: dict) -> tuple[bool, dict]:
        number = str(item.get("number") or "")
        entry = self.numbers.get(number)
        if entry is None or not entry.get("registered"):
            return False, _refusal(number, -18019902, "The tracking number is not registered.")
        return True, {
            "number": number,
            "carrier": entry["carrier"],
            "param": entry["param"] or None,
            "tag": entry["tag"],
            "track_info": self.track_info(entry),
        }

    def stop_one(self, item: dict) -> tuple[bool, dict]:
        number = str(item.get("number") or "")
        entry = self.numbers.get(number)
        if entry is None or not entry.get("registered"):
            return False, _refusal(number, -18019902, "The tracking number is not registered.")
        entry["stopped"] = True
        return True, {"number": number, "carrier": entry["carrier"]}

    # The demo: every registered number moves one step along a journey and is pushed.

    JOURNEY = (
        ("InTransit_PickedUp", "Picked up by the carrier"),
        ("InTransit_Departure", "Departed the origin facility"),
        ("InTransit_Arrival", "Arrived at the destination facility"),
        ("OutForDelivery_Other", "Out for delivery"),
        ("Delivered_Other", "Delivered, left at the front door"),
    )

    def demo_step(self, url: str) -> int:
        """One step for every registered, unfinished number, pushed signed; returns how many."""
        with self.lock:
            due = [n for n, e in self.numbers.items() if e.get("registered") and not e.get("stopped")]
        pushed = 0
        for number in due:
            events = self.numbers[number]["events"]
            if events and events[-1]["sub_status"].startswith(("DeliveryFailure", "Exception")):
                continue  # the demo's failed delivery stays for people to see
            done = {e["sub_status"] for e in events}
            step = next((s for s in self.JOURNEY if s[0] not in done), None)
            if step is None:
                continue
            self.add_event(number, step[0], step[1], "Los Angeles, CA" if step[0] != "Delivered_Other" else "")
            try:
                self.push(url, number)
                pushed += 1
            except httpx.HTTPError:
                pass  # the demo server may be restarting; the sweep catches up
        return pushed

    def demo_forever(self, url: str, every: float) -> None:
        while True:
            time.sleep(every)
            self.demo_step(url)


def _whole_error(code: int, message: str) -> dict:
    return {"code": code, "data": {"errors": [{"code": code, "message": message}]}}


def _refusal(number: str, code: int, message: str) -> dict:
    return {"number": number, "error": {"code": code, "message": message}}


class _Handler(BaseHTTPRequestHandler):
    fake: Fake17Track
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.fake.answer(self.path.split("?", 1)[0], self.headers.get("17token"), body)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet in tests
        return
