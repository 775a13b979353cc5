"""Fuzzing the CSV reader: any bytes give posts or one QueueFileError naming a line."""

from __future__ import annotations

import re
from datetime import timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisiscli.errors import CrisisError, UsageError
from crisiscli.queue.importer import QueueFileError, read_queue_csv

HEADERS = ["Date", "Message", "Platform", "time_24hr", "message_text", "Text", "Posting Time", ""]
CELLS = st.one_of(
    st.sampled_from(
        ["2026-11-23 18:00", "23/11/2026 18:00", "11/23/2026 6:00 PM", "03/04/2026 10:00",
         "2026-11-23T18:00:00Z", "2026-02-30 10:00", "18:00", "", "x", '"quoted, cell"',
         "Café ☕", "a\nb"]
    ),
    st.text(max_size=20),
)  # fmt: skip


def _check(blob: bytes, **kw: object) -> None:
    try:
        result = read_queue_csv(blob, "f.csv", zone=timezone.utc, **kw)  # type: ignore[arg-type]
    except QueueFileError as exc:
        assert exc.location is not None and exc.location.path == "f.csv"
        assert exc.location.line is not None and exc.location.line >= 1
        assert "\n" not in exc.one_line()
        assert re.match(r"^f\.csv:\d+: ", exc.one_line())
        return
    except UsageError:
        return  # only from options, which the fuzz does not vary
    for post in result.posts:
        assert post.due.tzinfo is not None
        assert post.line >= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_traceback(blob: bytes) -> None:
    _check(blob)


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=4),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]),
)
def test_csv_shaped_input_never_traceback(
    header: list[str], rows: list[list[str]], delimiter: str, bom: bool, encoding: str
) -> None:
    text = delimiter.join(header) + "\n" + "".join(delimiter.join(r) + "\n" for r in rows)
    try:
        blob = text.encode(encoding, errors="replace")
    except UnicodeError:
        return
    if bom and encoding == "utf-8":
        blob = b"\xef\xbb\xbf" + blob
    _check(blob)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["dmy", "mdy", "iso", "%d.%m.%Y %H:%M", None]))
def test_any_date_cell_parses_or_names_row_2(cell: str, date_format: str | None) -> None:
    blob = ("Date,Message\n" + '"' + cell.replace('"', '""') + '",hello\n').encode()
    try:
        read_queue_csv(blob, "f.csv", zone=timezone.utc, date_format=date_format)
    except QueueFileError as exc:
        # the record starts on line 2; a NUL may sit on a later line of a multi-line cell
        last = 2 + len(re.findall(r"\r\n|\r|\n", cell))
        assert exc.location is not None and exc.location.line is not None
        assert 1 <= exc.location.line <= last
    except CrisisError as exc:  # pragma: no cover - would be a bug: say which
        raise AssertionError(exc.one_line()) from None
