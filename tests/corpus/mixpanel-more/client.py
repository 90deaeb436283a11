# Mixpanel Python SDK beyond the realworld case: a French health event, a profile with a
# phone number, and events that hold no health data although they use words that can be
# health words elsewhere ("period", "heart", "weight", "cycle", "pressure").
from mixpanel import Mixpanel

mp = Mixpanel("0123456789abcdef0123456789abcdef")
mp.track(
    "user-4242",
    "Glycémie enregistrée",
    {"maladie": "diabète de type 2", "glycemie_mg_dl": 182, "$email": "jane.doe@example.com"},
)
mp.people_set("user-4242", {"$phone": "+15550100", "$name": "Jane Doe"})
mp.track("user-4242", "Plan Changed", {"billing_period": "monthly", "cycle": "annual", "trial_period_days": 14})
mp.track("user-4242", "Reaction Added", {"emoji": "heart", "icon": "red_heart", "font_weight": "bold"})
mp.track("user-4242", "Weather Viewed", {"temperature": 21, "pressure": 1013, "period": "afternoon"})
mp.track("user-4242", "Search", {"search_term": "low sugar recipes", "results": 12})
print("mixpanel ok")
