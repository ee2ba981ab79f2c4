"""Identities: ids and UIDs come from the course id and the place, in one module, the same every run."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from dosecal.engine import identity
from dosecal.engine.identity import EventKind


def test_an_administration_id_is_uuid5_of_the_course_and_the_place() -> None:
    """The id of cycle 1 day 8 isatuximab slot 1 is uuid5(ID_NAMESPACE, course id + place), as documented."""
    place = identity.dose_place("", 1, 8, "isatuximab", 1)
    assert place == "||1|8|isatuximab|1"
    expected = uuid.uuid5(uuid.UUID("6f1c1f0e-5d5b-4d1c-9a57-0d05eca10000"), "PAT-7||1|8|isatuximab|1")
    assert identity.administration_id("PAT-7", place) == str(expected)


def test_a_visit_uid_names_the_clinic_event_of_its_day() -> None:
    """A clinic visit's UID is the event UID of its day's clinic place; home events differ from it."""
    clinic = identity.visit_uid("PAT-7", "induction", 2, 15)
    namespace = uuid.UUID("2b1f4c8e-0d1a-5c7e-9f3b-d05eca1e0001")
    assert clinic == f"{uuid.uuid5(namespace, 'PAT-7|induction|2|15|clinic')}@dosecal"
    assert identity.event_place("", 1, 1, EventKind.CLINIC) == "||1|1|clinic"
    home = identity.event_uid("PAT-7", identity.event_place("induction", 2, 15, EventKind.HOME))
    assert home != clinic
    assert identity.administration_uid("abc") == "abc@dosecal"


@given(st.text(max_size=30), st.lists(st.text(max_size=40), max_size=8))
def test_the_fast_path_gives_the_ids_of_the_plain_one(course_id: str, places: list[str]) -> None:
    """The roster's fast hashing is uuid5, byte for byte, for any course id and places (UTF-8)."""
    encoded = tuple(p.encode("utf-8", "surrogatepass") for p in places)
    if any("\udc80" <= c <= "\udfff" or "\ud800" <= c <= "\udbff" for c in course_id + "".join(places)):
        return  # lone surrogates are not text a course id or a drug name can hold
    assert identity.administration_ids(course_id, encoded) == [
        identity.administration_id(course_id, p) for p in places
    ]
    assert identity.event_uids(course_id, encoded) == [identity.event_uid(course_id, p) for p in places]


def test_different_patients_never_share_an_id() -> None:
    """Two course ids give disjoint ids for the same places (the safety rule of issue 11)."""
    places = [identity.dose_place("", c, d, "pomalidomide", 1) for c in range(1, 13) for d in range(1, 22)]
    one = {identity.administration_id("PAT-B", p) for p in places}
    other = {identity.administration_id("PAT-C", p) for p in places}
    assert len(one) == len(places) and one.isdisjoint(other)


def test_course_uids_hold_every_uid_a_calendar_of_the_course_can_have() -> None:
    """A calendar of either layout shares its UIDs with `course_uids` (so `--previous` knows it for
    this course's): each dose's own UID, and each day's clinic and home events; no None."""
    import datetime as dt

    import dosecal
    from dosecal.views.events import CalendarOptions, events

    from ..conftest import SCHEDULES

    regimen = dosecal.load(SCHEDULES / "nct05922501.regimen")
    schedule = dosecal.expand(regimen, dosecal.Course(dt.date(2026, 12, 7), cycles=2))
    uids = identity.course_uids(schedule)
    assert None not in uids
    assert {identity.administration_uid(a.administration_id) for a in schedule} <= uids
    for per_administration in (False, True):
        made = events(schedule, CalendarOptions(per_administration=per_administration))
        assert made and {e.uid for e in made} <= uids
