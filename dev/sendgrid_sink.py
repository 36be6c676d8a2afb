"""A local, SendGrid-compatible mail sink: `POST /v3/mail/send` checked the way SendGrid
checks it, answered 202 with `X-Message-Id`, and kept for people and tests to read.

    python -m dev.sendgrid_sink --port 8710 --store .local/mail.jsonl

People: http://127.0.0.1:8710/ lists received emails and renders each one.
Tests:  GET/DELETE /api/messages (`?since=N`: only the emails after the first N, so a
        benchmark polling thousands of emails reads each once), and POST /api/faults to
        make the next calls answer 429 (with X-RateLimit-Reset), 5xx or a sandbox 200,
        or answer late (`delay`), to prove retries and timeouts.
        `mail_settings.sandbox_mode` is honoured (200, kept nowhere), as SendGrid does.
Email never leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import secrets
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import Flask, Response, abort, jsonify, render_template_string, request

MAX_PERSONALIZATIONS = 1000
MAX_RECIPIENTS = 1000
MAX_CATEGORIES = 10
MAX_CUSTOM_ARGS_BYTES = 10_000
# Headers SendGrid refuses in the `headers` object (it sets them itself).
RESERVED_HEADERS = {
    "x-sg-id",
    "x-sg-eid",
    "received",
    "dkim-signature",
    "content-type",
    "content-transfer-encoding",
    "to",
    "from",
    "subject",
    "reply-to",
    "cc",
    "bcc",
}


def _error(message: str, field: str | None = None) -> dict[str, Any]:
    return {"message": message, "field": field, "help": None}


def _valid_email(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def validate_mail(body: Any) -> list[dict[str, Any]]:
    """The errors SendGrid would report for this `mail/send` body (empty if valid)."""
    if not isinstance(body, dict):
        return [_error("Bad Request", None)]
    errors: list[dict[str, Any]] = []
    personalizations = body.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        errors.append(
            _error(
                "The personalizations field is required and must have at least one "
                "personalization.",
                "personalizations",
            )
        )
        personalizations = []
    elif len(personalizations) > MAX_PERSONALIZATIONS:
        errors.append(
            _error(
                "You may not have more than 1000 personalizations per API request.",
                "personalizations",
            )
        )
    for i, p in enumerate(personalizations):
        field = f"personalizations.{i}"
        if not isinstance(p, dict):
            errors.append(_error("Each personalization must be an object.", field))
            continue
        to = p.get("to")
        if not isinstance(to, list) or not to:
            errors.append(
                _error(
                    "The to array is required for all personalization objects, and "
                    "must have at least one email object with a valid email address.",
                    f"{field}.to",
                )
            )
            to = []
        recipients = 0
        for kind in ("to", "cc", "bcc"):
            for j, r in enumerate(p.get(kind) or []):
                recipients += 1
                if not isinstance(r, dict) or not _valid_email(r.get("email")):
                    errors.append(
                        _error("Does not contain a valid address.", f"{field}.{kind}.{j}.email")
                    )
        if recipients > MAX_RECIPIENTS:
            errors.append(
                _error("The total number of recipients must be no more than 1000.", field)
            )
    sender = body.get("from")
    if not isinstance(sender, dict) or not _valid_email(sender.get("email")):
        errors.append(
            _error(
                "The from object must be provided for every email send. It is an object "
                "that requires the email parameter, but may also contain a name parameter.",
                "from.email",
            )
        )
    has_template = bool(body.get("template_id"))
    subject = body.get("subject")
    if (
        not has_template
        and not (isinstance(subject, str) and subject)
        and not all(isinstance(p, dict) and p.get("subject") for p in personalizations)
    ):
        errors.append(
            _error(
                "The subject is required. You can get around this requirement if you "
                "use a template with a subject defined or if every personalization has "
                "a subject defined.",
                "subject",
            )
        )
    errors.extend(_validate_content(body.get("content"), has_template))
    errors.extend(_validate_extras(body))
    return errors


def _validate_content(content: Any, has_template: bool) -> list[dict[str, Any]]:
    if content is None and has_template:
        return []
    if not isinstance(content, list) or not content:
        return [
            _error(
                "Unless a valid template_id is provided, the content parameter is required. "
                "There must be at least one defined content block.",
                "content",
            )
        ]
    errors = []
    types = []
    for i, block in enumerate(content):
        if (
            not isinstance(block, dict)
            or not block.get("type")
            or not isinstance(block.get("value"), str)
            or not block["value"]
        ):
            errors.append(
                _error("Content blocks need a type and a non-empty value.", f"content.{i}")
            )
            continue
        types.append(block["type"])
    if "text/plain" in types and types[0] != "text/plain":
        errors.append(
            _error("If present, text/plain must be first, followed by text/html.", "content.0.type")
        )
    return errors


def _validate_extras(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    headers = body.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        errors.append(_error("Headers must be an object of string values.", "headers"))
    else:
        for name in headers:
            if name.lower() in RESERVED_HEADERS:
                errors.append(
                    _error(f"The header {name} is reserved and cannot be set.", f"headers.{name}")
                )
    categories = body.get("categories") or []
    if not isinstance(categories, list) or len(categories) > MAX_CATEGORIES:
        errors.append(_error("You may not have more than 10 categories per request.", "categories"))
    custom_args = body.get("custom_args") or {}
    if len(json.dumps(custom_args).encode()) > MAX_CUSTOM_ARGS_BYTES:
        errors.append(_error("custom_args may not exceed 10,000 bytes.", "custom_args"))
    return errors


class Mailbox:
    """Received emails, in memory and (optionally) appended to a JSONL file."""

    def __init__(self, store: Path | None) -> None:
        self._lock = threading.Lock()
        self._store = store
        self._messages: list[dict[str, Any]] = []
        self._faults: deque[dict[str, Any]] = deque()
        self.requests = 0
        if store is not None and store.exists():
            self._messages = [json.loads(line) for line in store.read_text().splitlines() if line]

    def add(self, body: dict[str, Any], message_id: str) -> None:
        """Keep one entry per personalization (SendGrid sends one email for each)."""
        contents = {c["type"]: c["value"] for c in body.get("content") or []}
        with self._lock:
            for index, p in enumerate(body["personalizations"]):
                entry = {
                    "id": f"{message_id}.{index}",
                    "message_id": message_id,
                    "received_at": time.time(),
                    "from": body["from"],
                    "to": [r["email"] for r in p.get("to", [])],
                    "subject": p.get("subject") or body.get("subject", ""),
                    "text": contents.get("text/plain", ""),
                    "html": contents.get("text/html", ""),
                    "headers": {**(body.get("headers") or {}), **(p.get("headers") or {})},
                    "categories": body.get("categories") or [],
                    "custom_args": {
                        **(body.get("custom_args") or {}),
                        **(p.get("custom_args") or {}),
                    },
                    "tracking_settings": body.get("tracking_settings") or {},
                    "mail_settings": body.get("mail_settings") or {},
                }
                self._messages.append(entry)
                if self._store is not None:
                    self._store.parent.mkdir(parents=True, exist_ok=True)
                    with self._store.open("a") as fh:
                        fh.write(json.dumps(entry) + "\n")

    def all(self, since: int = 0) -> list[dict[str, Any]]:
        """Every received email, oldest first (from the `since`-th on)."""
        with self._lock:
            return self._messages[max(0, since) :]

    def clear(self) -> None:
        """Forget every email and pending fault."""
        with self._lock:
            self._messages.clear()
            self._faults.clear()
            self.requests = 0
            if self._store is not None and self._store.exists():
                self._store.write_text("")

    def push_faults(self, faults: list[dict[str, Any]]) -> None:
        """Make the next send calls answer these statuses, in order."""
        with self._lock:
            self._faults.extend(faults)

    def next_fault(self) -> dict[str, Any] | None:
        """The fault the current send call must answer with, if any."""
        with self._lock:
            self.requests += 1
            return self._faults.popleft() if self._faults else None


LIST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Local mailbox</title>
<style>body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse}
td,th{padding:.3em .8em;border-bottom:1px solid #ccc;text-align:left}a{color:#0645ad}</style>
</head><body><h1>Local mailbox</h1>
<p>{{ messages|length }} email(s) received by the SendGrid sink. Nothing here left this machine.</p>
<table><thead><tr><th>Received</th><th>To</th><th>Kind</th><th>Subject</th></tr></thead><tbody>
{% for m in messages|reverse %}<tr><td>{{ m.received_at|ts }}</td><td>{{ m.to|join(", ") }}</td>
<td>{{ m.categories|join(", ") }}</td>
<td><a href="/messages/{{ m.id }}">{{ m.subject }}</a></td></tr>{% endfor %}
</tbody></table></body></html>"""

#: Put before an email's HTML in the preview frame: every link opens in a tab of its own.
NEW_TAB_BASE = '<base target="_blank">'


def with_new_tab_links(html: str) -> str:
    """The email's HTML with a `<base target="_blank">` at the start of its head (before
    a doctype it would switch the page to quirks mode)."""
    head = re.search(r"<head[^>]*>", html, re.IGNORECASE)
    if head is None:
        return NEW_TAB_BASE + html
    return html[: head.end()] + NEW_TAB_BASE + html[head.end() :]


MESSAGE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ m.subject }}</title><style>body{font-family:sans-serif;margin:2em}
iframe{width:100%;height:32em;border:1px solid #ccc}
pre{white-space:pre-wrap;background:#f6f6f6;padding:1em}</style>
</head><body><p><a href="/">← mailbox</a></p><h1>{{ m.subject }}</h1>
<p>To: {{ m.to|join(", ") }}<br>From: {{ m["from"].email }}<br>Message id: {{ m.id }}<br>
Category: {{ m.categories|join(", ") }}<br>
List-Unsubscribe: {{ m.headers.get("List-Unsubscribe", "(none)") }}</p>
<p>Links in the email open in a new tab: the site refuses to be shown inside a frame.</p>
<h2>HTML part</h2><iframe sandbox="allow-popups allow-popups-to-escape-sandbox"
 title="HTML part" src="/messages/{{ m.id }}/html"></iframe>
<h2>Text part</h2><pre>{{ m.text }}</pre>
<h2>Headers</h2><pre>{{ m.headers|tojson(indent=2) }}</pre>
{% set unsubscribe = m.headers.get("List-Unsubscribe", "").strip("<>") %}
{% if unsubscribe and m.headers.get("List-Unsubscribe-Post") %}
<form method="post" action="{{ unsubscribe }}" target="_blank">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">One-click unsubscribe (what a mail client sends, RFC 8058)</button>
</form>{% endif %}</body></html>"""


def create_app(mailbox: Mailbox) -> Flask:
    """The sink's Flask app."""
    app = Flask(__name__)
    app.jinja_env.filters["ts"] = lambda t: time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))

    @app.post("/v3/mail/send")
    def send() -> Any:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or len(auth) <= len("Bearer "):
            return jsonify(
                {
                    "errors": [
                        _error(
                            "The provided authorization grant is invalid, expired, or revoked", None
                        )
                    ]
                }
            ), 401
        fault = mailbox.next_fault()
        if fault is not None and fault.get("delay"):
            time.sleep(float(fault["delay"]))  # a slow provider: the caller's timeout fires
        if fault is not None and int(fault.get("status", 500)) not in (200, 202):
            return _fault_response(fault)
        body = request.get_json(silent=True)
        errors = validate_mail(body)
        if errors:
            return jsonify({"errors": errors}), 400
        sandbox = ((body.get("mail_settings") or {}).get("sandbox_mode") or {}).get("enable")
        if sandbox or (fault is not None and int(fault["status"]) == 200):
            # SendGrid's sandbox mode: validated, answered 200, never delivered.
            return Response(status=200)
        message_id = secrets.token_urlsafe(16)
        mailbox.add(body, message_id)
        return Response(status=202, headers={"X-Message-Id": message_id})

    @app.get("/api/messages")
    def list_messages() -> Any:
        since = request.args.get("since", 0, type=int)
        return jsonify({"messages": mailbox.all(since), "requests": mailbox.requests})

    @app.delete("/api/messages")
    def clear_messages() -> Any:
        mailbox.clear()
        return "", 204

    @app.post("/api/faults")
    def add_faults() -> Any:
        faults = (request.get_json(silent=True) or {}).get("responses") or []
        mailbox.push_faults(faults)
        return jsonify({"queued": len(faults)})

    @app.get("/")
    def index() -> Any:
        return render_template_string(LIST_PAGE, messages=mailbox.all())

    @app.get("/messages/<message_id>")
    def show(message_id: str) -> Any:
        return render_template_string(MESSAGE_PAGE, m=_find(mailbox, message_id))

    @app.get("/messages/<message_id>/html")
    def show_html(message_id: str) -> Any:
        # The email's own HTML, with every script and remote load blocked. Its links open
        # in a new tab (the frame is sandboxed, and the site sends X-Frame-Options: DENY).
        return Response(
            with_new_tab_links(_find(mailbox, message_id)["html"]),
            mimetype="text/html",
            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
        )

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify({"status": "ok"})

    return app


def _find(mailbox: Mailbox, message_id: str) -> dict[str, Any]:
    for message in mailbox.all():
        if message["id"] == message_id:
            return message
    abort(404)


def _fault_response(fault: dict[str, Any]) -> Response:
    status = int(fault.get("status", 500))
    headers = {}
    if status == 429:
        headers = {
            "X-RateLimit-Limit": "600",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(int(time.time() + float(fault.get("reset_in", 1)))),
        }
    body = json.dumps({"errors": [_error(fault.get("message", f"simulated {status}"), None)]})
    return Response(body, status=status, headers=headers, mimetype="application/json")


def main() -> None:
    """Run the sink on 127.0.0.1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument(
        "--store", type=Path, default=None, help="JSONL file that keeps emails across restarts"
    )
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per poll
    print(f"SendGrid sink on http://127.0.0.1:{args.port}/ (store: {args.store})", flush=True)
    app = create_app(Mailbox(args.store))
    app.run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
