"""schemathesis hooks for calinvite's media types that are not JSON.

`POST /api/v1/inbound` takes a raw mail message (`message/rfc822`), sent as the bytes of the
generated string; `GET /api/v1/inbound/{id}?raw=1`, `GET /api/v1/events/{uid}` (iCalendar)
and the recipients CSV answer with text, read back as a string so the document's
`{"type": "string"}` schema is checked against it.
"""

import json

import schemathesis


@schemathesis.serializer("message/rfc822")
def rfc822(ctx, value):
    if isinstance(value, bytes):
        return {"data": value}
    text = value if isinstance(value, str) else json.dumps(value)
    return {"data": text.encode("utf-8")}


@schemathesis.deserializer("message/rfc822", "text/calendar", "text/csv")
def as_text(ctx, response):
    return response.content.decode("utf-8", "replace")
