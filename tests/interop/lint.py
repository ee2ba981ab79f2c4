"""Our own byte-level checks of a calendar file (ICS-PROFILE.md, last list).

Returns a list of problems; empty means the file passes. Written from the
profile, independent of the renderer: it reads bytes and physical lines.
"""

from __future__ import annotations

import datetime as dt
import re


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.split("\r\n"):
        if raw.startswith((" ", "\t")) and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return [line for line in lines if line]


def _when(value: str) -> dt.date | dt.datetime:
    if re.fullmatch(r"\d{8}", value):
        return dt.datetime.strptime(value, "%Y%m%d").date()
    return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def lint(data: bytes) -> list[str]:
    problems: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append("starts with a byte order mark")
    if re.search(rb"(?<!\r)\n", data):
        problems.append("a line ends in LF without CR")
    for number, raw in enumerate(data.split(b"\r\n"), start=1):
        if len(raw) > 75:
            problems.append(f"line {number} is {len(raw)} octets long")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {number} is not UTF-8 on its own (folded inside a character?)")
    text = data.decode("utf-8")
    lines = _unfold(text)
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in lines]
    if "METHOD" in names and "ORGANIZER" not in names:
        problems.append("METHOD without ORGANIZER")
    if not any(line.startswith("PRODID:") for line in lines):
        problems.append("no PRODID")
    zones = {line.split(":", 1)[1] for line in lines if line.startswith("TZID:")}
    for line in lines:
        for tzid in re.findall(r";TZID=([^;:]+)", line.split(":", 1)[0]):
            if tzid not in zones:
                problems.append(f"TZID {tzid} has no VTIMEZONE")
    problems += _events(lines)
    return problems


def _events(lines: list[str]) -> list[str]:
    problems: list[str] = []
    uids: set[str] = set()
    event: dict[str, str] = {}
    in_alarm = alarms = 0
    after_alarm = False
    for line in lines:
        name, _, value = line.partition(":")
        key = name.split(";", 1)[0]
        if line == "BEGIN:VEVENT":
            event, alarms, after_alarm = {}, 0, False
        elif line == "BEGIN:VALARM":
            in_alarm, alarms = 1, alarms + 1
        elif line == "END:VALARM":
            in_alarm, after_alarm = 0, True
        elif line == "END:VEVENT":
            problems += _event(event, alarms, uids)
        elif in_alarm:
            if key == "TRIGGER" and not (value.startswith("-") or value in ("PT0S", "PT0M", "P0D")):
                problems.append(f"alarm trigger {value} is not before the event")
        else:
            if after_alarm and key not in ("END",):
                problems.append(f"{key} stands after the VALARM")
            event[key] = value
    return problems


def _event(event: dict[str, str], alarms: int, uids: set[str]) -> list[str]:
    problems = []
    uid = event.get("UID", "")
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND"):
        if required not in event:
            problems.append(f"event {uid or '?'} has no {required}")
    if uid in uids:
        problems.append(f"UID {uid} is used twice")
    uids.add(uid)
    if alarms > 1:
        problems.append(f"event {uid} has {alarms} alarms")
    if "DTSTART" in event and "DTEND" in event:
        start, end = _when(event["DTSTART"]), _when(event["DTEND"])
        if type(start) is not type(end) or not end > start:  # type: ignore[operator]
            problems.append(f"event {uid}: DTEND {event['DTEND']} is not after DTSTART {event['DTSTART']}")
    return problems
