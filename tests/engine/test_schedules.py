"""Every bundled regimen checks clean, and each says what its source says."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

import dosecal

from ..conftest import SCHEDULES, course, load

FILES = sorted(SCHEDULES.glob("*.regimen"))


def test_there_are_twelve_bundled_regimens() -> None:
    """Two seed trials and ten regimens for the constructs the seeds do not use."""
    assert {p.stem for p in FILES} == {
        "nct05922501",
        "nct04083898",
        "r-chop-21",
        "capox",
        "mfolfox6",
        "epcoritamab-dlbcl",
        "s0777-vrd-rd",
        "carboplatin-etoposide",
        "blinatumomab-all",
        "topotecan-oral",
        "carboplatin-pemetrexed-pembrolizumab",
        "capecitabine-radiotherapy-rectal",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_checks_clean_and_cites_a_source(path: Path) -> None:
    """Each bundled file loads without a diagnostic, and names its source."""
    regimen = dosecal.load(path)
    assert regimen.name == path.stem
    assert regimen.sources


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_show_reads_back_every_drug(path: Path) -> None:
    """`show` writes each drug and the doses-per-cycle table for every bundled regimen."""
    from dosecal.render.protocol_text import render

    regimen = dosecal.load(path)
    text = render(regimen)
    # A regimen without cycles counts its doses in all (docs/language.md §34).
    assert "doses per cycle" in text or (all(p.run for p in regimen.phases) and "in all" in text)
    for phase in regimen.phases:
        for agent in phase.agents:
            assert f"  {agent.key}, " in text


def test_installed_names_match_the_folder() -> None:
    """`dosecal list` finds the same regimens the repository ships."""
    assert dosecal.bundled() == sorted(p.stem for p in FILES)


def test_r_chop_vincristine_cap() -> None:
    """Vincristine 1.4 mg/m2 (maximum dose 2 mg): 1.4 x 1.82 = 2.548 mg is capped at 2 mg."""
    schedule = dosecal.expand(load("r-chop-21"), course("2026-12-07", weight="70", height="170"))
    vcr = [a for a in schedule if a.agent == "vincristine"]
    assert len(vcr) == 8 and all(a.computed_amount == Decimal(2) for a in vcr)
    assert "capped at max 2 mg" in vcr[0].dose_basis
    assert Counter(a.agent for a in schedule)["prednisolone"] == 40  # days 1-5 of 8 cycles


def test_capox_twice_daily() -> None:
    """Capecitabine twice daily on days 1-14: 28 doses in each of 8 cycles, slots 1 and 2."""
    schedule = dosecal.expand(load("capox"), course("2026-12-07"))
    cape = [a for a in schedule if a.agent == "capecitabine"]
    assert Counter(a.cycle for a in cape) == dict.fromkeys(range(1, 9), 28)
    assert {a.slot for a in cape} == {1, 2} and {a.cycle_day for a in cape} == set(range(1, 15))


def test_mfolfox6_infusion_over_46_hours() -> None:
    """Fluorouracil is given twice on day 1: a bolus and a 46-hour infusion (2760 min)."""
    schedule = dosecal.expand(load("mfolfox6"), course("2026-12-07", cycles=1))
    fu = [(a.variant, a.duration_min, a.dose_amount) for a in schedule if a.agent == "fluorouracil"]
    assert fu == [("bolus", None, Decimal(400)), ("infusion", 2760, Decimal(2400))]


def test_epcoritamab_step_up_and_selectors() -> None:
    """Step-ups 0.16 and 0.8 mg on C1 days 1 and 8, then 48 mg; 4, 4, 4, 2 x 6, 1 doses per cycle."""
    schedule = dosecal.expand(load("epcoritamab-dlbcl"), course("2026-12-07", cycles=12))
    c1 = [(a.cycle_day, a.dose_amount, a.step_up) for a in schedule if a.cycle == 1]
    assert c1 == [
        (1, Decimal("0.16"), True),
        (8, Decimal("0.8"), True),
        (15, Decimal(48), False),
        (22, Decimal(48), False),
    ]
    counts = Counter(a.cycle for a in schedule)
    assert [counts[c] for c in range(1, 13)] == [4, 4, 4, 2, 2, 2, 2, 2, 2, 1, 1, 1]


def test_s0777_phases() -> None:
    """Eight 21-day VRd cycles, then 28-day Rd cycles numbered from 1 again."""
    schedule = dosecal.expand(load("s0777-vrd-rd"), course("2026-12-07", cycles=10))
    first_maintenance = next(a for a in schedule if a.phase == "maintenance")
    assert (first_maintenance.cycle, first_maintenance.cycle_day) == (1, 1)
    assert first_maintenance.study_day == 8 * 21 + 1
    assert first_maintenance.date.isoformat() == "2027-05-24"  # 2026-12-07 + 168 days
    assert {a.agent for a in schedule if a.phase == "maintenance"} == {"lenalidomide", "dexamethasone"}
