"""Pieces that more than one page shows: the map filter sidebar and the cached map view
(:mod:`.mapfilter`), zone and site cards (:mod:`.cards`), a place's table figures
(:mod:`.statistics`) and Markdown escaping (:mod:`.markdown`). A page imports from here, never
from another page."""
