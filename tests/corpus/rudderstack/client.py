# RudderStack Python SDK: identify with traits (email, name, phone), a health track with an
# advertising id in the context, and a page call with the page URL.
import rudderstack.analytics as rudder_analytics

rudder_analytics.write_key = "RUDDER_WRITE_KEY_abc123"
rudder_analytics.dataPlaneUrl = "https://acmehealth.dataplane.rudderstack.com"
rudder_analytics.sync_mode = True
rudder_analytics.identify("user-4242", {"email": "jane.doe@example.com", "name": "Jane Doe", "phone": "+15550100"})
rudder_analytics.track(
    "user-4242",
    "Symptom Logged",
    {"condition": "type 2 diabetes", "glucose_mg_dl": 182},
    context={"device": {"advertisingId": "38400000-8cf0-11bd-b23e-10b96e40000d"}},
)
rudder_analytics.page(
    "user-4242", "Articles", "Living with diabetes", {"url": "https://acmehealth.example/articles/living-with-diabetes"}
)
rudder_analytics.flush()
print("rudderstack ok")
