"""Schemathesis hooks for tests/schemathesis.sh.

A file's type is read from its bytes: the server takes a JPEG, PNG or WebP (and a PDF for
an address document) whatever the part's declared type, and refuses anything else with a
415, as the document says. The upload form's `encoding` names the image types, but
Schemathesis draws random bytes for a multipart file (registering strategies for the image
types would be the way, but then its coverage phase sends the other required fields
blank). So `map_case` below puts a real file of the declared type (the small samples
Schemathesis ships) into a file upload meant to be valid.

Two rules of the Identity API lie outside what an OpenAPI document can state, because they
depend on what was sent before rather than on the request itself:

- A paging cursor (`page[after]`, `page[before]`) is a value the server handed out in
  `meta.page.next_cursor` or `prev_cursor`, and the two may not be given together. The
  document describes a cursor's shape, so Schemathesis takes any string of that shape for a
  valid request; the server refuses one it did not make, or both at once: 400 naming the
  parameter.
- An `Idempotency-Key` may be reused only for the same request. Schemathesis draws keys
  such as "0" for many different requests; the server answers all but the first 422
  `idempotency_key_reused`, as the document says.

`map_case` makes each request meant to be valid keep to both rules, as a client following
the document would: a drawn `Idempotency-Key` gets a suffix of its own, and drawn cursors
are left out (the stateful phase pages with the cursors the server hands out, through the
lists' `nextPage` links). Requests meant to be invalid are left as drawn.

The stateful phase also draws cursors for steps that no link feeds, which the server
refuses. `filter_failure` drops exactly that "schema-valid request rejected" failure: a
400 whose every error names `page[after]` or `page[before]`. Every other failure still
fails the run; the run's summary counts what was dropped ("Filtered").
"""

import datetime
import itertools
import json

import schemathesis
from schemathesis.core.file_samples import MEDIA_TYPE_FILE_SAMPLES
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import TestPhase
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.transport.serialization import Binary

CURSORS = {"page[after]", "page[before]"}


def _errors(response):
    try:
        errors = json.loads(response.content)["errors"]
    except (ValueError, KeyError, TypeError):
        return []
    return errors if isinstance(errors, list) else []


def _cursor_refusal(response):
    errors = _errors(response)
    return (
        response.status_code == 400
        and bool(errors)
        and all((e.get("source") or {}).get("parameter") in CURSORS for e in errors)
    )


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keeps every failure but a drawn cursor refused as documented (see above)."""
    return not (isinstance(failure, RejectedPositiveData) and _cursor_refusal(response))


KEYS = itertools.count(1)


@schemathesis.hook
def map_case(context, case):
    """Makes a request meant to be valid keep to the three rules above."""
    meta = case.meta
    if meta is None:
        return case
    query = meta.components.get(ParameterLocation.QUERY)
    if case.query and meta.phase.name != TestPhase.STATEFUL and query and query.mode.is_positive:
        for name in CURSORS:
            case.query.pop(name, None)
    headers = meta.components.get(ParameterLocation.HEADER)
    if case.headers and headers and headers.mode.is_positive:
        for name in list(case.headers):
            if name.lower() == "idempotency-key":
                case.headers[name] = f"{case.headers[name][:200]}.{next(KEYS)}"
    body = meta.components.get(ParameterLocation.BODY)
    if body and body.mode.is_positive and isinstance(case.body, dict):
        attributes = (case.body.get("data") or {}).get("attributes") if isinstance(case.body.get("data"), dict) else None
        if isinstance(attributes, dict) and isinstance(attributes.get("expires_at"), str):
            # A fourth rule no schema can state: `expires_at` lies between now and 90 days
            # ahead (the document says so in words).
            attributes["expires_at"] = (
                datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)
            ).strftime("%Y-%m-%dT%H:%M:%SZ")
    if case.media_type == "multipart/form-data" and isinstance(case.body, dict) and "file" in case.body:
        if body and body.mode.is_positive:
            declared = (case.multipart_content_types or {}).get("file", "image/png")
            sample = MEDIA_TYPE_FILE_SAMPLES.get(declared, MEDIA_TYPE_FILE_SAMPLES["image/png"])
            case.body["file"] = Binary(sample)
    return case
