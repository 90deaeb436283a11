# Amplitude Python SDK (HTTP V2): a health event with device identifiers and location,
# an identify with the email, and a purchase.
from amplitude import Amplitude, BaseEvent, EventOptions, Identify

client = Amplitude("AMPLITUDE_API_KEY_0123456789abcdef")
client.configuration.flush_queue_size = 1
opts = EventOptions(
    user_id="user-4242",
    device_id="e94f7cdf-a501-4762-90bb-9118d0ca52cb",
    idfa="38400000-8cf0-11bd-b23e-10b96e40000d",
    location_lat=48.8566,
    location_lng=2.3522,
    ip="203.0.113.9",
)
client.track(
    BaseEvent(
        event_type="Symptom Logged",
        event_properties={"condition": "type 2 diabetes", "glucose_mg_dl": 182},
        **opts.get_event_body(),
    )
)
identify = Identify().set("email", "jane.doe@example.com").set("name", "Jane Doe")
client.identify(identify, EventOptions(user_id="user-4242", device_id="e94f7cdf-a501-4762-90bb-9118d0ca52cb"))
client.track(
    BaseEvent(
        event_type="Premium Purchased",
        user_id="user-4242",
        price=9.99,
        quantity=1,
        revenue=9.99,
        product_id="premium_monthly",
        currency="USD",
    )
)
client.flush()
client.shutdown()
print("amplitude ok")
