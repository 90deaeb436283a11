# PostHog Python SDK, gzip transport: an identify with person properties, a health event
# with a coordinates property, and an event with no personal data at all.
from posthog import Posthog

ph = Posthog("phc_TESTPROJECTKEY0123456789abcdef", host="https://us.i.posthog.com", gzip=True, sync_mode=True)
ph.capture(
    "Symptom Logged",
    distinct_id="user-4242",
    properties={"condition": "type 2 diabetes", "glucose_mg_dl": 182, "lat": 48.8566, "lon": 2.3522},
)
ph.set(distinct_id="user-4242", properties={"email": "jane.doe@example.com", "name": "Jane Doe"})
ph.capture(
    "Settings Changed",
    distinct_id="user-4242",
    properties={"theme": "dark", "billing_period": "monthly", "font_weight": "bold"},
)
ph.flush()
print("posthog ok")
