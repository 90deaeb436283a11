# ga4mp (Google Analytics 4 Measurement Protocol): a health event with the user id, and a
# purchase with a transaction id.
from ga4mp import GtagMP

ga = GtagMP(api_secret="GA4_API_SECRET_abc123", measurement_id="G-TEST123456", client_id="1234567890.1795374704")
ga.store.set_user_property("user_id", "user-4242")
event = ga.create_new_event("symptom_logged")
event.set_event_param("condition", "type 2 diabetes")
event.set_event_param("glucose_mg_dl", 182)
purchase = ga.create_new_event("purchase")
purchase.set_event_param("transaction_id", "T-12345")
purchase.set_event_param("value", 9.99)
purchase.set_event_param("currency", "USD")
ga.send(events=[event, purchase])
print("ga4 ok")
