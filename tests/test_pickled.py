"""What crosses to worker processes comes back equal, by value."""

from __future__ import annotations

import pickle
from multiprocessing.reduction import ForkingPickler

import flowaudit.parallel  # noqa: F401 - registers the reducer of the named tuples workers send back
from flowaudit.consent.signal import ConsentSignal
from flowaudit.engine.audit import Inspection
from flowaudit.model import Observation
from flowaudit.payload.model import DecodeProblem, Detection
from flowaudit.pickled import as_plain_tuple


def test_values_sent_to_and_from_workers_round_trip() -> None:
    obs = Observation(
        ref="cap.mitm#3", source="cap.mitm", index=3, kind="http", method="POST", scheme="https",
        host="api.example", port=443, path="/v1/t?x=1", request_headers=(("Cookie", "a=b"),),
        body=b'{"email":"jane.doe@example.com"}', status=200, timestamp=1.5, phase="consent-given",
    )  # fmt: skip
    detection = Detection(
        "contact.email", "likely", "body", "body > json:email", ("json",), "key 'email' + email format",
        "j•••@example.com", value="jane.doe@example.com", detector="generic:email",
    )  # fmt: skip
    signal = ConsentSignal("gpc", "refused", "Sec-GPC: 1", "cap.mitm#3", "header:Sec-GPC", "1", explicit=True)
    inspection = Inspection((detection,), (signal,), (DecodeProblem("json", "invalid JSON"),))
    for value in (obs, detection, signal, inspection, Inspection(None, ())):
        back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == value and type(back) is type(value)
        # as the workers' pool pickles them (flowaudit.parallel registers named tuples' reducer)
        back = pickle.loads(ForkingPickler.dumps(value))
        assert back == value and type(back) is type(value)


def test_a_named_tuple_is_pickled_as_a_plain_tuple() -> None:
    problem = DecodeProblem("json", "invalid JSON")
    make, args = as_plain_tuple(problem)
    assert args == (DecodeProblem, ("json", "invalid JSON")) and type(args[1]) is tuple
    made = make(*args)
    assert made == problem and type(made) is DecodeProblem and made.reason == "json"
