"""Measured quality of the `redact_pii` macro (macros/redact_pii.sql).

Three parts:

* a deterministic generator of the labelled corpus ``tests_py/pii_corpus.csv``
  (columns ``id, category, text, expected``; ``expected`` is ``text`` with every
  piece of personal data replaced by its placeholder). Positives are generated
  with check digits computed here (Luhn for cards, ISO 7064 mod 97-10 for IBANs,
  mod 23 for Spanish DNI/NIE), half of the cards and some IBANs deliberately
  invalid; look-alikes and mixed snippets are hand-written below.
* a runner: the macro is rendered by dbt itself (``dbt compile --inline`` in a
  scratch dbt project that holds only macros/redact_pii.sql, so a half-finished
  model elsewhere in the project cannot break the evaluation), then the SQL runs
  over the corpus loaded into a temporary table on DuckDB (in memory, the same
  duckdb library dbt-duckdb uses) or Postgres (a session temp table).
* the scoring: per placeholder type, recall = instances replaced by the right
  placeholder / instances; false-positive rate = negative snippets (no personal
  data) altered / negative snippets.

Command line::

    python tests_py/pii_eval.py --target duckdb --target postgres
    python tests_py/pii_eval.py --write-corpus      # regenerate the CSV
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import string
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

PROJECT_DIR: Final = Path(__file__).resolve().parents[1]
MACRO_FILE: Final = PROJECT_DIR / "macros" / "redact_pii.sql"
CORPUS_PATH: Final = PROJECT_DIR / "tests_py" / "pii_corpus.csv"
CORPUS_COLUMNS: Final = ("id", "category", "text", "expected")
SEED: Final = 20260314

PII_TYPES: Final = ("EMAIL", "PHONE", "CARD", "IBAN", "IP", "NATIONAL_ID")
PLACEHOLDER_RE: Final = re.compile(r"\[(" + "|".join(PII_TYPES) + r")\]")
TARGETS: Final = ("duckdb", "postgres")


@dataclass(frozen=True)
class Snippet:
    """One corpus row."""

    id: str
    category: str
    text: str
    expected: str

    @property
    def is_negative(self) -> bool:
        return PLACEHOLDER_RE.search(self.expected) is None


# ---------------------------------------------------------------------------------------------
# Check digits
# ---------------------------------------------------------------------------------------------

def luhn_check_digit(payload: str) -> str:
    """The Luhn digit that makes ``payload + digit`` valid."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:  # doubled: these become the odd positions once the digit is added
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_luhn_valid(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return len(digits) > 1 and luhn_check_digit(digits[:-1]) == digits[-1]


def _iban_to_int(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits: 98 - (BBAN + country + '00' as a number) mod 97."""
    return f"{98 - _iban_to_int(bban + country + '00') % 97:02d}"


def is_iban_valid(iban: str) -> bool:
    compact = iban.replace(" ", "")
    return _iban_to_int(compact[4:] + compact[:4]) % 97 == 1


DNI_LETTERS: Final = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_letter(number: int) -> str:
    """Spanish DNI/NIE control letter (number mod 23)."""
    return DNI_LETTERS[number % 23]


# ---------------------------------------------------------------------------------------------
# Generators of positives (deterministic for a given random.Random)
# ---------------------------------------------------------------------------------------------

FIRST_NAMES: Final = ("anna", "james", "li", "sofia", "omar", "marie", "lukas", "priya", "diego", "chloe",
                      "noah", "yuki", "fatima", "jan", "olivia")
LAST_NAMES: Final = ("smith", "garcia", "muller", "dupont", "kowalski", "nguyen", "rossi", "okafor",
                     "johansson", "tanaka", "brown", "schmidt", "silva", "martin", "oconnor")
EMAIL_DOMAINS: Final = ("example.com", "mail.example.co.uk", "eu.sales.example.org", "EXAMPLE.NET",
                        "example.de", "support-desk.example.io", "students.uni-example.edu", "example.fr")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def gen_email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    domain = rng.choice(EMAIL_DOMAINS)
    style = rng.randrange(7)
    if style == 0:
        local = f"{first}.{last}"
    elif style == 1:
        local = f"{first}{last}{rng.randint(1, 99)}"
    elif style == 2:
        local = f"{first[0]}.{last}+{rng.choice(('news', 'billing', 'ai-ops', 'test_1'))}"
    elif style == 3:
        local = f"{first}.{last}".upper()
        domain = domain.upper()
    elif style == 4:
        local = f"{first}_{last}"
    elif style == 5:
        local = f"{last}-{first}.{rng.randint(1990, 2005)}"
    else:
        local = f"{first[0]}{last}%{rng.randint(1, 9)}"
    return f"{local}@{domain}"


def _phone_formats() -> list[Callable[[random.Random], str]]:
    def us_area(rng: random.Random) -> str:
        return rng.choice(("415", "212", "646", "312", "206", "617", "303"))

    def us_line(rng: random.Random) -> str:
        return f"01{_digits(rng, 2)}"

    return [
        lambda r: f"+1 {us_area(r)} 555 {us_line(r)}",
        lambda r: f"+1-{us_area(r)}-555-{us_line(r)}",
        lambda r: f"+1 ({us_area(r)}) 555-{us_line(r)}",
        lambda r: f"({us_area(r)}) 555-{us_line(r)}",
        lambda r: f"{us_area(r)}-555-{us_line(r)}",
        lambda r: f"{us_area(r)}.555.{us_line(r)}",
        lambda r: f"{us_area(r)} 555 {us_line(r)}",
        lambda r: f"1-800-555-{us_line(r)}",
        lambda r: f"+44 20 7946 0{_digits(r, 3)}",
        lambda r: f"020 7946 0{_digits(r, 3)}",
        lambda r: f"+44 (0)20 7946 0{_digits(r, 3)}",
        lambda r: f"+44 7700 900{_digits(r, 3)}",
        lambda r: f"07700 900{_digits(r, 3)}",
        lambda r: f"0161 496 0{_digits(r, 3)}",
        lambda r: f"+49 30 {_digits(r, 8)}",
        lambda r: f"030 {_digits(r, 8)}",
        lambda r: f"(030) {_digits(r, 7)}",
        lambda r: f"+49 151 {_digits(r, 8)}",
        lambda r: f"+49151{_digits(r, 8)}",
        lambda r: f"0049 89 {_digits(r, 7)}",
        lambda r: f"0171 {_digits(r, 7)}",
        lambda r: f"+33 6 {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)}",
        lambda r: f"+33 1 {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)}",
        lambda r: f"06 {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)}",
        lambda r: f"07.{_digits(r, 2)}.{_digits(r, 2)}.{_digits(r, 2)}.{_digits(r, 2)}",
        lambda r: f"01-{_digits(r, 2)}-{_digits(r, 2)}-{_digits(r, 2)}-{_digits(r, 2)}",
        lambda r: f"+34 6{_digits(r, 2)} {_digits(r, 3)} {_digits(r, 3)}",
        lambda r: f"+31 20 {_digits(r, 3)} {_digits(r, 4)}",
        lambda r: f"+61 2 {_digits(r, 4)} {_digits(r, 4)}",
        lambda r: f"+91 98{_digits(r, 3)} {_digits(r, 5)}",
        lambda r: f"+86 138 {_digits(r, 4)} {_digits(r, 4)}",
    ]


PHONE_FORMATS: Final = _phone_formats()

# (brand, prefix, length)
CARD_BRANDS: Final = (
    ("visa", "4", 16), ("visa13", "4", 13), ("mastercard", "53", 16), ("mastercard", "55", 16),
    ("mastercard2", "22", 16),
    ("amex", "37", 15), ("amex", "34", 15), ("discover", "6011", 16), ("diners", "36", 14),
    ("jcb", "35", 16), ("unionpay19", "62", 19),
)


def _group(number: str, sizes: Sequence[int], sep: str) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(number[start:start + size])
        start += size
    if start < len(number):
        parts.append(number[start:])
    return sep.join(part for part in parts if part)


def gen_card(rng: random.Random, valid: bool) -> str:
    _, prefix, length = rng.choice(CARD_BRANDS)
    payload = prefix + _digits(rng, length - len(prefix) - 1)
    check = luhn_check_digit(payload)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    number = payload + check
    style = rng.randrange(3) if length != 13 else 0
    if style == 0:
        return number
    sep = " " if style == 1 else "-"
    if length == 15:
        return _group(number, (4, 6, 5), sep)
    if length == 14:
        return _group(number, (4, 6, 4), sep)
    return _group(number, (4, 4, 4, 4), sep)


# (country, BBAN pattern: n = digit, a = upper-case letter, c = letter or digit)
IBAN_SPECS: Final = (
    ("DE", "n" * 18), ("GB", "aaaa" + "n" * 14), ("FR", "n" * 10 + "c" * 11 + "nn"), ("ES", "n" * 20),
    ("NL", "aaaa" + "n" * 10), ("IT", "a" + "n" * 10 + "c" * 12), ("BE", "n" * 12), ("NO", "n" * 11),
    ("CH", "n" * 5 + "c" * 12), ("PL", "n" * 24), ("AT", "n" * 16), ("PT", "n" * 21),
    ("IE", "aaaa" + "n" * 14), ("MT", "aaaa" + "n" * 5 + "c" * 18),
)


def _bban(rng: random.Random, spec: str) -> str:
    pools = {"n": string.digits, "a": string.ascii_uppercase, "c": string.ascii_uppercase + string.digits}
    return "".join(rng.choice(pools[kind]) for kind in spec)


def gen_iban(rng: random.Random, valid: bool) -> str:
    country, spec = rng.choice(IBAN_SPECS)
    bban = _bban(rng, spec)
    check = iban_check_digits(country, bban)
    if not valid:
        check = f"{(int(check) + rng.randint(1, 90) - 2) % 95 + 2:02d}"
    iban = country + check + bban
    if rng.random() < 0.5:
        return iban
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def gen_ipv4(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if kind == 1:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if kind == 2:
        return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if kind == 3:
        return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
    return ".".join(str(rng.randint(1, 255) if i == 0 else rng.randint(0, 255)) for i in range(4))


def _hex_group(rng: random.Random, upper: bool = False) -> str:
    group = f"{rng.randint(0, 0xFFFF):x}"
    if rng.random() < 0.3:
        group = group.zfill(4)
    return group.upper() if upper else group


def gen_ipv6_full(rng: random.Random) -> str:
    upper = rng.random() < 0.3
    return ":".join(_hex_group(rng, upper) for _ in range(8))


def gen_ipv6_compressed(rng: random.Random) -> str:
    def g() -> str:
        return _hex_group(rng)

    kind = rng.randrange(6)
    if kind == 0:
        return f"2001:db8::{g()}"
    if kind == 1:
        return f"2001:db8:{g()}::{g()}:{g()}"
    if kind == 2:
        return f"fe80::{g()}:{g()}:{g()}:{g()}"
    if kind == 3:
        return f"2001:DB8:{g().upper()}:{g().upper()}::"
    if kind == 4:
        return f"2a02:{g()}:{g()}:{g()}::{g()}"
    return f"fd00::{g()}:{g()}"


def gen_ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


NINO_FIRST: Final = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND: Final = "ABCEGHJKLMNPRSTWXYZ"
NINO_BANNED: Final = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def gen_nino(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(NINO_FIRST) + rng.choice(NINO_SECOND)
        if prefix not in NINO_BANNED:
            break
    digits = _digits(rng, 6)
    suffix = rng.choice("ABCD")
    if rng.random() < 0.4:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def gen_dni(rng: random.Random) -> str:
    if rng.random() < 0.3:
        lead = rng.randrange(3)
        body = rng.randint(0, 9_999_999)
        return f"{'XYZ'[lead]}{body:07d}{dni_letter(lead * 10_000_000 + body)}"
    number = rng.randint(1_000_000, 99_999_999)
    sep = "-" if rng.random() < 0.3 else ""
    return f"{number:08d}{sep}{dni_letter(number)}"


# Sentences a single piece of personal data is dropped into: several languages, unicode,
# quotes and brackets around the value, look-alikes (dates, order numbers, prices) beside it.
CONTEXTS: Final = (
    "Please contact me at {}.",
    "My details: {} - thanks!",
    "Hi team, the customer wrote \"{}\" in the form.",
    "Reference '{}' was rejected by the gateway",
    "Merci de m'écrire à «{}» avant vendredi.",
    "Bitte überweisen Sie an {} bis zum 14.03.2026.",
    "Contacto: {} (horario 9:00–17:00)",
    "联系方式：{}，谢谢",
    "Клиент указал {} в заявке",
    "😊 {} 😊",
    "Order ORD-2026-004512: customer gave {} on 2026-03-14",
    "Ticket TCK-88812 -> {} (priority high)",
    "{}",
    "Value: <{}>",
    "[{}]",
    "The user pasted: {}; total was $1,299.00 incl. 20% VAT",
    "“{}” — as requested by José Müller",
    "Note for v2.3.1 rollout: {} should be whitelisted",
    "{} is what she said at 14:30.",
    "Kundin (Zürich) nannte {}, Rechnung #448213",
)

MULTI_TEMPLATES: Final = (
    "Details: {}; also {}.",
    "First {}, then {} please",
    "Seen {} and {} at 09:41 on 2026-03-14",
    "{} / {} / {}",
    "{}, {} and {}",
    "Customer ({}) asked to replace {} by {}",
)

GENERATORS: Final[dict[str, tuple[str, Callable[[random.Random], str]]]] = {
    "email": ("EMAIL", gen_email),
    "phone": ("PHONE", lambda r: r.choice(PHONE_FORMATS)(r)),
    "card_luhn_valid": ("CARD", lambda r: gen_card(r, valid=True)),
    "card_luhn_invalid": ("CARD", lambda r: gen_card(r, valid=False)),
    "iban_valid": ("IBAN", lambda r: gen_iban(r, valid=True)),
    "iban_invalid": ("IBAN", lambda r: gen_iban(r, valid=False)),
    "ipv4": ("IP", gen_ipv4),
    "ipv6_full": ("IP", gen_ipv6_full),
    "ipv6_compressed": ("IP", gen_ipv6_compressed),
    "ssn": ("NATIONAL_ID", gen_ssn),
    "nino": ("NATIONAL_ID", gen_nino),
    "es_dni": ("NATIONAL_ID", gen_dni),
}

GENERATED_COUNTS: Final = {
    "email": 40, "phone": 62, "card_luhn_valid": 24, "card_luhn_invalid": 20, "iban_valid": 24,
    "iban_invalid": 16, "ipv4": 22, "ipv6_full": 8, "ipv6_compressed": 12, "ssn": 10, "nino": 10,
    "es_dni": 10,
}
MULTI_COUNT: Final = 18


# ---------------------------------------------------------------------------------------------
# Hand-written snippets: (category, text, expected). Expected outputs written by hand.
# ---------------------------------------------------------------------------------------------

HANDWRITTEN_POSITIVES: Final[tuple[tuple[str, str, str], ...]] = (
    ("hw_email", "Write to john.doe+billing@mail.example.co.uk today",
     "Write to [EMAIL] today"),
    ("hw_email", "CC: JANE.ROE@EXAMPLE.COM, ops-team@eu.example.org.",
     "CC: [EMAIL], [EMAIL]."),
    ("hw_email", "mailto:li.wei@example.cn?subject=refund", "mailto:[EMAIL]?subject=refund"),
    ("hw_email", "Envoyez à «marie.dupont@exemple.fr» svp", "Envoyez à «[EMAIL]» svp"),
    ("hw_phone", "Call me on +1 415 555 0132 tomorrow", "Call me on [PHONE] tomorrow"),
    ("hw_phone", "Office: (415) 555-0132, mobile 415-555-0199", "Office: [PHONE], mobile [PHONE]"),
    ("hw_phone", "London desk +44 20 7946 0958 or 020 7946 0958", "London desk [PHONE] or [PHONE]"),
    ("hw_phone", "Berlin: +49 30 12345678", "Berlin: [PHONE]"),
    ("hw_phone", "Portable : +33 6 12 34 56 78 ou 06 12 34 56 78", "Portable : [PHONE] ou [PHONE]"),
    ("hw_phone", "Fax 030/1234567 (Zentrale)", "Fax [PHONE] (Zentrale)"),
    ("hw_phone", "Toll free 1-800-555-0199.", "Toll free [PHONE]."),
    ("hw_card", "Card 4111 1111 1111 1111 exp 12/28", "Card [CARD] exp 12/28"),
    ("hw_card", "charged 5500-0000-0000-0004 twice", "charged [CARD] twice"),
    ("hw_card", "amex 3782 822463 10005 declined", "amex [CARD] declined"),
    ("hw_card", "number 4111111111111112 (typo, Luhn fails) still hidden",
     "number [CARD] (typo, Luhn fails) still hidden"),
    ("hw_iban", "IBAN: DE89 3704 0044 0532 0130 00", "IBAN: [IBAN]"),
    ("hw_iban", "pay GB82WEST12345698765432 by Friday", "pay [IBAN] by Friday"),
    ("hw_iban", "wrong check digits: GB00WEST12345698765432", "wrong check digits: [IBAN]"),
    ("hw_ip", "request from 203.0.113.42 blocked", "request from [IP] blocked"),
    ("hw_ip", "ipv6 2001:db8:85a3::8a2e:370:7334 and ::1 loopback",
     "ipv6 [IP] and ::1 loopback"),
    ("hw_ip", "peer fe80::1ff:fe23:4567:890a%eth0", "peer [IP]%eth0"),
    ("hw_ip", "full 2001:0DB8:0000:0000:0000:FF00:0042:8329.", "full [IP]."),
    ("hw_national_id", "SSN 123-45-6789 on file", "SSN [NATIONAL_ID] on file"),
    ("hw_national_id", "NI number AB123456C / QQ 12 34 56 A", "NI number [NATIONAL_ID] / QQ 12 34 56 A"),
    ("hw_national_id", "DNI 12345678Z, NIE X1234567L", "DNI [NATIONAL_ID], NIE [NATIONAL_ID]"),
    ("hw_multi", "I'm anna@example.com, +44 7700 900123, card 4242 4242 4242 4242.",
     "I'm [EMAIL], [PHONE], card [CARD]."),
    ("hw_multi", "Order ORD-2026-004512 (2026-03-14): refund 49.99 EUR to NL91ABNA0417164300, "
                 "contact 06.12.34.56.78",
     "Order ORD-2026-004512 (2026-03-14): refund 49.99 EUR to [IBAN], contact [PHONE]"),
    ("hw_multi", "Login 10.0.0.7 -> 2001:db8::7, user ssn 078-05-1120, v2.3.1",
     "Login [IP] -> [IP], user ssn [NATIONAL_ID], v2.3.1"),
    ("hw_multi", "Hi,\nmy email is bob@example.com\nand my phone (415) 555-0100.\nBob",
     "Hi,\nmy email is [EMAIL]\nand my phone [PHONE].\nBob"),
    ("hw_multi", "«tel:+33 1 23 45 67 89» – «mail:chloé.martin@example.fr»? no: chloe.martin@example.fr",
     "«tel:[PHONE]» – «mail:[EMAIL]»? no: [EMAIL]"),
    ("hw_email", "Anna Smith <anna.smith@example.com> wrote", "Anna Smith <[EMAIL]> wrote"),
    ("hw_email", "Grüße, jürgen.müller@example.de", "Grüße, [EMAIL]"),
    ("hw_phone", "Tel.: 0171 2345678, phone:+4930123456", "Tel.: [PHONE], phone:[PHONE]"),
    ("hw_phone", "Call +1 (415) 555-0132 ext. 12 after 9:00", "Call [PHONE] after 9:00"),
    ("hw_phone", "UK mobile 07700 900461 (not 07700-900)", "UK mobile [PHONE] (not 07700-900)"),
    ("hw_card", "Diners 3056 930902 5904, Amex 3782-822463-10005", "Diners [CARD], Amex [CARD]"),
    ("hw_card", "cards 4111-1111-1111-1111,5555555555554444; ok", "cards [CARD],[CARD]; ok"),
    ("hw_iban", "IBAN FR76 3000 6000 0112 3456 7890 189 (Société Générale)",
     "IBAN [IBAN] (Société Générale)"),
    ("hw_iban", "Cuenta ES9121000418450200051332 / BE68 5390 0754 7034", "Cuenta [IBAN] / [IBAN]"),
    ("hw_ip", "Server 192.168.0.1:8080 is down", "Server [IP]:8080 is down"),
    ("hw_ip", "mapped ::ffff:192.0.2.128 and 2001:db8::192.0.2.33", "mapped [IP] and [IP]"),
    ("hw_iban", "typed in lower case: de89 3704 0044 0532 0130 00", "typed in lower case: [IBAN]"),
    ("hw_ip", "Connect to [2001:db8::1]:443 now", "Connect to [[IP]]:443 now"),
    ("hw_ip", "ips 10.0.0.1,10.0.0.2;10.0.0.3 (v4) and 256.1.1.1 (invalid)",
     "ips [IP],[IP];[IP] (v4) and 256.1.1.1 (invalid)"),
    ("hw_national_id", "NIE Y-1234567-X; NINO JG 10 37 58 D.", "NIE [NATIONAL_ID]; NINO [NATIONAL_ID]."),
)

# Look-alikes and ordinary text: nothing here may change.
HANDWRITTEN_NEGATIVES: Final[tuple[tuple[str, str], ...]] = (
    ("neg_order", "Your order ORD-2026-004512 has shipped."),
    ("neg_order", "Order #448213 is delayed by two days"),
    ("neg_order", "PO-99812-A and PO-99813-B were merged"),
    ("neg_order", "Invoice INV-2026-0042 is overdue"),
    ("neg_order", "Shipment 2026/03/000123 left the warehouse"),
    ("neg_order", "Quote Q-7781-2026 expires soon"),
    ("neg_order", "See case CASE-00123456 for details"),
    ("neg_order", "Tracking 1Z999AA10123456784 (UPS)"),
    ("neg_date", "Meeting on 2026-03-14 at HQ"),
    ("neg_date", "Born 14/03/2026? No, that is the delivery date."),
    ("neg_date", "Due 03/14/2026 per the contract"),
    ("neg_date", "Termin am 04.03.2026 10:00 bestätigt"),
    ("neg_date", "Le 14.03.2026 à 09h30"),
    ("neg_date", "Created 2026-03-14T09:30:00Z, updated 2026-03-14 10:15:00+01:00"),
    ("neg_date", "Between 2019-2026 we grew"),
    ("neg_date", "March 14, 2026 and 14 Mar 2026 are the same day"),
    ("neg_time", "The call is at 09:30, not 14:30:00"),
    ("neg_time", "Window 10:00–11:30 CET"),
    ("neg_time", "Latency was 00:00:01.250 at peak"),
    ("neg_version", "Upgraded to v2.3.1 yesterday"),
    ("neg_version", "Library 1.0.12 fixes the bug"),
    ("neg_version", "Release 2.14.0-rc.1 is out"),
    ("neg_version", "Python 3.12.4 and node v20.11.1"),
    ("neg_version", "model gpt-4o-2024-08-06 and prompt v12"),
    ("neg_version", "Windows build 10.0.19045.2006 crashed"),
    ("neg_price", "It costs $1,299.00 plus tax"),
    ("neg_price", "Total: 49.99 EUR"),
    ("neg_price", "Preis 1.299,00 € inkl. MwSt."),
    ("neg_price", "£12.50 per seat, USD 2,500,000 per year"),
    ("neg_price", "We saved 1 299,00 € this quarter"),
    ("neg_price", "Budget of 1,000,000 and 2,147,483,647 max int"),
    ("neg_percent", "Conversion rose 12.5% (+15% YoY)"),
    ("neg_percent", "99.9 % uptime, -3.4% churn"),
    ("neg_ticket", "Escalated as TCK-88812"),
    ("neg_ticket", "Linked JIRA-4521 and INC0012345"),
    ("neg_ticket", "Bug #1234 duplicates #1235"),
    ("neg_short_number", "Room 101, floor 3, 42 people"),
    ("neg_short_number", "Use extension 4521 for the help desk"),
    ("neg_short_number", "Code 123456 sent by SMS"),
    ("neg_short_number", "Rated 4 out of 5, 17 votes"),
    ("neg_year", "In 2026 we launch; FY2025 closed"),
    ("neg_year", "Years 1999, 2000 and 2026"),
    ("neg_identifier", "Request id 550e8400-e29b-41d4-a716-446655440000"),
    ("neg_identifier", "Commit 3f2a9c1 on main"),
    ("neg_identifier", "MAC 00:1A:2B:3C:4D:5E on the switch"),
    ("neg_identifier", "Postcode SW1A 1AA and ZIP 94105"),
    ("neg_identifier", "Unix time 1773446400"),
    ("neg_identifier", "ISBN 978-3-16-148410-0"),
    ("neg_identifier", "Use std::vector<int> in C++17"),
    ("neg_identifier", "SKU ABC-12345-XL, lot 2026-0314"),
    ("neg_number", "Pi is 3.14159 and e is 2.71828"),
    ("neg_number", "Score 6-4 6-3 7-5"),
    ("neg_number", "Coordinates 48.8566, 2.3522"),
    ("neg_number", "Ratio 1/2 and 3/4"),
    ("neg_number", "Between 10 and 20 items, step 0.5"),
    ("neg_number", "Temperature -12.5 to +38.2 C"),
    ("neg_text", "The customer was happy with the answer."),
    ("neg_text", "Please escalate to a human agent."),
    ("neg_text", "Can you summarise this call for me?"),
    ("neg_text", "No personal data here, just a question about pricing."),
    ("neg_text", "Email me later (no address given) or call the office"),
    ("neg_text", "Write to support at example dot com"),
    ("neg_text", "The @support handle on social media"),
    ("neg_text", "user@localhost is not a real address"),
    ("neg_unicode", "Merci beaucoup, c'était très utile !"),
    ("neg_unicode", "Vielen Dank für die schnelle Antwort, Grüße aus Köln"),
    ("neg_unicode", "谢谢你的帮助，订单号 448213"),
    ("neg_unicode", "Спасибо, заказ №448213 получен"),
    ("neg_unicode", "شكرا جزيلا"),
    ("neg_unicode", "👍 Great job 🎉 v2.3.1 works"),
    ("neg_unicode", "¿Dónde está mi pedido ORD-2026-004512?"),
    ("neg_unicode", "Ça coûte 49,99 € — d'accord ?"),
    ("neg_quote", "He said \"see you at 10:30\" and left"),
    ("neg_quote", "'v1.0.12' vs \"1.0.13\""),
    ("neg_quote", "«Commande 2026-03-14-0042»"),
    ("neg_mixed", "Order #448213 of 2026-03-14 at 14:30 cost $49.99 (v2.3.1, TCK-88812)"),
    ("neg_mixed", "Batch 2026-03 processed 12,345 rows in 3.2 s"),
    ("neg_mixed", "Q1 2026: revenue +12.5% to $1.2M, NPS 45"),
    ("neg_mixed", "Step 3 of 5: 60% done, ETA 00:05:00"),
    ("neg_mixed", "Tokens: 1234 in / 567 out, latency 842 ms, cost $0.0042"),
    ("neg_mixed", "Deploy 2026.03.14 build 4512"),
    ("neg_mixed", "Room B-12, 2nd floor, desk 12-34-56"),
    ("neg_mixed", "Flight LH 456 at 10:45, seat 12A, gate B23"),
    ("neg_mixed", "Reference 2026-004512-07 in the letter"),
    ("neg_mixed", "Page 12 of 300, chapter 3.2.1"),
    ("neg_mixed", "Amount 12 345 678 units"),
    ("neg_mixed", "Counts: 1, 22, 333, 4444, 55555, 666666"),
    ("neg_mixed", "Size 1920x1080 at 60Hz"),
    ("neg_mixed", "Password reset requested; no details attached."),
)


def generate_corpus(seed: int = SEED) -> list[Snippet]:
    """The whole corpus, deterministic for a seed: generated positives then hand-written rows."""
    rng = random.Random(seed)
    rows: list[Snippet] = []
    for category, count in GENERATED_COUNTS.items():
        placeholder, generator = GENERATORS[category]
        for i in range(1, count + 1):
            value = generator(rng)
            context = rng.choice(CONTEXTS)
            rows.append(Snippet(f"{category}_{i:03d}", category, context.format(value),
                                context.format(f"[{placeholder}]")))
    categories = list(GENERATORS)
    for i in range(1, MULTI_COUNT + 1):
        template = rng.choice(MULTI_TEMPLATES)
        slots = template.count("{}")
        picked = [rng.choice(categories) for _ in range(slots)]
        values = [GENERATORS[c][1](rng) for c in picked]
        placeholders = [f"[{GENERATORS[c][0]}]" for c in picked]
        rows.append(Snippet(f"multi_{i:03d}", "multi", template.format(*values), template.format(*placeholders)))
    for i, (category, text, expected) in enumerate(HANDWRITTEN_POSITIVES, start=1):
        rows.append(Snippet(f"hw_pos_{i:03d}", category, text, expected))
    for i, (category, text) in enumerate(HANDWRITTEN_NEGATIVES, start=1):
        rows.append(Snippet(f"hw_neg_{i:03d}", category, text, text))
    return rows


def write_corpus(rows: Sequence[Snippet], path: Path = CORPUS_PATH) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CORPUS_COLUMNS)
        for row in rows:
            writer.writerow((row.id, row.category, row.text, row.expected))


def read_corpus(path: Path = CORPUS_PATH) -> list[Snippet]:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python tests_py/pii_eval.py --write-corpus`.")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CORPUS_COLUMNS:
            raise ValueError(f"{path}: expected columns {CORPUS_COLUMNS}, got {reader.fieldnames}")
        return [Snippet(r["id"], r["category"], r["text"], r["expected"]) for r in reader]


# ---------------------------------------------------------------------------------------------
# Rendering the macro through dbt and running it
# ---------------------------------------------------------------------------------------------

@contextmanager
def _env(**overrides: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def render_redaction_sql(target: str, column: str = "text", macro: str = "redact_pii") -> str:
    """The SQL expression `{{ <macro>(column) }}` (redact_pii, has_pii) compiles to on a dbt target."""
    return render_macro_sql(target, f"{macro}('{column}')")


def render_macro_sql(target: str, call: str) -> str:
    """The SQL expression `{{ <call> }}` compiles to on a dbt target.

    Compiled by dbt (`compile --inline`) in a scratch project named ai_ops whose only macro file is
    macros/redact_pii.sql, with the project's profiles.yml (or profiles.yml.example).
    """
    from dbt.cli.main import dbtRunner

    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    profiles = PROJECT_DIR / "profiles.yml"
    if not profiles.exists():
        profiles = PROJECT_DIR / "profiles.yml.example"
    with tempfile.TemporaryDirectory(prefix="pii_eval_") as tmp:
        scratch = Path(tmp)
        (scratch / "macros").mkdir()
        shutil.copy(MACRO_FILE, scratch / "macros" / MACRO_FILE.name)
        shutil.copy(profiles, scratch / "profiles.yml")
        (scratch / "dbt_project.yml").write_text(
            'name: ai_ops\nversion: "0.1.0"\nconfig-version: 2\nprofile: ai_ops\nmacro-paths: ["macros"]\n',
            encoding="utf-8",
        )
        marker = "ai_ops_pii_expr"
        with _env(AI_OPS_DUCKDB_PATH=str(scratch / "render.duckdb"), DBT_TARGET_PATH=str(scratch / "target"),
                  DBT_LOG_PATH=str(scratch / "logs"), DBT_SEND_ANONYMOUS_USAGE_STATS="false"):
            result = dbtRunner().invoke([
                "compile", "--inline", f"select {{{{ {call} }}}} as {marker}",
                "--project-dir", str(scratch), "--profiles-dir", str(scratch), "--target", target,
                "--quiet", "--log-level", "none", "--no-partial-parse",
            ])
        results = getattr(result.result, "results", None)
        compiled = getattr(results[0].node, "compiled_code", None) if result.success and results else None
        if not isinstance(compiled, str):
            raise RuntimeError(f"dbt could not compile {call} on target {target!r}: {result.exception}. "
                               "Check that the warehouse is reachable and macros/redact_pii.sql parses.")
    match = re.fullmatch(rf"\s*select\s+(.*)\s+as\s+{marker}\s*", compiled, flags=re.DOTALL)
    if match is None:
        raise RuntimeError(f"unexpected compiled SQL: {compiled[:200]}")
    return match.group(1)


def postgres_dsn() -> dict[str, Any]:
    """Connection settings of the profile's postgres target (same environment variables)."""
    return {
        "host": os.environ.get("AI_OPS_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("AI_OPS_PG_PORT", "5432")),
        "user": os.environ.get("AI_OPS_PG_USER", "postgres"),
        "password": os.environ.get("AI_OPS_PG_PASSWORD", ""),
        "dbname": os.environ.get("AI_OPS_PG_DATABASE", "postgres"),
        "connect_timeout": 10,
    }


def run_redaction(target: str, texts: dict[str, str | None], expression: str | None = None) -> dict[str, str | None]:
    """Redacted text per id, computed by the warehouse with the compiled macro."""
    expression = expression or render_redaction_sql(target)
    rows = list(texts.items())
    query = f"select id, {expression} as redacted from ai_ops_pii_corpus order by id"
    if target == "duckdb":
        import duckdb

        con = duckdb.connect(":memory:")
        try:
            con.execute("create temp table ai_ops_pii_corpus (id text, text text)")
            con.executemany("insert into ai_ops_pii_corpus values (?, ?)", rows)
            result = con.execute(query).fetchall()
        finally:
            con.close()
    elif target == "postgres":
        import psycopg2
        from psycopg2.extras import execute_values

        con = psycopg2.connect(**postgres_dsn())
        try:
            with con.cursor() as cur:
                cur.execute("create temp table ai_ops_pii_corpus (id text, text text)")
                execute_values(cur, "insert into ai_ops_pii_corpus values %s", rows)
                cur.execute(query)
                result = cur.fetchall()
        finally:
            con.rollback()
            con.close()
    else:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    return {row_id: redacted for row_id, redacted in result}


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------

def align_instances(expected: str, output: str) -> list[tuple[str, bool]]:
    """For each placeholder of `expected`, in order: (type, did the output put that placeholder there).

    The literal text between placeholders anchors the alignment; when the output changed that text
    too (a boundary error or an over-redaction), each instance is judged on its neighbourhood of up
    to 6 characters instead.
    """
    parts = PLACEHOLDER_RE.split(expected)
    literals, types = parts[0::2], parts[1::2]
    pattern = "".join(re.escape(lit) + ("(.*?)" if i < len(types) else "") for i, lit in enumerate(literals))
    match = re.fullmatch(pattern, output, flags=re.DOTALL)
    if match is not None:
        return [(kind, match.group(i + 1) == f"[{kind}]") for i, kind in enumerate(types)]
    return [(kind, f"{literals[i][-6:]}[{kind}]{literals[i + 1][:6]}" in output) for i, kind in enumerate(types)]


@dataclass
class TypeScore:
    instances: int = 0
    recalled: int = 0
    negatives_hit: int = 0  # negative snippets whose output holds this placeholder

    def recall(self) -> float | None:
        return self.recalled / self.instances if self.instances else None


@dataclass
class Evaluation:
    target: str
    outputs: dict[str, str | None]
    per_type: dict[str, TypeScore] = field(default_factory=dict)
    negatives: int = 0
    negatives_altered: int = 0
    per_negative_category: dict[str, tuple[int, int]] = field(default_factory=dict)  # category -> (n, altered)
    positives: int = 0
    positives_exact: int = 0
    failures: list[tuple[str, str, str | None]] = field(default_factory=list)  # id, expected, output

    @property
    def instances(self) -> int:
        return sum(score.instances for score in self.per_type.values())

    @property
    def recall(self) -> float:
        return sum(s.recalled for s in self.per_type.values()) / self.instances if self.instances else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.negatives_altered / self.negatives if self.negatives else 0.0

    def table(self) -> str:
        lines = [
            f"redact_pii on {self.target}: {len(self.outputs)} snippets, {self.instances} PII instances, "
            f"{self.negatives} negative snippets",
            f"{'type':<12} {'instances':>9} {'recalled':>8} {'recall':>7} {'neg. hit':>8} {'FP rate':>7}",
        ]
        for kind in PII_TYPES:
            score = self.per_type[kind]
            recall = score.recall()
            recall_text = f"{recall:.3f}" if recall is not None else "n/a"
            fp = score.negatives_hit / self.negatives if self.negatives else 0.0
            lines.append(f"{kind:<12} {score.instances:>9} {score.recalled:>8} {recall_text:>7} "
                         f"{score.negatives_hit:>8} {fp:>7.3f}")
        lines.append(f"{'overall':<12} {self.instances:>9} {sum(s.recalled for s in self.per_type.values()):>8} "
                     f"{self.recall:>7.3f} {self.negatives_altered:>8} {self.false_positive_rate:>7.3f}")
        lines.append(f"positive snippets redacted exactly as expected: {self.positives_exact}/{self.positives}")
        lines.append("negative snippets altered, by look-alike category:")
        for category, (n, altered) in sorted(self.per_negative_category.items()):
            lines.append(f"  {category:<18} {altered}/{n}")
        if self.failures:
            lines.append("snippets that differ from the expected output:")
            for row_id, expected, output in self.failures:
                lines.append(f"  {row_id}: expected {expected!r}\n  {' ' * len(row_id)}  got      {output!r}")
        return "\n".join(lines)


def score(target: str, corpus: Sequence[Snippet], outputs: dict[str, str | None]) -> Evaluation:
    evaluation = Evaluation(target=target, outputs=outputs, per_type={kind: TypeScore() for kind in PII_TYPES})
    for row in corpus:
        output = outputs.get(row.id)
        if output != row.expected:
            evaluation.failures.append((row.id, row.expected, output))
        if row.is_negative:
            evaluation.negatives += 1
            altered = output != row.text
            evaluation.negatives_altered += altered
            n, hit = evaluation.per_negative_category.get(row.category, (0, 0))
            evaluation.per_negative_category[row.category] = (n + 1, hit + altered)
            for kind in PII_TYPES:
                if output is not None and f"[{kind}]" in output:
                    evaluation.per_type[kind].negatives_hit += 1
            continue
        evaluation.positives += 1
        evaluation.positives_exact += output == row.expected
        for kind, ok in align_instances(row.expected, output or ""):
            evaluation.per_type[kind].instances += 1
            evaluation.per_type[kind].recalled += ok
    return evaluation


def evaluate(target: str, corpus: Sequence[Snippet] | None = None) -> Evaluation:
    """Render the macro for `target`, run it over the corpus there and score it."""
    rows = list(corpus) if corpus is not None else read_corpus()
    outputs = run_redaction(target, {row.id: row.text for row in rows})
    return score(target, rows, outputs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure recall and false positives of the redact_pii macro.")
    parser.add_argument("--target", action="append", choices=TARGETS,
                        help="dbt target to evaluate on (repeatable; default: duckdb)")
    parser.add_argument("--write-corpus", action="store_true",
                        help=f"regenerate {CORPUS_PATH.relative_to(PROJECT_DIR)} from the generator and exit")
    parser.add_argument("--min-recall", type=float, default=0.99)
    parser.add_argument("--max-fp-rate", type=float, default=0.01)
    args = parser.parse_args(argv)
    if args.write_corpus:
        rows = generate_corpus()
        write_corpus(rows)
        print(f"wrote {len(rows)} snippets to {CORPUS_PATH}")
        return 0
    corpus = read_corpus()
    if corpus != generate_corpus():
        print(f"warning: {CORPUS_PATH} differs from the generator output (run --write-corpus)", file=sys.stderr)
    ok = True
    results = {}
    for target in args.target or ["duckdb"]:
        evaluation = evaluate(target, corpus)
        results[target] = evaluation
        print(evaluation.table())
        print()
        ok &= evaluation.recall >= args.min_recall and evaluation.false_positive_rate <= args.max_fp_rate
    if len(results) > 1:
        first, *others = results.values()
        for other in others:
            differing = [i for i in first.outputs if first.outputs[i] != other.outputs.get(i)]
            print(f"{first.target} vs {other.target}: {len(differing)} snippets differ {differing[:10]}")
            ok &= not differing
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
