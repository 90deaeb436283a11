from flowaudit.display.terminal import safe


def test_terminal_escapes_are_made_visible() -> None:
    hostile = "evil.example\x1b[2J\x1b]0;pwned\x07"
    text = safe(hostile).plain
    assert "\x1b" not in text and "\x07" not in text
    assert "\\u001b[2J" in text


def test_bidi_overrides_are_made_visible() -> None:
    assert "\u202e" not in safe("moc.elgoog\u202e.evil").plain


def test_rich_markup_is_not_interpreted() -> None:
    assert safe("[bold red]x[/]").plain == "[bold red]x[/]"
