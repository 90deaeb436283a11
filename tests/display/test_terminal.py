import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from flowaudit.display.terminal import Inert, safe


def test_terminal_escapes_are_made_visible() -> None:
    hostile = "evil.example\x1b[2J\x1b]0;pwned\x07"
    text = safe(hostile).plain
    assert "\x1b" not in text and "\x07" not in text
    assert "\\u001b[2J" in text


def test_bidi_overrides_are_made_visible() -> None:
    assert "\u202e" not in safe("moc.elgoog\u202e.evil").plain


def test_rich_markup_is_not_interpreted() -> None:
    assert safe("[bold red]x[/]").plain == "[bold red]x[/]"


def test_inert_spells_out_control_characters_that_no_cell_escaped() -> None:
    """Text put into a table without :func:`safe` (a field of an edited result) still
    cannot clear the screen; rich's own styles still reach the terminal."""
    table = Table()
    table.add_column("rule")
    table.add_row(Text("x\x1b[2J\x1b]0;pwned\x07", style="bold"))
    out = io.StringIO()
    Console(file=out, force_terminal=True, width=80).print(Inert(table))
    shown = out.getvalue()
    assert "\x1b[2J" not in shown and "\x1b]0;" not in shown and "\x07" not in shown
    assert "\\u001b[2J" in shown and "\x1b[1m" in shown  # the escape spelled out, bold still bold
