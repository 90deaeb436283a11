"""JSON written a piece at a time is the same text as json.dumps of the whole document."""

from __future__ import annotations

import json
from typing import Any

from flowaudit.display.jsontext import Lazy, json_pieces, materialised


def _row(n: int) -> dict[str, Any]:
    return {"n": n, "host": f"h{n}.example", "nested": {"list": [n, {"deep": [None, True, 1.5]}], "empty": {}}}


DOCUMENTS: list[Any] = [
    {"a": 1, "rows": Lazy(_row, range(3)), "empty": Lazy(_row, ()), "after": [], "z": {}},
    {"runs": [{"tool": {"name": "x"}, "results": Lazy(_row, range(2)), "text": 'é\u2028\n"::x'}]},
    [Lazy(str, ["a", "b"]), {"k": Lazy(_row, [7])}],
    {"rows": Lazy(_row, range(5000))},  # several pieces
    # an item holding long lists (a finding citing a request per company), at several depths
    {"findings": Lazy(lambda n: {"id": n, "evidence": [_row(i) for i in range(1500)], "m": {"x": [[]] * 1200}}, [1])},
    {"findings": Lazy(lambda n: {"evidence": [], "hosts": list(range(1001))}, [0])},
    {},
    [],
    "plain",
]


def test_pieces_are_json_dumps_of_the_whole_document() -> None:
    for document in DOCUMENTS:
        whole = json.dumps(materialised(document), indent=2, ensure_ascii=False) + "\n"
        pieces = list(json_pieces(document))
        assert "".join(pieces) == whole
        assert all(piece.endswith("\n") for piece in pieces)


def test_a_long_list_comes_in_several_pieces() -> None:
    pieces = list(json_pieces({"rows": Lazy(_row, range(5000))}))
    assert len(pieces) > 2
    assert json.loads("".join(pieces))["rows"][4999]["n"] == 4999


def test_an_item_holding_a_long_list_is_written_a_part_at_a_time() -> None:
    """The item alone would be one piece of megabytes (and made three times over)."""
    item = {"id": 1, "evidence": [_row(i) for i in range(20000)]}
    pieces = list(json_pieces({"findings": Lazy(lambda x: x, [item])}))
    assert len(pieces) > 10 and max(map(len, pieces)) < 200_000
    assert json.loads("".join(pieces))["findings"][0]["evidence"][19999]["n"] == 19999
