from flowaudit.engine.ids import finding_id


def test_same_inputs_same_id() -> None:
    a = finding_id("undeclared-recipient", "mixpanel", "", ["usage.interactions", "contact.email"])
    b = finding_id("undeclared-recipient", "mixpanel", "", ["contact.email", "usage.interactions"])
    assert a == b


def test_each_part_changes_the_id() -> None:
    base = finding_id("undeclared-recipient", "mixpanel", "api.mixpanel.com", ["contact.email"])
    assert finding_id("unknown-third-party", "mixpanel", "api.mixpanel.com", ["contact.email"]) != base
    assert finding_id("undeclared-recipient", "segment", "api.mixpanel.com", ["contact.email"]) != base
    assert finding_id("undeclared-recipient", "mixpanel", "api-js.mixpanel.com", ["contact.email"]) != base
    assert finding_id("undeclared-recipient", "mixpanel", "api.mixpanel.com", []) != base
