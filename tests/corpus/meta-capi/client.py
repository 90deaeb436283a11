# Meta Business SDK, Conversions API: the SDK SHA-256-hashes email, phone and names before
# sending; a purchase event with custom data naming the condition.
from facebook_business.adobjects.serverside.action_source import ActionSource
from facebook_business.adobjects.serverside.custom_data import CustomData
from facebook_business.adobjects.serverside.event import Event
from facebook_business.adobjects.serverside.event_request import EventRequest
from facebook_business.adobjects.serverside.user_data import UserData
from facebook_business.api import FacebookAdsApi

FacebookAdsApi.init(access_token="EAAB_TEST_ACCESS_TOKEN_0123456789")
user = UserData(
    emails=["jane.doe@example.com"],
    phones=["+15550100"],
    first_names=["Jane"],
    last_names=["Doe"],
    external_ids=["user-4242"],
    client_ip_address="203.0.113.9",
)
custom = CustomData(value=9.99, currency="usd", custom_properties={"condition": "type 2 diabetes"})
event = Event(
    event_name="Purchase", event_time=1795374704, user_data=user, custom_data=custom, action_source=ActionSource.APP
)
print(EventRequest(events=[event], pixel_id="123456789012345").execute())
print("capi ok")
