"""PDF table columns (the åtgärdsplan's narrow follow-up column, issue 15): no word is cut
mid-word ("start 20|23-04-2|1"), and the follow-up column of the plan holds a dated line on one
line. Checked by laying the cells out with reportlab itself at the widths the writer picks."""

from __future__ import annotations

from mapapp.snapshot.content import Table
from mapapp.snapshot.lagesbild import PLAN_WIDTHS
from mapapp.snapshot.outline import column_weights
from mapapp.snapshot.pdf import CELL_PAD, FRAME_W, _col_widths, _p, _styles

HEADERS = ["Plats", "Problem (prioriterat område)", "Insats", "Ansvarig (status)",
           "Uppföljning", "Effekt (WDD)"]
ROWS = [
    ["Medborgarkontoret Älvsjö", "Riktat arbete mot avgränsade platser och utsatta områden",
     "Samverkan missbrukare/hemlösa", "Hägersten-Älvsjö SDF (Pågående)",
     "start 2023-04-21\nklart 2024-06-30 (försenad)\nnästa uppföljning 2023-12-01",
     "minskning som inte förklaras av områdets trend (z = −2,4)"],
    ["hela området", "Unga i risk för kriminalitet", "Skolavslutningen",
     "Hägersten-Älvsjö SDF (Planerad)", "start 2023-04-21", ""],
]


def _lines(text: str, width: float, style) -> list[str]:
    para = _p(text, style)
    para.wrap(width - 2 * CELL_PAD, 10_000)
    out = []
    for line in para.blPara.lines:
        words = line.words if hasattr(line, "words") else line[1]
        out.append(" ".join(w.text if hasattr(w, "text") else str(w) for w in words))
    return out


def _cut_words(tb: Table) -> list[str]:
    st = _styles()
    widths = _col_widths(tb)
    cut = []
    for row in [tb.headers, *tb.rows]:
        style = st["head"] if row is tb.headers else st["cell"]
        for text, width in zip(row, widths, strict=True):
            words = set(text.split())
            cut += [w for line in _lines(text, width, style) for w in line.split()
                    if w not in words]
    return cut


def test_no_word_of_the_plan_is_cut_and_the_follow_up_line_fits():
    tb = Table("Älvsjö/Solberga", HEADERS, ROWS, widths=PLAN_WIDTHS)
    widths = _col_widths(tb)
    assert abs(sum(widths) - FRAME_W) < 1e-6
    assert _cut_words(tb) == []
    assert widths[4] == max(widths)  # the follow-up column is the widest
    # a zone whose words all fit the plan's widths: a dated line stays on one line
    plain_tb = Table("Liljeholmen", HEADERS, [ROWS[1][:4] + [ROWS[0][4], ROWS[1][5]]],
                     widths=PLAN_WIDTHS)
    w = _col_widths(plain_tb)
    assert [round(x / FRAME_W * 100, 6) for x in w] == list(PLAN_WIDTHS)  # nothing raised
    for line in ROWS[0][4].split("\n")[:2]:
        assert _lines(line, w[4], _styles()["cell"]) == [line]


def test_the_widths_from_the_contents_never_cut_a_date_either():
    # without the plan's widths (a table of another document): the old layout cut the dates
    tb = Table("t", HEADERS, ROWS)
    assert _cut_words(tb) == []
    w = column_weights(tb)
    assert w[4] == len("nästa uppföljning 2023-12-01")  # the longest line, not the whole cell


def test_a_heading_is_never_left_alone_at_the_foot_of_a_page(tmp_path):
    import shutil
    import subprocess

    import pytest

    from mapapp.snapshot.outline import Heading, Para, TableBlock
    from mapapp.snapshot.pdf import pdf_from_blocks

    if shutil.which("pdftotext") is None:
        pytest.fail("poppler's pdftotext is part of the machine set-up")
    table = Table("Liljeholmen: åtgärder", HEADERS, ROWS * 4, widths=PLAN_WIDTHS)
    for filler in range(24, 38):  # move the heading down the first page, line by line
        items = [Para(f"rad {i}") for i in range(filler)]
        items += [Heading("3. Åtgärdsplan", 1), TableBlock(table, 2)]
        path = tmp_path / f"h{filler}.pdf"
        path.write_bytes(pdf_from_blocks(items, title="t", subject="s"))
        pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")
        where = next(i for i, p in enumerate(pages) if "3. Åtgärdsplan" in p)
        assert "Liljeholmen: åtgärder" in pages[where], filler


def test_docx_columns_make_room_for_the_widest_word_too():
    from mapapp.snapshot.docx import CELL_MARGIN_CM, CM_PER_CHAR, column_widths_cm
    from mapapp.snapshot.outline import longest_words

    tb = Table("Långbro", HEADERS, [["Johan Skytteskolan", "Skolan som brottsplats",
                                     "Samverkan med Johan Skyttes skola",
                                     "Utbildningsförvaltningen (Planerad)", "", ""]],
               widths=PLAN_WIDTHS)
    widths = column_widths_cm(tb, 17.0)
    assert abs(sum(widths) - 17.0) < 1e-9
    need = len("Utbildningsförvaltningen") * CM_PER_CHAR + CELL_MARGIN_CM
    assert widths[3] >= need > 17.0 * PLAN_WIDTHS[3] / 100  # raised from its share
    # every other column is either raised to its widest word or keeps the plan's proportion
    words = longest_words(tb)
    needs = [max(c * CM_PER_CHAR, h * CM_PER_CHAR * 1.1) + CELL_MARGIN_CM for c, h in words]
    raised = {i for i, (w, n) in enumerate(zip(widths, needs, strict=True)) if abs(w - n) < 1e-9}
    assert 3 in raised and 4 not in raised
    ratios = {round(w / PLAN_WIDTHS[i], 9) for i, w in enumerate(widths) if i not in raised}
    assert len(ratios) == 1
    assert all(widths[i] >= needs[i] for i in range(len(widths)))
