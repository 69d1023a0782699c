"""Free-text pools for the demo data, with planted personal data.

Texts are drawn from small pools rather than written per event: at ten million
events a per-event f-string would dominate the run time, and a pool lets every
planted PII value be recorded exactly once in the truths file.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

# Kinds of personal data the staging layer must redact (CONTRACT section 4).
PII_KINDS: tuple[str, ...] = ("email", "phone", "card", "iban", "ip", "national_id")

# Look-alikes that are NOT personal data: a redactor that eats them is too greedy.
NON_PII_LOOKALIKES: tuple[str, ...] = (
    "ORD-2026-004512",
    "ORD-2025-118734",
    "2026-03-14",
    "14/03/2026",
    "v2.14.3",
    "release 3.12.1",
    "$1,299.00",
    "EUR 49.90",
    "ticket #48213",
    "SKU 7741-22-A",
)

# Text that tends to break naive loaders and JSON/SQL handling.
TRICKY_TEXTS: tuple[str, ...] = (
    "It said \"can't connect\" - why?",
    "Überweisung für Café Zoë ✓ — 日本語のテキスト",
    "'; DROP TABLE users; --",
    "SELECT * FROM orders WHERE id = 1 OR 1=1",
    "Path is C:\\Users\\ops\\report.csv",
    "Line one\nLine two\ttabbed",
    "emoji test 🚀🔥 and a backtick `x`",
    "{\"nested\": \"json-looking\", \"n\": 1}",
)

_PROMPTS: dict[str, tuple[str, ...]] = {
    "support_automation": (
        "My invoice looks wrong, can you check it?",
        "How do I reset my password?",
        "The export to CSV fails with a timeout.",
        "Where is my order ORD-2026-004512?",
        "Can I change the billing plan mid-cycle?",
        "The app crashes when I open settings (release 3.12.1).",
    ),
    "sales_assistant": (
        "Draft a follow-up email for the Acme renewal.",
        "Summarize the last three calls with this account.",
        "Which discount can I offer for a 3-year deal?",
        "Prepare talking points for the pricing call at $1,299.00 per seat.",
    ),
    "content_generation": (
        "Write a product announcement for v2.14.3.",
        "Rewrite this paragraph in a friendlier tone.",
        "Generate five subject lines for the spring campaign.",
        "Translate the release notes into German.",
    ),
    "call_analysis": (
        "Summarize this call transcript and list action items.",
        "What objections came up in the call on 2026-03-14?",
        "Score the call against our discovery checklist.",
    ),
    "marketing_attribution": (
        "Which channel drove most signups last week?",
        "Compare paid search and email for the Q1 campaign.",
        "Explain the drop in conversions after 14/03/2026.",
    ),
}

_RESPONSES: tuple[str, ...] = (
    "I checked the account and the invoice matches the contract terms.",
    "Here are the steps: open Settings, choose Security, then Reset password.",
    "Summary: the customer wants a 12-month extension; next step is a pricing call.",
    "Draft ready. Subject: Your renewal, made simple.",
    "The top channel was paid search with 41% of signups.",
    "Action items: send the proposal, book a demo, confirm SKU 7741-22-A stock.",
    "I could not find that order; please confirm the number ORD-2025-118734.",
    "The export fails because the report exceeds the 50 MB limit.",
)

_FEEDBACK: tuple[str, ...] = (
    "Great, that solved it.",
    "Not what I asked for.",
    "Too long, but correct.",
    "Wrong order number.",
    "Helpful, thanks!",
    "The answer ignored my ticket #48213.",
)

# Templates per PII kind; {v} is replaced by the planted value.
_PII_TEMPLATES: dict[str, tuple[str, ...]] = {
    "email": (
        "Please send the invoice to {v} instead.",
        "My login is {v} and it keeps failing.",
    ),
    "phone": (
        "Call me back at {v} about ORD-2026-004512.",
        "You can reach the customer on {v} after 3pm.",
    ),
    "card": (
        "Charge the renewal to card {v} please.",
        "The payment with {v} was declined twice.",
    ),
    "iban": (
        "Refund to my account IBAN {v}, thanks.",
        "Wire the $1,299.00 to {v}.",
    ),
    "ip": (
        "Login attempts came from {v} since v2.14.3.",
        "Whitelist the address {v} for the API.",
    ),
    "national_id": (
        "My SSN is {v}, please verify my identity.",
        "Tax form needs the id {v}.",
    ),
}


@dataclass
class TextPool:
    """JSON-escaped texts plus which of them carry which PII values."""

    texts: list[str] = field(default_factory=list)  # raw (unescaped) text
    pii_values: list[list[tuple[str, str]]] = field(default_factory=list)  # per text: (kind, value)

    def add(self, text: str, pii: list[tuple[str, str]] | None = None) -> int:
        self.texts.append(text)
        self.pii_values.append(pii or [])
        return len(self.texts) - 1

    @property
    def pii_indices(self) -> list[int]:
        return [i for i, values in enumerate(self.pii_values) if values]

    @property
    def clean_indices(self) -> list[int]:
        return [i for i, values in enumerate(self.pii_values) if not values]

    def json_fragments(self, key: str) -> list[str]:
        # ensure_ascii=False keeps planted values byte-identical inside the raw JSON.
        return [f'"{key}":' + json.dumps(text, ensure_ascii=False) for text in self.texts]


def luhn_check_digit(payload: str) -> str:
    """Check digit that makes payload + digit pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # these positions get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 mod-97 check digits for a country code and BBAN."""
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _card(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + _digits(rng, length - len(prefix) - 1)
    return body + luhn_check_digit(body)


def _iban(rng: random.Random, country: str) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if country == "DE":
        bban = _digits(rng, 18)
    elif country == "GB":
        bban = "".join(rng.choice(letters) for _ in range(4)) + _digits(rng, 14)
    elif country == "FR":
        bban = _digits(rng, 23)
    elif country == "NL":
        bban = "".join(rng.choice(letters) for _ in range(4)) + _digits(rng, 10)
    else:  # ES
        bban = _digits(rng, 20)
    return country + iban_check_digits(country, bban) + bban


def _group4(s: str, sep: str) -> str:
    return sep.join(s[i : i + 4] for i in range(0, len(s), 4))


def pii_values(rng: random.Random) -> list[tuple[str, str]]:
    """The planted personal data, several formats per kind, randomised by seed."""

    def d(n: int) -> str:
        return _digits(rng, n)

    values: list[tuple[str, str]] = [
        ("email", f"jane.doe{d(3)}@example.com"),
        ("email", f"j.smith+billing{d(2)}@corp-mail.co.uk"),
        ("email", f"OPS.TEAM{d(2)}@EXAMPLE.ORG"),
        ("email", f"marie_curie{d(2)}@universite.fr"),
        ("phone", f"+1 415 555 {d(4)}"),
        ("phone", f"(415) 555-{d(4)}"),
        ("phone", f"+44 20 7946 {d(4)}"),
        ("phone", f"+49 30 {d(8)}"),
        ("phone", f"06 {d(2)} {d(2)} {d(2)} {d(2)}"),
        ("phone", f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}"),
        ("phone", f"212-555-{d(4)}"),
    ]
    visa = _card(rng, "4", 16)
    master = _card(rng, "5" + rng.choice("12345"), 16)
    amex = _card(rng, "3" + rng.choice("47"), 15)
    visa2 = _card(rng, "4", 16)
    values += [
        ("card", _group4(visa, " ")),
        ("card", _group4(master, "-")),
        ("card", amex),
        ("card", visa2),
    ]
    de, gb, fr, nl, es = (_iban(rng, c) for c in ("DE", "GB", "FR", "NL", "ES"))
    values += [
        ("iban", _group4(de, " ")),
        ("iban", gb),
        ("iban", _group4(fr, " ")),
        ("iban", nl),
        ("iban", es),
    ]
    values += [
        ("ip", f"203.0.113.{rng.randint(1, 254)}"),
        ("ip", f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"),
        ("ip", f"2001:db8:85a3::8a2e:{rng.randint(256, 4095):x}:7334"),
        ("ip", f"fe80::1ff:fe23:{rng.randint(4096, 65535):x}:890a"),
    ]
    for _ in range(3):
        area = rng.choice([n for n in range(101, 899) if n != 666])
        values.append(("national_id", f"{area:03d}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"))
    return values


def build_pools(seed: int) -> tuple[dict[str, TextPool], TextPool, TextPool]:
    """Prompt pools per workflow, one response pool and one feedback pool.

    Each PII value is placed in exactly one text of one pool, so a value's
    presence in the raw data can be traced to the events that carry it.
    """
    rng = random.Random(seed * 7919 + 17)
    prompts = {wf: TextPool() for wf in _PROMPTS}
    responses = TextPool()
    feedback = TextPool()
    for wf, texts in _PROMPTS.items():
        for text in texts:
            prompts[wf].add(text)
        for text in TRICKY_TEXTS[:4]:
            prompts[wf].add(text)
    for text in _RESPONSES + TRICKY_TEXTS[4:]:
        responses.add(text)
    for text in _FEEDBACK + TRICKY_TEXTS[:2]:
        feedback.add(text)

    workflows = list(_PROMPTS)
    for i, (kind, value) in enumerate(pii_values(rng)):
        text = rng.choice(_PII_TEMPLATES[kind]).format(v=value)
        target = i % 4  # spread values over prompts (half), responses and feedback
        if target in (0, 1):
            prompts[workflows[i % len(workflows)]].add(text, [(kind, value)])
        elif target == 2:
            responses.add(f"Noted: {text}", [(kind, value)])
        else:
            feedback.add(text, [(kind, value)])
    return prompts, responses, feedback
