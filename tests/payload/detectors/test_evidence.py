"""Evidence of a detection: the detection made at a leaf's place."""

from __future__ import annotations

from flowaudit.payload.detectors.evidence import hit
from flowaudit.payload.model import Detection, Leaf


def test_a_hit_is_the_detection_its_fields_name() -> None:
    leaf = Leaf("body", "body > gzip > json:user.email", ("gzip", "json"), "email", "jane@example.com")
    found = hit(
        leaf, "contact.email", "likely", "key 'email'", "j•••@example.com", "generic:email", value="v", source="s"
    )
    assert type(found) is Detection
    assert found == Detection(
        data_type="contact.email",
        confidence="likely",
        part="body",
        location="body > gzip > json:user.email",
        decoding=("gzip", "json"),
        how="key 'email'",
        excerpt="j•••@example.com",
        value="v",
        detector="generic:email",
        source="s",
    )
    assert found.property == "" and hit(leaf, "t", "possible", "h", "e", "d").value is None
