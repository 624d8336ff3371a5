"""Run the local fake 17TRACK: `python manage.py fake_17track [--port 8767] [--demo --base URL
[--every 30]]`. Prints the API base and keys, then serves until interrupted. With --demo (what
`make run` starts) it first learns the parcels the app follows, then every few seconds moves each
unfinished one a step along its journey and pushes it, signed, to the app's webhook — so shipped
demo orders gain events and become Delivered without anyone typing them."""

import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from apps.tracking.demo import fake_load
from apps.tracking.providers.fake_17track import DEFAULT_API_KEY, DEFAULT_SECURITY_KEY, Fake17Track


class Command(BaseCommand):
    help = "Start a local fake 17TRACK; with --demo, push the demo parcels' progress to the app."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8767, help="Port on 127.0.0.1 (0: any free one).")
        parser.add_argument("--api-key", default=DEFAULT_API_KEY)
        parser.add_argument("--security-key", default=DEFAULT_SECURITY_KEY)
        parser.add_argument("--demo", action="store_true", help="Push the app's parcels' progress to its webhook.")
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="Where the app serves (with --demo).")
        parser.add_argument("--every", type=float, default=30.0, help="Seconds between steps (with --demo).")

    def handle(self, *args, port, api_key, security_key, demo, base, every, **options):
        if every <= 0:
            raise CommandError("--every must be more than 0.")
        fake = Fake17Track(api_key=api_key, security_key=security_key, port=port, quota_total=1000)
        try:
            fake.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror}.") from exc
        self.stdout.write(f"Fake 17TRACK API base: {fake.api_base} (SEVENTEENTRACK_API_BASE)")
        self.stdout.write(f"API key: {api_key}   security key: {security_key}")
        self.stdout.flush()
        try:
            if demo:
                self.stdout.write(f"Following {fake_load(fake)} parcels; a step every {every:g} s")
                self.stdout.flush()
                url = base.rstrip("/") + reverse("tracking:webhook", kwargs={"provider": "17track"})
                while True:
                    time.sleep(every)
                    fake.demo_step(url)
            else:
                threading.Event().wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            fake.stop()
