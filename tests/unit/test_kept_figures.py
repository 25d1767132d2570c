"""The figures' kept state, encoded as reporting keeps it, gives back a projection
that counts every later event as the original does, copies of earlier ones too."""

from __future__ import annotations

import orjson

from services.reporting.domain.figures import AnnualFigures
from tests.unit.test_annual_report import scripted_year


def test_the_kept_state_counts_on_as_the_original() -> None:
    events = [(event.type, event.model_dump(mode="json")) for event in scripted_year()]
    half = len(events) // 2
    original = AnnualFigures()
    for kind, data in events[:half]:
        original.apply(kind, data)
    kept = AnnualFigures.from_state(orjson.loads(orjson.dumps(original.state())))
    assert kept.digest() == original.digest()
    # The second half, and every event of the first again (copies re-published after
    # the de-duplication window): what the original counted once, the kept one too.
    for kind, data in events[half:] + events[:half]:
        original.apply(kind, data)
        kept.apply(kind, data)
    assert kept.digest() == original.digest()
    assert kept.events == original.events
    assert kept.figures(2025) == original.figures(2025)
