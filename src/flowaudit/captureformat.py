"""The capture format: the names flowaudit's addon writes and its readers read.

A capture is a plain mitmproxy flow file (or a HAR export of one). What
makes it flowaudit's is named here, once: the reserved host its own records
go to, the paths of those records, and the flow metadata keys and fields
that carry the capture record, the phase markers and uninspectable
connections (the addon's docstring describes each record).

Nothing imported at all: when mitmproxy runs the addon by path, possibly
from a Python without flowaudit, the addon loads this file by its path too;
and the HAR reader imports it without loading mitmproxy.
"""

# RFC 6761: ``.invalid`` never resolves, so no real request goes to this host.
RESERVED_HOST = "flowaudit.invalid"
MARK_PATH = "/mark/"  # http://RESERVED_HOST/mark/NAME starts the phase NAME
CAPTURE_PATH = "/capture"  # the capture record's request, first in every capture
CAPTURE_FORMAT = 1  # version of what the addon writes into metadata

# Flow metadata keys.
PHASE_KEY = "flowaudit.phase"  # on every app flow: the phase in force when it started
CAPTURE_KEY = "flowaudit.capture"  # on the capture record: its facts (a JSON object)
MARKER_KEY = "flowaudit.marker"  # on a marker record: MARKER_NAME, how it was set, when
UNINSPECTABLE_KEY = "flowaudit.uninspectable"  # on a refused TLS handshake: UNINSPECTABLE_HOST and _REASON
SINKHOLED_KEY = "flowaudit.sinkholed"  # on a flow the proxy answered instead of forwarding

# Fields of the capture record's object that readers take.
RECORD_APP = "app"
RECORD_DEVICE = "device"
RECORD_STARTED = "started"
# Field of a marker's object: the phase name.
MARKER_NAME = "name"
# Fields of an uninspectable connection's object.
UNINSPECTABLE_HOST = "host"
UNINSPECTABLE_REASON = "reason"
