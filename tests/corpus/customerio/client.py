# customerio 3.x (PyPI), Track API: identify a customer with email, name and phone, and a
# health event. No flowaudit adapter describes Customer.io: the generic detectors do.
from customerio import CustomerIO

cio = CustomerIO("CIO_SITE_ID_abc", "CIO_API_KEY_0123456789")
cio.identify(id="user-4242", email="jane.doe@example.com", name="Jane Doe", phone="+15550100")
cio.track(customer_id="user-4242", name="symptom_logged", data={"condition": "type 2 diabetes", "glucose_mg_dl": 182})
print("customerio ok")
