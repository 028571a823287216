"""Modes for what Zoom may do either way, start settings, and their command line."""

from __future__ import annotations

from typing import Any

import pytest

from zoom_simulator import (
    DEFAULT_USER_APP_CLIENT_ID,
    DEFAULT_USER_EMAIL,
    DEFAULT_USER_ID,
    SimulatorState,
)
from zoom_simulator.__main__ import banner, build_state, parse_args
from zoom_simulator.models import MeetingKind

from .conftest import Client

pytestmark = pytest.mark.usefixtures("socket_enabled")

ADMIN_ID = f"{DEFAULT_USER_ID}-admin"
ADMIN_EMAIL = "admin+host@example.com"


# -- the modes route ------------------------------------------------------------------


async def test_modes_route(client: Client, state: SimulatorState) -> None:
    """GET shows every mode with its default; POST changes some, all or none."""
    defaults = {
        "live_stream_without_target": "no-body",
        "rate_limit_headers": "none",
        "plan": "pro",
        "s2s_me": "app-user",
        "retry_timestamps": "fresh",
        "live_lists_instant": False,
        "retry_scale": 0.01,
    }
    assert await (await client.get("/_simulator/modes")).json() == defaults
    resp = await client.post(
        "/_simulator/modes",
        json={"plan": "free", "retry_scale": 2, "s2s_me": "admin"},
    )
    assert resp.status == 200
    assert await resp.json() == {
        **defaults,
        "plan": "free",
        "retry_scale": 2.0,
        "s2s_me": "admin",
    }
    assert (state.plan, state.retry_scale, state.s2s_me) == ("free", 2.0, "admin")
    snapshot = await (await client.get("/_simulator/state")).json()
    assert snapshot["modes"]["plan"] == "free"


@pytest.mark.parametrize(
    "body",
    [
        {"plan": "business"},
        {"rate_limit_headers": True},
        {"live_lists_instant": "yes"},
        {"retry_scale": -1},
        {"retry_scale": 61},
        {"retry_scale": True},
        {"teleport": 1},
        {"plan": "free", "s2s_me": "nobody"},
    ],
)
async def test_modes_route_refuses_bad_values(
    client: Client, state: SimulatorState, body: dict[str, Any]
) -> None:
    """A bad value changes nothing at all."""
    resp = await client.post("/_simulator/modes", json=body)
    assert resp.status == 400
    assert "error" in await resp.json()
    assert state.plan == "pro"


# -- live stream of a meeting without a target ---------------------------------------------


@pytest.mark.parametrize("kind", ["meeting", "webinar"])
async def test_live_stream_without_target_modes(
    client: Client, state: SimulatorState, auth: dict[str, str], kind: MeetingKind
) -> None:
    """No body by default; {} in the empty-object mode; a target reads back in both."""
    bare = state.add_meeting("Bare", kind=kind)
    set_up = state.add_meeting(
        "Set up",
        kind=kind,
        stream_url="rtmp://x/live",
        stream_key="k",
        page_url="https://example.com/watch",
    )
    bare_path = f"/v2/{kind}s/{bare.id}/livestream"
    set_path = f"/v2/{kind}s/{set_up.id}/livestream"
    full = {
        "stream_url": "rtmp://x/live",
        "stream_key": "k",
        "page_url": "https://example.com/watch",
        "resolution": "720p",
    }
    resp = await client.get(bare_path, headers=auth)
    assert (resp.status, await resp.read()) == (200, b"")
    assert resp.headers["Content-Length"] == "0"
    assert await (await client.get(set_path, headers=auth)).json() == full

    state.live_stream_without_target = "empty-object"
    resp = await client.get(bare_path, headers=auth)
    assert (resp.status, await resp.json()) == (200, {})
    assert await (await client.get(set_path, headers=auth)).json() == full


async def test_a_page_url_alone_is_a_configured_target(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Once anything was configured, all four fields read back."""
    meeting = state.add_meeting("Sync", page_url="https://example.com/watch")
    resp = await client.get(f"/v2/meetings/{meeting.id}/livestream", headers=auth)
    assert (await resp.json())["page_url"] == "https://example.com/watch"


# -- start settings ---------------------------------------------------------------------------


async def test_meeting_start_records_layout_and_close_caption(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Meetings accept layout and close_caption (Zoom's Node SDK) and keep them."""
    for layout, caption in (
        ("follow_host", "burnt-in"),
        ("gallery_view", "embedded"),
        ("speaker_view", "off"),
    ):
        meeting = state.add_meeting(
            "Sync", started=True, stream_url="rtmp://x/live", stream_key="k"
        )
        settings = {
            "display_name": "Live",
            "layout": layout,
            "close_caption": caption,
        }
        resp = await client.patch(
            f"/v2/meetings/{meeting.id}/livestream/status",
            json={"action": "start", "settings": settings},
            headers=auth,
        )
        assert resp.status == 204
        assert meeting.last_start_settings == settings
        snapshot = await (await client.get("/_simulator/state")).json()
        assert snapshot["meetings"][-1]["last_start_settings"] == settings


@pytest.mark.parametrize(
    "settings",
    [
        {"layout": "gallery_view"},
        {"close_caption": "off"},
        {"layout": "speaker_view", "close_caption": "embedded"},
    ],
)
async def test_webinar_start_refuses_meeting_only_settings(
    client: Client,
    state: SimulatorState,
    auth: dict[str, str],
    settings: dict[str, str],
) -> None:
    """A webinar's start documents neither: 400 code 300 with the fields listed."""
    webinar = state.add_meeting(
        "All-hands",
        kind="webinar",
        started=True,
        stream_url="rtmp://x/live",
        stream_key="k",
    )
    resp = await client.patch(
        f"/v2/webinars/{webinar.id}/livestream/status",
        json={"action": "start", "settings": {"display_name": "Live", **settings}},
        headers=auth,
    )
    assert resp.status == 400
    body = await resp.json()
    assert (body["code"], body["message"]) == (300, "Validation Failed.")
    assert [item["field"] for item in body["errors"]] == [
        f"settings.{name}" for name in settings
    ]
    assert not webinar.streaming
    assert webinar.last_start_settings is None


async def test_unknown_webinar_on_live_stream_routes_is_400(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """Zoom documents 400 code 3001 there; its details route keeps 404."""
    meeting = state.add_meeting("A meeting, not a webinar")
    for method, suffix, body in (
        ("GET", "livestream", None),
        (
            "PATCH",
            "livestream",
            {"stream_url": "u", "stream_key": "k", "page_url": "p"},
        ),
        ("PATCH", "livestream/status", {"action": "stop"}),
    ):
        for webinar_id in (12345678901, meeting.id):
            resp = await client.request(
                method, f"/v2/webinars/{webinar_id}/{suffix}", json=body, headers=auth
            )
            assert resp.status == 400
            assert await resp.json() == {
                "code": 3001,
                "message": f"Webinar does not exist: {webinar_id}.",
            }
    resp = await client.get("/v2/webinars/12345678901", headers=auth)
    assert resp.status == 404


# -- me for Server-to-Server tokens ----------------------------------------------------


async def test_me_is_the_apps_user_by_default(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """The default: me is the user who hosts the meetings; no admin exists."""
    meeting = state.add_meeting("Sync")
    me = await (await client.get("/v2/users/me", headers=auth)).json()
    assert me["id"] == DEFAULT_USER_ID
    listed = await (await client.get("/v2/users/me/meetings", headers=auth)).json()
    assert [item["id"] for item in listed["meetings"]] == [meeting.id]
    assert (await client.get(f"/v2/users/{ADMIN_ID}", headers=auth)).status == 404


async def test_me_refused_for_server_to_server(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """In the "refused" mode me is an unknown user; the host's ID and email work."""
    meeting = state.add_meeting("Sync")
    webinar = state.add_meeting("All-hands", kind="webinar")
    state.s2s_me = "refused"
    for path in ("/v2/users/me", "/v2/users/me/meetings", "/v2/users/me/webinars"):
        resp = await client.get(path, headers=auth)
        assert resp.status == 404
        assert await resp.json() == {"code": 1001, "message": "User does not exist: me"}
    user = await (await client.get(f"/v2/users/{DEFAULT_USER_ID}", headers=auth)).json()
    assert user["email"] == DEFAULT_USER_EMAIL
    for user_id in (DEFAULT_USER_ID, DEFAULT_USER_EMAIL):
        listed = await (
            await client.get(f"/v2/users/{user_id}/meetings", headers=auth)
        ).json()
        assert [item["id"] for item in listed["meetings"]] == [meeting.id]
        webinars = await (
            await client.get(f"/v2/users/{user_id}/webinars", headers=auth)
        ).json()
        assert [item["id"] for item in webinars["webinars"]] == [webinar.id]


async def test_me_is_an_admin_who_hosts_nothing(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """In the "admin" mode me is the app's admin; the meetings are the host's."""
    meeting = state.add_meeting("Sync", started=True)
    state.s2s_me = "admin"
    me = await (await client.get("/v2/users/me", headers=auth)).json()
    assert (me["id"], me["email"], me["account_id"]) == (
        ADMIN_ID,
        ADMIN_EMAIL,
        state.account_id,
    )
    for list_type in ("scheduled", "live"):
        listed = await (
            await client.get(
                "/v2/users/me/meetings", params={"type": list_type}, headers=auth
            )
        ).json()
        assert (listed["total_records"], listed["meetings"]) == (0, [])
    for user_id in (DEFAULT_USER_ID, DEFAULT_USER_EMAIL):
        listed = await (
            await client.get(f"/v2/users/{user_id}/meetings", headers=auth)
        ).json()
        assert [item["id"] for item in listed["meetings"]] == [meeting.id]
    admin = await (await client.get(f"/v2/users/{ADMIN_EMAIL}", headers=auth)).json()
    assert admin["id"] == ADMIN_ID
    # The account's token still reaches the host's meetings.
    details = await client.get(f"/v2/meetings/{meeting.id}", headers=auth)
    assert (await details.json())["host_email"] == DEFAULT_USER_EMAIL


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("app-user", [DEFAULT_USER_ID]),
        ("refused", [DEFAULT_USER_ID]),
        ("admin", [ADMIN_ID, DEFAULT_USER_ID]),
    ],
)
async def test_the_account_users_are_listed(
    client: Client,
    state: SimulatorState,
    auth: dict[str, str],
    mode: str,
    expected: list[str],
) -> None:
    """`GET /users` lists whom `{userId}` reaches, a page at a time."""
    state.set_modes({"s2s_me": mode})
    listed = await (
        await client.get("/v2/users", params={"status": "active"}, headers=auth)
    ).json()
    assert [user["id"] for user in listed["users"]] == expected
    assert (listed["total_records"], listed["next_page_token"]) == (len(expected), "")
    for user in listed["users"]:
        resp = await client.get(f"/v2/users/{user['id']}", headers=auth)
        assert (await resp.json())["email"] == user["email"]
    first = await (
        await client.get("/v2/users", params={"page_size": "1"}, headers=auth)
    ).json()
    assert [user["id"] for user in first["users"]] == expected[:1]
    if len(expected) > 1:
        rest = await (
            await client.get(
                "/v2/users",
                params={"page_size": "1", "next_page_token": first["next_page_token"]},
                headers=auth,
            )
        ).json()
        assert [user["id"] for user in rest["users"]] == expected[1:]
    inactive = await (
        await client.get("/v2/users", params={"status": "inactive"}, headers=auth)
    ).json()
    assert inactive["users"] == []


# -- list types ---------------------------------------------------------------------------


async def test_every_documented_meeting_list_type(
    client: Client, state: SimulatorState, auth: dict[str, str]
) -> None:
    """upcoming_meetings is the upcoming list; previous_meetings is empty here."""
    meeting = state.add_meeting("Sync")
    for list_type, expected in (
        ("upcoming_meetings", [meeting.id]),
        ("previous_meetings", []),
    ):
        resp = await client.get(
            "/v2/users/me/meetings", params={"type": list_type}, headers=auth
        )
        assert resp.status == 200
        assert [item["id"] for item in (await resp.json())["meetings"]] == expected


# -- the command line ------------------------------------------------------------------------


def test_cli_mode_defaults() -> None:
    """The command line starts in the harsh defaults and says so nowhere."""
    state = build_state(parse_args([]))
    assert state.modes() == SimulatorState().modes()
    text = banner(state, "127.0.0.1", 8765)
    assert "Modes:" not in text
    assert DEFAULT_USER_APP_CLIENT_ID in text
    assert "sim-user-app-secret" in text


def test_cli_mode_flags() -> None:
    """Every mode has a flag; the banner lists what differs from the default."""
    state = build_state(
        parse_args(
            [
                "--live-stream-without-target",
                "empty-object",
                "--live-lists-instant",
                "--rate-limit-headers",
                "no-type",
                "--plan",
                "free",
                "--s2s-me",
                "refused",
                "--retry-scale",
                "60",
                "--retry-timestamps",
                "original",
            ]
        )
    )
    assert state.modes() == {
        "live_stream_without_target": "empty-object",
        "rate_limit_headers": "no-type",
        "plan": "free",
        "s2s_me": "refused",
        "retry_timestamps": "original",
        "live_lists_instant": True,
        "retry_scale": 60.0,
    }
    text = banner(state, "127.0.0.1", 8765)
    assert "Modes: live_stream_without_target=empty-object" in text
    assert "retry_scale=60.0" in text
    for bad in (
        ["--plan", "business"],
        ["--retry-scale", "-1"],
        ["--retry-scale", "61"],
        ["--s2s-me", "root"],
    ):
        with pytest.raises(SystemExit):
            parse_args(bad)
