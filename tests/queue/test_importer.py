"""`crisis queue import`: realistic exports per preset, and broken ones naming the row."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crisiscli.env import Environment
from crisiscli.errors import UsageError
from crisiscli.moments import parse_when
from crisiscli.queue.importer import QueueFileError, read_queue_csv
from crisiscli.record.store import list_incidents
from tests.conftest import FrozenClock, make_env
from tests.helpers import events_of, open_incident

QUEUE = Path(__file__).resolve().parents[1] / "fixtures" / "queue"
UTC = timezone.utc
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def incident(crisis_home: Path):  # type: ignore[no-untyped-def]
    env = make_env(crisis_home, clock=FrozenClock(NOW))
    return open_incident(env)


def imported(home: Path) -> list[dict]:  # type: ignore[type-arg]
    env = Environment(home=home)
    found = list_incidents(env)[-1]
    return [e.data for e in events_of(found) if e.type == "queue.imported"]


def run_import(cli, *args: str):  # type: ignore[no-untyped-def]
    return cli("queue", "import", *args, "--tz", "UTC", clock=FrozenClock(NOW))


# -- presets -------------------------------------------------------------------------------


def test_hootsuite_headerless_export_lists_posts_in_window(cli, incident, crisis_home):  # type: ignore[no-untyped-def]
    result = run_import(cli, str(QUEUE / "hootsuite.csv"), "--preset", "hootsuite")
    assert result.exit_code == 0, result.stderr
    assert "no header row" in result.stdout
    assert "3 post(s) due in the next 24 h" in result.stdout
    assert "1 due later than 24 h" in result.stdout
    data = imported(crisis_home)[-1]
    assert [p["due"] for p in data["posts"]] == [
        "2026-11-23T16:30:00+00:00",
        "2026-11-23T20:00:00+00:00",
        "2026-11-24T08:15:00+00:00",
    ]
    assert data["posts"][0]["link"] == "https://example.com/bf"
    assert data["posts"][0]["text"].endswith("🛍️")


def test_hootsuite_layout_is_detected_without_preset(cli, incident, crisis_home):  # type: ignore[no-untyped-def]
    result = run_import(cli, str(QUEUE / "hootsuite.csv"))
    assert result.exit_code == 0, result.stderr
    assert len(imported(crisis_home)[-1]["posts"]) == 3


def test_sprout_separate_date_and_time_columns(cli, incident, crisis_home):  # type: ignore[no-untyped-def]
    result = run_import(cli, str(QUEUE / "sprout.csv"), "--preset", "sprout", "--hours", "48")
    assert result.exit_code == 0, result.stderr
    posts = imported(crisis_home)[-1]["posts"]
    assert [p["due"] for p in posts] == [
        "2026-11-23T17:00:00+00:00",
        "2026-11-23T21:45:00+00:00",
        "2026-11-24T13:00:00+00:00",
    ]
    assert imported(crisis_home)[-1]["columns"] == {
        "date": "date",
        "time": "time_24hr",
        "message": "message_text",
        "link": "link",
    }


def test_buffer_export_with_bom(cli, incident, crisis_home):  # type: ignore[no-untyped-def]
    result = run_import(cli, str(QUEUE / "buffer.csv"), "--preset", "buffer")
    assert result.exit_code == 0, result.stderr
    posts = imported(crisis_home)[-1]["posts"]
    assert [p["text"] for p in posts] == [
        "Meet the team behind your lunch 👩‍🍳",
        "Flash sale: 30% off soups, today only!",
    ]


def test_semicolon_file_with_mapped_columns(cli, incident, crisis_home):  # type: ignore[no-untyped-def]
    result = run_import(
        cli,
        str(QUEUE / "semicolon.csv"),
        "--map",
        "datum=datetime",
        "--map",
        "INLÄGG=message",
        "--map",
        "Kanal=platform",
    )
    assert result.exit_code == 0, result.stderr
    assert "semicolon-separated" in result.stdout
    posts = imported(crisis_home)[-1]["posts"]
    assert [(p["platform"], p["text"]) for p in posts] == [
        ("instagram", "Ny meny i butik, välkommen!"),
        ("x", "God morgon, Stockholm ☕"),
    ]


def test_tab_separated_iso_times_with_offsets(cli, incident, crisis_home):  # type: ignore[no-untyped-def]
    result = run_import(cli, str(QUEUE / "tabs.csv"))
    assert result.exit_code == 0, result.stderr
    posts = imported(crisis_home)[-1]["posts"]
    assert [p["due"] for p in posts] == ["2026-11-23T15:00:00+00:00", "2026-11-23T17:00:00+00:00"]
    assert [p["platform"] for p in posts] == ["linkedin", "threads"]


def test_local_times_are_read_in_the_zone_and_stored_utc(cli, incident, crisis_home):  # type: ignore[no-untyped-def]
    result = cli(
        "queue",
        "import",
        str(QUEUE / "buffer.csv"),
        "--tz",
        "Europe/Stockholm",
        clock=FrozenClock(NOW),
    )
    assert result.exit_code == 0, result.stderr
    posts = imported(crisis_home)[-1]["posts"]
    assert posts[0]["due"] == "2026-11-23T17:00:00+00:00"  # 18:00 CET


def test_reimport_keeps_ids_and_decisions(cli, incident, crisis_home):  # type: ignore[no-untyped-def]
    run_import(cli, str(QUEUE / "sprout.csv"), "--preset", "sprout")
    first = imported(crisis_home)[-1]["posts"][0]["id"]
    decided = cli(
        "queue", "decide", first, "cancel", "--reason", "too upbeat", clock=FrozenClock(NOW)
    )
    assert decided.exit_code == 0, decided.stderr
    again = run_import(cli, str(QUEUE / "sprout.csv"), "--preset", "sprout")
    assert again.exit_code == 0
    assert imported(crisis_home)[-1]["posts"][0]["id"] == first
    listing = cli("queue", "--json", clock=FrozenClock(NOW))
    rows = {p["id"]: p for p in json.loads(listing.stdout)}
    assert rows[first]["decision"] == "cancel"
    assert rows[first]["reason"] == "too upbeat"


def test_empty_window_is_still_recorded(cli, incident, crisis_home):  # type: ignore[no-untyped-def]
    result = run_import(cli, str(QUEUE / "hootsuite.csv"), "--hours", "0.5")
    assert result.exit_code == 0
    assert "No posts are due in the next 0.5 h" in result.stdout
    assert imported(crisis_home)[-1]["posts"] == []


# -- broken files: the error names file and row ----------------------------------------------


def test_missing_message_column_names_headers(cli, incident):  # type: ignore[no-untyped-def]
    path = QUEUE / "missing-column.csv"
    result = run_import(cli, str(path))
    assert result.exit_code == 3
    first = result.stderr.splitlines()[0]
    assert first == (
        f"crisis: error: {path}:1: no message column; headers found: 'Date', 'Network', 'Link'"
    )
    assert "--map" in result.stderr


def test_missing_date_column(tmp_path, cli, incident):  # type: ignore[no-untyped-def]
    path = tmp_path / "nodate.csv"
    path.write_text("Message,Network\nhello,x\n", encoding="utf-8")
    result = run_import(cli, str(path))
    assert result.exit_code == 3
    assert f"{path}:1: no date/time column; headers found: 'Message', 'Network'" in result.stderr


def test_bad_date_names_the_record_line_after_a_multiline_cell(cli, incident):  # type: ignore[no-untyped-def]
    path = QUEUE / "bad-date.csv"
    result = run_import(cli, str(path))
    assert result.exit_code == 3
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        f"crisis: error: {path}:5: column 'Date': cannot read '2026-11-31 09:00'"
    )


def test_latin1_bytes_name_row_and_byte(tmp_path, cli, incident):  # type: ignore[no-untyped-def]
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "Date,Message\n2026-11-23 18:00,plain\n2026-11-23 19:00,Caf\xe9 au lait\n".encode("latin-1")
    )
    result = run_import(cli, str(path))
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines[0] == (f"crisis: error: {path}:3: byte 56 (0xe9, column 21) is not valid UTF-8")
    assert "--encoding cp1252" in lines[1]
    fixed = run_import(cli, str(path), "--encoding", "latin-1")
    assert fixed.exit_code == 0, fixed.stderr
    assert "Café au lait" in fixed.stdout


def test_empty_file(cli, incident):  # type: ignore[no-untyped-def]
    path = QUEUE / "empty.csv"
    result = run_import(cli, str(path))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == f"crisis: error: {path}:1: the file is empty"


def test_header_only_file_lists_nothing(tmp_path, cli, incident):  # type: ignore[no-untyped-def]
    path = tmp_path / "header.csv"
    path.write_text("Date,Message\n", encoding="utf-8")
    result = run_import(cli, str(path))
    assert result.exit_code == 0, result.stderr
    assert "Read 0 post(s)" in result.stdout


def test_missing_file(cli, incident):  # type: ignore[no-untyped-def]
    result = run_import(cli, "/nonexistent/export.csv")
    assert result.exit_code == 4
    assert "/nonexistent/export.csv: no such file" in result.stderr


def test_unknown_preset_and_bad_map(cli, incident):  # type: ignore[no-untyped-def]
    result = run_import(cli, str(QUEUE / "buffer.csv"), "--preset", "myspace")
    assert result.exit_code == 2
    assert "unknown preset 'myspace'" in result.stderr
    result = run_import(cli, str(QUEUE / "buffer.csv"), "--map", "Text=caption")
    assert result.exit_code == 2
    assert "unknown field 'caption'" in result.stderr
    result = run_import(cli, str(QUEUE / "buffer.csv"), "--map", "Copy=message")
    assert result.exit_code == 3
    assert "there is no column 'Copy'" in result.stderr


def test_bad_encoding_name(cli, incident):  # type: ignore[no-untyped-def]
    result = run_import(cli, str(QUEUE / "buffer.csv"), "--encoding", "klingon")
    assert result.exit_code == 2
    assert "unknown encoding 'klingon'" in result.stderr


def test_huge_file_is_refused_before_parsing(tmp_path, cli, incident, monkeypatch):  # type: ignore[no-untyped-def]
    import crisiscli.queue.importer as queue

    monkeypatch.setattr(queue, "MAX_BYTES", 1000)
    path = tmp_path / "huge.csv"
    path.write_text("Date,Message\n" + "2026-11-23 18:00,x\n" * 200, encoding="utf-8")
    result = run_import(cli, str(path))
    assert result.exit_code == 3
    assert "larger than" in result.stderr


def test_too_many_rows(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    import crisiscli.queue.importer as queue

    monkeypatch.setattr(queue, "MAX_ROWS", 10)
    blob = ("Date,Message\n" + "2026-11-23 18:00,x\n" * 20).encode()
    with pytest.raises(QueueFileError) as err:
        read_queue_csv(blob, "f.csv", zone=UTC)
    assert str(err.value.location) == "f.csv:12"


# -- dates ------------------------------------------------------------------------------------


def read(text: str, **kw):  # type: ignore[no-untyped-def]
    return read_queue_csv(text.encode(), "f.csv", zone=UTC, **kw)


def test_day_month_order_settled_by_a_day_above_12():  # type: ignore[no-untyped-def]
    result = read("Date,Message\n03/04/2026 10:00,a\n25/04/2026 10:00,b\n")
    assert result.date_order == "dmy"
    assert result.posts[0].due == datetime(2026, 4, 3, 10, 0, tzinfo=UTC)


def test_month_day_order_settled_by_a_day_above_12():  # type: ignore[no-untyped-def]
    result = read("Date,Message\n03/04/2026 10:00,a\n04/25/2026 9:05 PM,b\n")
    assert result.date_order == "mdy"
    assert result.posts[0].due == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    assert result.posts[1].due == datetime(2026, 4, 25, 21, 5, tzinfo=UTC)


def test_ambiguous_dates_need_date_format():  # type: ignore[no-untyped-def]
    with pytest.raises(QueueFileError) as err:
        read("Date,Message\n01/01/2026 10:00,a\n03/04/2026 10:00,b\n")
    assert str(err.value.location) == "f.csv:3"
    assert "--date-format dmy" in (err.value.hint or "")
    assert read("Date,Message\n03/04/2026 10:00,b\n", date_format="mdy").posts[0].due.month == 3


def test_mixed_orders_are_refused_at_the_conflicting_row():  # type: ignore[no-untyped-def]
    with pytest.raises(QueueFileError) as err:
        read("Date,Message\n25/04/2026 10:00,a\n2026-04-01 10:00,b\n04/26/2026 10:00,c\n")
    assert str(err.value.location) == "f.csv:4"
    assert "line 2" in err.value.message


def test_strftime_date_format():  # type: ignore[no-untyped-def]
    result = read("Date,Message\n23.11.2026 kl 18.00,a\n", date_format="%d.%m.%Y kl %H.%M")
    assert result.posts[0].due == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def test_a_date_without_time_is_an_error():  # type: ignore[no-untyped-def]
    with pytest.raises(QueueFileError) as err:
        read("Date,Message\n2026-11-23,a\n")
    assert str(err.value.location) == "f.csv:2"


def test_empty_date_cell_names_the_row():  # type: ignore[no-untyped-def]
    with pytest.raises(QueueFileError) as err:
        read("Date,Message\n2026-11-23 10:00,a\n,b\n")
    assert str(err.value.location) == "f.csv:3"
    assert "is empty" in err.value.message


def test_parse_when_forms():  # type: ignore[no-untyped-def]
    assert parse_when("2h", NOW, UTC, what="t") == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert parse_when("+1h30m", NOW, UTC, what="t") == datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    assert parse_when("18:00", NOW, UTC, what="t") == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert parse_when("09:00", NOW, UTC, what="t") == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert parse_when("2026-11-25 09:00", NOW, UTC, what="t").day == 25
    with pytest.raises(UsageError):
        parse_when("soonish", NOW, UTC, what="t")
    with pytest.raises(UsageError):
        parse_when("03/04/2026 10:00", NOW, UTC, what="t")


def test_line_numbers_follow_cr_lf_and_ignore_unicode_separators():  # type: ignore[no-untyped-def]
    blob = "Date,Message\r2026-11-23 10:00,a\u2028b\r2026-11-99 10:00,c\r".encode()
    with pytest.raises(QueueFileError) as err:
        read_queue_csv(blob, "f.csv", zone=UTC)
    assert str(err.value.location) == "f.csv:3"
    ok = read_queue_csv("Date,Message\r\n2026-11-23 10:00,a\u2028b\r\n".encode(), "f.csv", zone=UTC)
    assert ok.posts[0].text == "a\u2028b"


@pytest.fixture
def stockholm(monkeypatch):  # type: ignore[no-untyped-def]
    import time as _time

    monkeypatch.setenv("TZ", "Europe/Stockholm")
    _time.tzset()
    yield
    monkeypatch.setenv("TZ", "UTC")
    _time.tzset()


def test_system_zone_follows_daylight_saving(stockholm):  # type: ignore[no-untyped-def]
    from crisiscli.moments import local_zone

    zone = local_zone(None)
    result = read_queue_csv(
        b"Date,Message\n2026-07-01 12:00,summer\n2026-12-01 12:00,winter\n", "f.csv", zone=zone
    )
    assert [p.due.hour for p in result.posts] == [10, 11]  # CEST +2, CET +1
    assert parse_when("18:00", NOW, zone, what="t") == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
