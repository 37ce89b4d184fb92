"""`python -m tests.fakestripe`: serve a fake Stripe for a local demo."""

from __future__ import annotations

import argparse
import time

from . import FakeStripe
from .wire import DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Stripe API for local demos.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--webhook-secret", default=DEFAULT_WEBHOOK_SECRET)
    parser.add_argument("--available-delay-days", type=int, default=7)
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)

    fake = FakeStripe(
        api_key=args.api_key,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        host=args.host,
        port=args.port,
        available_delay_days=args.available_delay_days,
        log=None if args.quiet else (lambda line: print(line, flush=True)),
    )
    with fake:
        print(f"Fake Stripe on {fake.base_url}", flush=True)
        print(
            f"  STRIPE_API_BASE={fake.base_url} STRIPE_SECRET_KEY={fake.api_key} "
            f"STRIPE_WEBHOOK_SECRET={fake.webhook_secret}",
            flush=True,
        )
        print(f"  webhooks -> {fake.webhook_url or '(none)'}; Ctrl-C stops", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
