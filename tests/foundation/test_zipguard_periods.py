"""Zips from portals are opened with guards; Quick Search periods are chosen to cover the lookback."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from connector.errors import InputError
from connector.periods import period_window, plan_periods
from connector.zipguard import ZipLimits, zip_members

PERIODS = (
    "Last 30 days",
    "Last 60 days",
    "Last 90 days",
    "Last 4-6 months",
    "Last 6-9 months",
    "Last 9-13 months",
)
TODAY = dt.date(2026, 11, 30)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def test_zip_members_are_read_and_unsafe_zips_refused() -> None:
    assert list(zip_members(_zip({"b/1.835": b"ISA...IEA"}), "bundle")) == [("1.835", b"ISA...IEA")]
    with pytest.raises(InputError, match="outside the archive"):
        list(zip_members(_zip({"../../etc/cron.d/x": b"x"}), "bundle"))
    with pytest.raises(InputError, match="more than the 2 allowed"):
        list(zip_members(_zip({"a": b"1", "b": b"2", "c": b"3"}), "bundle", ZipLimits(max_members=2)))
    with pytest.raises(InputError, match="expands more than"):
        list(zip_members(_zip({"bomb.835": b"0" * 2_000_000}), "bundle"))
    with pytest.raises(InputError, match="not a zip"):
        list(zip_members(b"<html>sign in</html>", "bundle"))


def test_smallest_period_covering_the_lookback_else_a_walk_back() -> None:
    assert period_window("Last 4-6 months", TODAY) == (dt.date(2026, 5, 30), dt.date(2026, 8, 30))
    assert plan_periods(PERIODS, TODAY - dt.timedelta(days=20), TODAY).labels == ("Last 30 days",)
    assert plan_periods(PERIODS, TODAY - dt.timedelta(days=45), TODAY).labels == ("Last 60 days",)
    walk = plan_periods(PERIODS, TODAY - dt.timedelta(days=200), TODAY)
    assert walk.labels == ("Last 90 days", "Last 4-6 months", "Last 6-9 months")
    assert walk.reaches is not None and walk.reaches <= TODAY - dt.timedelta(days=200)
    beyond = plan_periods(PERIODS, TODAY - dt.timedelta(days=800), TODAY)
    assert beyond.labels[-1] == "Last 9-13 months" and beyond.reaches == dt.date(2025, 10, 30)
