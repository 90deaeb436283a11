# bugsnag 4.x (PyPI): an error report with the user (id, email, name) and custom metadata
# naming the condition. No flowaudit adapter describes Bugsnag: the generic detectors do.
import bugsnag

bugsnag.configure(
    api_key="0123456789abcdef0123456789abcdef",
    project_root="/srv/acme-health",
    asynchronous=False,
    auto_capture_sessions=False,
)
try:
    1 / 0  # noqa: B018 (the error to report)
except ZeroDivisionError as error:
    bugsnag.notify(
        error,
        user={"id": "user-4242", "email": "jane.doe@example.com", "name": "Jane Doe"},
        metadata={"patient": {"condition": "type 2 diabetes", "glucose_mg_dl": 182}},
    )
print("bugsnag ok")
