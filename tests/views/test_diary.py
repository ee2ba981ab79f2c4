"""The drug diary PDF, read back with pypdf (a parser that is not ours) and rendered.

Expected days and dates come from the trial records (see test_seeds.py for
how they were worked out); the PDF must show exactly the home doses of the
administration table, with no clinic drug in its rows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

import dosecal
from dosecal import OutputError
from dosecal.cli.main import cli
from dosecal.render.pdf_diary import date_text, render
from dosecal.views.diary import build, slug

from ..conftest import course, load


@pytest.fixture(scope="module")
def isa_bela_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("diary") / "nct05922501.pdf"
    schedule = dosecal.expand(load("nct05922501"), course("2026-12-07", cycles=6))
    path.write_bytes(render(build(schedule)))
    return path


def taken_fields(reader: pypdf.PdfReader) -> dict[str, int]:
    """Every '...-taken' tick box and the page (0-based) it stands on."""
    found = {}
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            name = str(annotation.get_object().get("/T", ""))
            if name.endswith("-taken"):
                found[name] = number
    return found


def test_rows_match_the_table(isa_bela_pdf: Path) -> None:
    """One tick box per home dose, on a page that shows that day's date; none for clinic drugs."""
    schedule = dosecal.expand(load("nct05922501"), course("2026-12-07", cycles=6))
    reader = pypdf.PdfReader(isa_bela_pdf)
    fields = taken_fields(reader)
    home = [a for a in schedule if a.self_administered]
    expected = {f"c{a.cycle}-d{a.cycle_day}-{slug(a.agent)}-{a.slot}-taken": a for a in home}
    assert set(fields) == set(expected)
    texts = [page.extract_text() for page in reader.pages]
    for name, administration in expected.items():
        assert date_text(administration.date) in texts[fields[name]], name
    assert not [n for n in fields if "isatuximab" in n or "belantamab" in n]
    per_drug = Counter(name.split("-")[2] for name in fields)
    assert per_drug == {"pomalidomide": 6 * 21, "dexamethasone": 6 * 8}


def test_days_and_dates_of_cycle_one(isa_bela_pdf: Path) -> None:
    """Cycle 1 from Mon 7 Dec 2026: pomalidomide days 1-21, dexamethasone days 1, 2, 8, 9, 15, 16, 22, 23."""
    fields = taken_fields(pypdf.PdfReader(isa_bela_pdf))
    pom = sorted(int(m[1]) for n in fields if (m := re.fullmatch(r"c1-d(\d+)-pomalidomide-1-taken", n)))
    dex = sorted(int(m[1]) for n in fields if (m := re.fullmatch(r"c1-d(\d+)-dexamethasone-1-taken", n)))
    assert pom == list(range(1, 22))
    assert dex == [1, 2, 8, 9, 15, 16, 22, 23]
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(isa_bela_pdf).pages)
    assert "Cycle 1 starts on 7 Dec 2026" in text and "Cycle 2 starts on 4 Jan 2027" in text
    assert "29 Dec 2026\nTue" in text  # cycle 1 day 23


def test_month_views_show_clinic_and_home_days(isa_bela_pdf: Path) -> None:
    """A month page for each month of the course; clinic days (isatuximab) are marked 'Clinic'."""
    reader = pypdf.PdfReader(isa_bela_pdf)
    months = [p.extract_text() for p in reader.pages if "a visit for treatment" in p.extract_text()]
    assert [m.splitlines()[0] for m in months] == [
        "December 2026",
        "January 2027",
        "February 2027",
        "March 2027",
        "April 2027",
        "May 2027",
    ]
    december = months[0]
    # 7, 14, 21, 28 Dec are isatuximab days: "C1 D1 / Take / Clinic"
    assert december.count("Clinic") == 1 + 4  # the legend, then four visits
    assert "7\nC1 D1\nTake\nClinic" in december and "29\nC1 D23\nTake" in december


def test_unstated_dose_is_a_blank_to_fill(isa_bela_pdf: Path) -> None:
    """No dose is stated for pomalidomide: a printed blank and a fillable dose field, never a guess."""
    reader = pypdf.PdfReader(isa_bela_pdf)
    fields = reader.get_fields() or {}
    assert "c1-pomalidomide-dose" in fields and "c1-dexamethasone-dose" in fields
    text = reader.pages[6].extract_text()
    assert "not stated in the regimen: your care team writes it here" in text
    assert not re.search(r"\d+ mg", text)


def test_form_fields_have_predictable_names(isa_bela_pdf: Path) -> None:
    """Header, row and footer fields of every cycle, named by cycle and day."""
    fields = pypdf.PdfReader(isa_bela_pdf).get_fields() or {}
    for cycle in range(1, 7):
        for suffix in (
            "participant",
            "clinic",
            "phone",
            "signature",
            "signed-on",
            "units-returned",
            "reviewed-by",
            "reviewed-on",
        ):
            assert f"c{cycle}-{suffix}" in fields
        assert f"c{cycle}-d1-pomalidomide-1-time" in fields and f"c{cycle}-d23-comments" in fields
    assert fields["c1-d1-pomalidomide-1-taken"].get("/FT") == "/Btn"
    assert fields["c1-d1-comments"].get("/FT") == "/Tx"


def test_prednisone_for_nct04083898() -> None:
    """NCT04083898: prednisone 60 mg on days 1-4 of each cycle, nothing else in the rows."""
    schedule = dosecal.expand(load("nct04083898"), course("2026-12-07", cycles=2, level="2"))
    reader = pypdf.PdfReader(__import__("io").BytesIO(render(build(schedule, "WU-201910194-07"))))
    fields = taken_fields(reader)
    assert sorted(fields) == sorted(f"c{c}-d{d}-prednisone-1-taken" for c in (1, 2) for d in range(1, 5))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Dose: 60 mg" in text and "Participant ID: WU-201910194-07" in text
    assert text.count("\n60 mg\n") == 8


def test_body_text_is_at_least_12_pt(isa_bela_pdf: Path) -> None:
    """Every string drawn is 12 pt or more, but the page numbers (10 pt)."""
    reader = pypdf.PdfReader(isa_bela_pdf)
    small: set[str] = set()

    for page in reader.pages:

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if text.strip() and size * (tm[0] if tm else 1) < 12:
                small.add(text.strip())

        page.extract_text(visitor_text=visit)
    assert small and all(re.fullmatch(r"(Cycle \d+, page \d+|\w+ \d{4})", s) for s in small), small


def test_same_inputs_same_bytes() -> None:
    """No creation date, no random ids: the same course gives the same PDF."""
    schedule = dosecal.expand(load("capox"), course("2026-12-07", cycles=1, weight="70", height="170"))
    assert render(build(schedule, "P1")) == render(build(schedule, "P1"))


NOTE = 'regimen script "Script"\n  cycle 7 days\n  drug 1 mg PO, diary\n    day 1\n    note "{}"\n'


def test_other_scripts_are_embedded_or_refused() -> None:
    """A note in Cyrillic or Greek is drawn with the embedded font; one it cannot draw is refused."""
    regimen = dosecal.loads(NOTE.format("Принимать утром. Λαμβάνεται το πρωί."))
    data = render(build(dosecal.expand(regimen, course("2026-12-07", cycles=1))))
    text = pypdf.PdfReader(__import__("io").BytesIO(data)).pages[-1].extract_text()
    assert "Принимать утром." in text and "Λαμβάνεται το πρωί." in text
    chinese = dosecal.loads(NOTE.format("早上服用"))
    with pytest.raises(OutputError, match=r"cannot draw '早' \(U\+65E9\)"):
        render(build(dosecal.expand(chinese, course("2026-12-07", cycles=1))))


def test_diary_command(tmp_path: Path) -> None:
    """`dosecal diary` writes the PDF; text it cannot draw is one line, exit 1, no file."""
    target = tmp_path / "diary.pdf"
    result = CliRunner().invoke(
        cli,
        [
            "diary",
            "nct05922501",
            "--start",
            "2026-12-07",
            "--cycles",
            "1",
            "--paper",
            "a4",
            "--patient-id",
            "MGH-17",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0 and target.read_bytes().startswith(b"%PDF-")
    assert pypdf.PdfReader(target).pages[0].mediabox.width == pytest.approx(595.28, abs=0.01)
    regimen = tmp_path / "c.regimen"
    regimen.write_text(NOTE.format("早上服用"), encoding="utf-8")
    bad = CliRunner().invoke(
        cli,
        ["diary", str(regimen), "--start", "2026-12-07", "--cycles", "1", "-o", str(tmp_path / "bad.pdf")],
    )
    assert bad.exit_code == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "bad.pdf").exists()


def test_every_page_renders(isa_bela_pdf: Path) -> None:
    """pdfium (Chrome's PDF engine) renders every page, none blank; qpdf's library finds no damage."""
    import pikepdf
    import pypdfium2

    document = pypdfium2.PdfDocument(str(isa_bela_pdf))
    assert len(document) == 18  # 6 month pages + 6 cycles x 2 pages
    for page in document:
        image = page.render(scale=0.5).to_pil()
        assert image.getextrema() != ((255, 255), (255, 255), (255, 255))
    with pikepdf.open(isa_bela_pdf) as pdf:
        assert pdf.check_pdf_syntax() == []


def debian_tool(name: str) -> str:
    """Debian's own tool; CI installs it (.ci/run), so there it must be present."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; .ci/run installs it")
        pytest.skip(f"{name} is not installed here (CI installs it)")
    return path


def test_poppler_and_qpdf(isa_bela_pdf: Path, tmp_path: Path) -> None:
    """pdftoppm renders every page; `qpdf --check` passes."""
    subprocess.run(
        [debian_tool("pdftoppm"), "-r", "40", "-png", str(isa_bela_pdf), str(tmp_path / "p")], check=True
    )
    assert len(list(tmp_path.glob("p-*.png"))) == 18
    done = subprocess.run(
        [debian_tool("qpdf"), "--check", str(isa_bela_pdf)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_computed_dose_shows_its_arithmetic() -> None:
    """CAPOX for 70 kg, 170 cm: capecitabine 1000 mg/m2 = 1820 mg, twice a day, with how it was computed."""
    import io

    schedule = dosecal.expand(load("capox"), course("2026-12-07", cycles=1, weight="70", height="170"))
    reader = pypdf.PdfReader(io.BytesIO(render(build(schedule))))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Dose: 1000 mg/m2 = 1820 mg" in text
    assert "Computed: 1000 mg/m2 x 1.82 m2 = 1820 mg; BSA 1.82 m2 = Mosteller" in text
    assert "twice a day on days 1-14 of this cycle (14 days)" in text
    fields = taken_fields(reader)
    slots = {m[1] for n in fields if (m := re.fullmatch(r"c1-d\d+-capecitabine-(\d)-taken", n))}
    assert slots == {"1", "2"}  # dose 1 and dose 2 of each day
    assert len(fields) == 28
