# appsflyer (PyPI, a client of the AppsFlyer S2S events API): a purchase event and a custom
# health event for the customer user id, with the device's IP address.
from appsflyer.rest import Client

af = Client(app_id="id123456789", dev_key="AF_DEV_KEY_abc123")
af.generate_event(
    appsflyer_id="1795374704123-1234567890123456789",
    customer_user_id="user-4242",
    ip="203.0.113.9",
    event_name="af_purchase",
    event_value={"af_revenue": "9.99", "af_content_id": "premium_monthly"},
    event_currency="USD",
)
af.generate_event(
    appsflyer_id="1795374704123-1234567890123456789",
    customer_user_id="user-4242",
    event_name="symptom_logged",
    event_value={"condition": "type 2 diabetes", "glucose_mg_dl": "182"},
)
print("appsflyer ok")
