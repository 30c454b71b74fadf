"""E-mail: .eml and .mbox through the standard library's `email` and `mailbox`.

A message is a document: its subject is the title; subject, sender, recipients and date are
header fields and the first lines of its text, then the body (plain text with its wrapped
lines joined, or HTML as text). Attachments are not part of the message's text: the loader
reads each one of a supported format as a document of its own (see `ingest.loaders`), named
after the message and the attachment's sanitized file name.

Document ids: `mail.eml` for a message and `mail.eml#report.pdf` for its attachment; in an
mbox, `box.mbox#3` for the third message and `box.mbox#3/report.pdf` for its attachment.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
import unicodedata
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from ingest.errors import LoadError
from ingest.markup import html_text
from ingest.paragraphs import unwrap

MAIL = frozenset({".eml", ".mbox"})
_UNSAFE = re.compile(r"[^\w.+ -]+", re.UNICODE)
MAX_NAME = 100
_FIELDS = ("subject", "from", "to", "cc", "date")


def messages(path: Path) -> Iterator[tuple[str, EmailMessage]]:
    """`(id suffix, message)`: one message with no suffix for .eml, `#n` for an mbox's n-th."""
    if path.suffix.lower() == ".eml":
        with open(path, "rb") as file:
            yield "", email.message_from_binary_file(file, policy=email.policy.default)
        return
    try:
        box = mailbox.mbox(str(path), factory=_parse, create=False)
        keys = box.keys()
    except (OSError, mailbox.Error) as error:
        raise LoadError(f"is not a readable mbox file ({error})") from None
    if not keys:
        raise LoadError("holds no messages (an mbox starts each message with a `From ` line)")
    for number, key in enumerate(keys, start=1):
        yield f"#{number}", box[key]


def _parse(file) -> EmailMessage:
    return email.message_from_binary_file(file, policy=email.policy.default)


def message_text(message: EmailMessage) -> tuple[str, str, dict[str, str]]:
    """`(text, title, fields)` of one message: its header lines, a blank line, its body."""
    fields = {name: _header(message, name) for name in _FIELDS}
    when = _iso_date(fields["date"])
    if when:
        fields["date"] = when
    fields = {name: value for name, value in fields.items() if value}
    head = "\n".join(f"{name.capitalize()}: {value}" for name, value in fields.items())
    body = _body(message)
    title = fields.get("subject") or "(no subject)"
    fields.pop("subject", None)
    return f"{head}\n\n{body}".strip(), title, fields


def attachments(message: EmailMessage) -> Iterator[tuple[str, bytes]]:
    """`(safe file name, bytes)` of each attachment that has a file name; names made unique."""
    seen: set[str] = set()
    for part in message.iter_attachments():
        name = part.get_filename()
        if not name or part.get_content_maintype() == "multipart":
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        name = unique(safe_name(name), seen)
        yield name, data


def safe_name(name: str) -> str:
    """An attachment's name as a plain file name: no folders, no control or odd characters,
    no leading dots, at most `MAX_NAME` characters with its extension kept.

    >>> safe_name("../../etc/passwd.pdf")
    'passwd.pdf'
    >>> safe_name("..\\\\\\\\evil\\u202egnp.exe.txt")
    'evil_gnp.exe.txt'
    """
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", "".join(c if unicodedata.category(c)[0] != "C" else "_" for c in name))
    name = name.strip(" ._")
    stem, dot, suffix = name.rpartition(".")
    if len(name) > MAX_NAME:
        name = stem[: MAX_NAME - len(suffix) - 1] + "." + suffix if dot and len(suffix) <= 10 else name[:MAX_NAME]
    return name or "attachment"


def unique(name: str, seen: set[str]) -> str:
    """`name`, or `name-2.ext`, `name-3.ext`... when an earlier attachment took it."""
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    candidate, number = name, 1
    while candidate.lower() in seen:
        number += 1
        candidate = f"{stem}-{number}{dot}{suffix}"
    seen.add(candidate.lower())
    return candidate


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a malformed header the parser gives up on
        value = message.get_all(name, failobj=[""])[0] if name in message else ""
    return " ".join(str(value or "").split())


def _iso_date(value: str) -> str:
    try:
        return parsedate_to_datetime(value).isoformat() if value else ""
    except (TypeError, ValueError, IndexError):
        return ""


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):  # an unknown or lying charset
        content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        return html_text(content)[0]
    return unwrap(content.replace("\r\n", "\n")).strip()
