"""Karta page (AppTest): the hit-rate line under the figures and the flagged figure's caption
(places, rising) come from the same analysis as the CLI."""

from __future__ import annotations

import re

from tests.app.test_karta import READER, _karta, _page, _texts


def test_the_hit_rate_line_and_the_places_caption(app_store):  # type: ignore[no-untyped-def]
    at = _page(_karta, READER)
    assert not at.exception, at.exception
    text = _texts(at).replace("\\", "")  # Markdown escapes
    m = re.search(r"Förra periodens heta rutor \((\d{4}-\d{4})\) fångade (\d+(?:,\d)?) % av "
                  r"brotten (\d{4}-\d{4}) på (\d+(?:,\d)?) % av ytan \(PAI (\d+,\d)", text)
    assert m, text
    prev, period = m.group(1), m.group(3)
    assert int(prev[:4]) + 1 == int(period[:4])
    hit = float(m.group(2).replace(",", "."))
    area = float(m.group(4).replace(",", "."))
    pai = float(m.group(5).replace(",", "."))
    assert abs(pai - hit / area) < 0.1 + 0.05 * pai  # rounded figures on the page
    assert re.search(r"\d+ plats(er)?", text)
