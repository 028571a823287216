"""Run the Zoom simulator: ``python -m zoom_simulator [--port 8765] ...``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import ipaddress
import logging
import signal

from aiohttp import web

from .app import create_app
from .state import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CHUNK_PAUSE,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_RETRY_SCALE,
    DEFAULT_TOKEN_EXPIRES_IN,
    MODE_CHOICES,
    MODE_NUMBERS,
    SimulatorState,
    seed_demo,
    seed_users,
)

MAX_USERS = 20


def is_loopback(host: str) -> bool:
    """Tell whether a bind address only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; refuse a non-loopback host without --allow-remote."""
    parser = argparse.ArgumentParser(
        prog="python -m zoom_simulator",
        description="Serve a local simulation of the Zoom REST API.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="bind address")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="TCP port (0 picks a free one)"
    )
    parser.add_argument(
        "--meetings", type=int, default=3, metavar="N", help="demo meetings to create"
    )
    parser.add_argument(
        "--webinars", type=int, default=1, metavar="N", help="demo webinars to create"
    )
    parser.add_argument(
        "--start-first",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="have each user's first meeting already in progress (default: yes)",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=2,
        metavar="N",
        help=(
            "users, each in its own account with its own credentials and two demo "
            "meetings besides the first user's (default: 2)"
        ),
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=DEFAULT_CHUNK_SIZE,
        metavar="BYTES",
        help=(
            "send JSON bodies larger than this chunked, in pieces of this size, as "
            "they arrive over a real network (0: send every body whole; "
            f"default: {DEFAULT_CHUNK_SIZE})"
        ),
    )
    parser.add_argument(
        "--chunk-pause-ms",
        type=float,
        default=DEFAULT_CHUNK_PAUSE * 1000,
        metavar="MS",
        help=f"pause after each piece (default: {DEFAULT_CHUNK_PAUSE * 1000:g})",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow binding to a non-loopback address (the control routes have no auth)",
    )
    parser.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID)
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument(
        "--webhook-url",
        help="push signed Zoom events here (a Home Assistant webhook URL)",
    )
    parser.add_argument(
        "--webhook-secret",
        help="the secret token events are signed with (the Zoom app's Secret Token)",
    )
    parser.add_argument(
        "--token-expires-in",
        type=int,
        default=DEFAULT_TOKEN_EXPIRES_IN,
        metavar="SECONDS",
        help="lifetime of issued access tokens",
    )
    modes = parser.add_argument_group(
        "modes",
        "where Zoom's behaviour is unconfirmed or depends on the plan; the defaults "
        "are the harsher documented shapes",
    )
    modes.add_argument(
        "--live-stream-without-target",
        choices=MODE_CHOICES["live_stream_without_target"],
        default="no-body",
        help=(
            "GET …/livestream of a meeting that never had a stream target answers "
            "200 with no body, or with {} (default: no-body)"
        ),
    )
    modes.add_argument(
        "--live-lists-instant",
        action="store_true",
        help=(
            "list running instant meetings under type=live (default: never "
            "listed; personal-room meetings never are)"
        ),
    )
    modes.add_argument(
        "--rate-limit-headers",
        choices=MODE_CHOICES["rate_limit_headers"],
        default="none",
        help=(
            "X-RateLimit-* headers: none, full (Category, Type, Limit, Remaining; "
            "Retry-After on a daily 429) or no-type (Category, Limit, Remaining, as "
            "a real 429 had) (default: none)"
        ),
    )
    modes.add_argument(
        "--plan",
        choices=MODE_CHOICES["plan"],
        default="pro",
        help="free enforces Zoom's daily quotas (default: pro, which has none)",
    )
    modes.add_argument(
        "--s2s-me",
        choices=MODE_CHOICES["s2s_me"],
        default="app-user",
        help=(
            "what `me` is for a Server-to-Server token: the app's user, refused "
            "(404 code 1001), or an admin who hosts nothing (default: app-user)"
        ),
    )
    low, high = MODE_NUMBERS["retry_scale"]
    modes.add_argument(
        "--retry-scale",
        type=float,
        default=DEFAULT_RETRY_SCALE,
        metavar="SECONDS",
        help=(
            "seconds per Zoom minute before a failed delivery is retried (Zoom: "
            "after 5, 20 and 60 minutes); 60 is Zoom's own timing "
            f"(default: {DEFAULT_RETRY_SCALE:g}, so retries come within a second)"
        ),
    )
    modes.add_argument(
        "--retry-timestamps",
        choices=MODE_CHOICES["retry_timestamps"],
        default="fresh",
        help=(
            "a retry carries a new x-zm-request-timestamp and signature, or the "
            "first attempt's headers (default: fresh)"
        ),
    )
    args = parser.parse_args(argv)
    if not low <= args.retry_scale <= high:
        parser.error(f"--retry-scale must be between {low:g} and {high:g}")
    if args.meetings < 0 or args.webinars < 0:
        parser.error("--meetings and --webinars cannot be negative")
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be between 1 and {MAX_USERS}")
    if args.chunk_size < 0 or not 0 <= args.chunk_pause_ms <= 1000:
        parser.error(
            "--chunk-size cannot be negative and --chunk-pause-ms must be 0 to 1000"
        )
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    # The control routes let anyone reshape the account, so stay local by default.
    if not is_loopback(args.host) and not args.allow_remote:
        parser.error(
            f"refusing to bind to non-loopback host {args.host!r}; "
            "pass --allow-remote to do it anyway"
        )
    return args


def build_state(args: argparse.Namespace) -> SimulatorState:
    """Create the state the command line describes, seeded with demo data."""
    state = SimulatorState(
        account_id=args.account_id,
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_expires_in=args.token_expires_in,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        chunk_size=args.chunk_size,
        chunk_pause=args.chunk_pause_ms / 1000,
    )
    state.set_modes(
        {
            "live_stream_without_target": args.live_stream_without_target,
            "live_lists_instant": args.live_lists_instant,
            "rate_limit_headers": args.rate_limit_headers,
            "plan": args.plan,
            "s2s_me": args.s2s_me,
            "retry_scale": args.retry_scale,
            "retry_timestamps": args.retry_timestamps,
        }
    )
    seed_demo(
        state,
        meetings=args.meetings,
        webinars=args.webinars,
        start_first=args.start_first,
    )
    seed_users(state, args.users, start_first=args.start_first)
    return state


def banner(state: SimulatorState, host: str, port: int) -> str:
    """Describe credentials, URLs and demo data for the person at the terminal."""
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    base = f"http://{netloc}"
    lines = [
        "Zoom simulator running",
        f"  API base:      {base}/v2",
        f"  OAuth base:    {base}/oauth",
        f"  Control:       {base}/_simulator/state",
    ]
    for account in state.accounts():
        lines.extend(
            [
                f"  User {account.user.email} ({account.user.id}):",
                f"    Account ID:    {account.account_id}",
                f"    Client ID:     {account.client_id}",
                f"    Client secret: {account.client_secret}",
                "    Meetings and webinars:",
            ]
        )
        lines.extend(
            f"      {meeting.id}  {meeting.kind:<7}  "
            f"{'started' if meeting.started else 'waiting'}  {meeting.topic}"
            for meeting in state.meetings.values()
            if meeting.host_id == account.user.id
        )
    lines.extend(
        [
            "  User-level OAuth app (Sign in with Zoom, "
            f"signs in {state.oauth_user().email}):",
            f"    Client ID:     {state.user_app_client_id}",
            f"    Client secret: {state.user_app_client_secret}",
        ]
    )
    changed = {
        name: value
        for name, value in state.modes().items()
        if value != getattr(SimulatorState, name)
    }
    if changed:
        lines.append(
            "  Modes: "
            + ", ".join(f"{name}={value}" for name, value in changed.items())
        )
    if state.chunk_size:
        lines.append(
            f"  JSON bodies over {state.chunk_size} bytes are sent chunked, "
            f"{state.chunk_pause * 1000:g} ms between pieces."
        )
    lines.extend(
        [
            "  Start a meeting:",
            f"    curl -X POST {base}/_simulator/meetings/<id>/start",
            "Press Ctrl+C to stop.",
        ]
    )
    return "\n".join(lines)


async def serve(state: SimulatorState, host: str, port: int) -> None:
    """Serve ``state`` on host:port until cancelled."""
    runner = web.AppRunner(create_app(state))
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        # Report the bound port, which differs from the requested one for port 0.
        bound_port = runner.addresses[0][1] if runner.addresses else port
        print(banner(state, host, bound_port), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # SIGTERM (and SIGINT, which shells ignore in background jobs) should still
        # shut the server down cleanly; Windows has no loop signal handlers.
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator from the command line."""
    args = parse_args(argv)
    # Requests and event deliveries, one line each, for the person debugging.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    state = build_state(args)
    # Ctrl+C before the signal handlers are installed still ends quietly.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(state, args.host, args.port))
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
