"""A seeded corpus of personal data generated at test time with Faker, a library nobody here wrote.

Every value comes from a Faker provider as it is (no format is chosen to suit the redaction rules):
e-mails (every e-mail method), phones (every phone method and so every format of each locale's
provider, extensions included), payment cards (every card type: 12 to 19 digits, valid Luhn),
IBANs, IPv4/IPv6 (plain and network forms) and national ids. Faker 40 has no generator for the
Australian TFN nor the Japanese My Number: those two are built here from their published
check-digit rules. Faker's pt_BR ``service_phone_number`` (public service numbers such as 190) is
left out: it is not personal data.

Each value is dropped into a sentence of a prompt, a response or a feedback text, written in the
locale's language and naming what the value is, as people do ("call me on ...", "mein IBAN ...",
"CPF: ..."): the redaction uses those words where a format cannot be told from a look-alike
without them (docs/PRIVACY.md). Look-alikes that must survive (versions, parcel tracking numbers,
order numbers, UUIDs, timestamps, prices, amounts) come from Faker's primitives and sit in
sentences of their own.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from faker import Faker

SEED: Final = 20261205
LOCALES: Final = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "nl_NL", "it_IT", "pt_BR", "en_IN", "en_AU", "ja_JP")
PII_TYPES: Final = ("EMAIL", "PHONE", "CARD", "IBAN", "IP", "NATIONAL_ID")
FIELDS: Final = ("prompt", "response", "feedback")
LANGUAGE: Final = {"en_US": "en", "en_GB": "en", "de_DE": "de", "fr_FR": "fr", "es_ES": "es", "nl_NL": "nl",
                   "it_IT": "it", "pt_BR": "pt", "en_IN": "en", "en_AU": "en", "ja_JP": "ja"}


@dataclass(frozen=True)
class Row:
    """One text of the corpus; ``expected`` is ``text`` with the personal data replaced by its placeholder."""

    id: str
    locale: str
    kind: str  # a PII type, or "LOOKALIKE"
    source: str  # the Faker method (or look-alike kind) that made the value
    text: str
    expected: str


# Sentences, per language and field, with one slot for the mention of the value.
FRAMES: Final[dict[str, tuple[str, str, str]]] = {
    "en": ("Hi, can you update my account? {}.", "Done: I saved it ({}).",
           "The bot ignored that {} in my last message"),
    "de": ("Hallo, bitte mein Konto ändern: {}.", "Erledigt, gespeichert ({}).", "Der Bot hat {} einfach ignoriert"),
    "fr": ("Bonjour, pouvez-vous mettre à jour mon compte ? {}.", "C'est fait ({}).", "Le bot a ignoré : {}"),
    "es": ("Hola, ¿puede actualizar mi cuenta? {}.", "Hecho: lo he guardado ({}).", "El bot ignoró esto: {}"),
    "nl": ("Hallo, kunt u mijn account bijwerken? {}.", "Gedaan, opgeslagen ({}).", "De bot negeerde: {}"),
    "it": ("Ciao, potete aggiornare il mio account? {}.", "Fatto, salvato ({}).", "Il bot ha ignorato: {}"),
    "pt": ("Olá, podem atualizar minha conta? {}.", "Pronto, salvei ({}).", "O bot ignorou isto: {}"),
    "ja": ("アカウントを更新してください。{}。", "更新しました（{}）。", "ボットは「{}」を無視しました"),
}

# How a value is mentioned, per language and type: the word people put in front of it.
MENTIONS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "en": {"EMAIL": ("my e-mail is {}", "write to {}"), "PHONE": ("call me on {}", "my phone number is {}", "tel. {}"),
           "CARD": ("my card number is {}", "charge card {}"), "IBAN": ("my IBAN is {}", "pay to {}"),
           "IP": ("my IP is {}", "I connect from IP address {}")},
    "de": {"EMAIL": ("meine E-Mail: {}", "schreiben Sie an {}"), "PHONE": ("Telefon {}", "rufen Sie mich an unter {}"),
           "CARD": ("meine Kreditkarte {}", "Kartennummer {}"), "IBAN": ("meine IBAN lautet {}", "IBAN: {}"),
           "IP": ("meine IP-Adresse ist {}", "IP {}")},
    "fr": {"EMAIL": ("mon e-mail est {}", "écrivez à {}"), "PHONE": ("téléphone : {}", "appelez-moi au {}"),
           "CARD": ("ma carte bancaire {}", "numéro de carte {}"), "IBAN": ("mon IBAN est {}", "IBAN {}"),
           "IP": ("mon adresse IP est {}", "IP : {}")},
    "es": {"EMAIL": ("mi correo es {}", "escriba a {}"), "PHONE": ("mi teléfono es {}", "llámeme al {}"),
           "CARD": ("mi tarjeta es {}", "número de tarjeta {}"), "IBAN": ("mi IBAN es {}", "IBAN: {}"),
           "IP": ("mi dirección IP es {}", "IP {}")},
    "nl": {"EMAIL": ("mijn e-mail is {}", "mail naar {}"), "PHONE": ("mijn telefoonnummer is {}", "bel mij op {}"),
           "CARD": ("mijn creditcard is {}", "kaartnummer {}"), "IBAN": ("mijn IBAN is {}", "IBAN: {}"),
           "IP": ("mijn IP-adres is {}", "IP {}")},
    "it": {"EMAIL": ("la mia e-mail è {}", "scrivete a {}"), "PHONE": ("il mio telefono è {}", "chiamatemi al {}"),
           "CARD": ("la mia carta è {}", "numero di carta {}"), "IBAN": ("il mio IBAN è {}", "IBAN: {}"),
           "IP": ("il mio indirizzo IP è {}", "IP {}")},
    "pt": {"EMAIL": ("meu e-mail é {}", "escreva para {}"), "PHONE": ("meu telefone é {}", "ligue para {}"),
           "CARD": ("meu cartão é {}", "número do cartão {}"), "IBAN": ("meu IBAN é {}", "IBAN: {}"),
           "IP": ("meu endereço IP é {}", "IP {}")},
    "ja": {"EMAIL": ("メールは{}です", "メール：{}"), "PHONE": ("電話番号は{}です", "携帯 {}"),
           "CARD": ("カード番号は{}です", "クレジットカード {}"), "IBAN": ("IBANは{}です", "IBAN：{}"),
           "IP": ("IPアドレスは{}です", "IP：{}")},
}

# National ids: (locale, source name, mentions). The word is the id's own name, as people write it.
ID_MENTIONS: Final[dict[str, tuple[str, ...]]] = {
    "en_US": ("my SSN is {}", "social security number {}"),
    "en_GB": ("my NI number is {}", "National Insurance number: {}"),
    "it_IT": ("il mio codice fiscale è {}", "CF {}"),
    "nl_NL": ("mijn BSN is {}", "burgerservicenummer {}"),
    "pt_BR": ("meu CPF é {}", "CPF: {}"),
    "fr_FR": ("mon numéro de sécurité sociale est {}", "NIR {}"),
    "es_ES": ("mi DNI es {}", "NIE: {}"),
    "en_IN": ("my Aadhaar number is {}", "Aadhaar: {}"),
    "en_AU": ("my TFN is {}", "tax file number {}"),
    "ja_JP": ("マイナンバーは{}です", "個人番号：{}"),
}


def _tfn(rng: random.Random) -> str:
    """Australian tax file number: 9 digits, weights 1 4 3 7 5 8 6 9 10, sum divisible by 11."""
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10)
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        partial = sum(w * d for w, d in zip(weights, digits, strict=False))
        last = next((d for d in range(10) if (partial + 10 * d) % 11 == 0), None)
        if last is not None:
            number = "".join(map(str, [*digits, last]))
            return number if rng.random() < 0.5 else f"{number[:3]} {number[3:6]} {number[6:]}"


def _my_number(rng: random.Random) -> str:
    """Japanese individual number: 11 digits and a check digit (weights n+1 / n-5 from the right, mod 11)."""
    digits = [rng.randint(0, 9) for _ in range(11)]
    total = sum(d * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(digits), start=1))
    remainder = total % 11
    number = "".join(map(str, digits)) + str(0 if remainder <= 1 else 11 - remainder)
    return number if rng.random() < 0.5 else f"{number[:4]} {number[4:8]} {number[8:]}"


Source = tuple[str, Callable[[], str]]


def _national_ids(fake: Faker, locale: str, rng: random.Random) -> list[Source]:
    local = fake[locale]
    methods: dict[str, tuple[tuple[str, str], ...]] = {
        "en_US": (("ssn", "ssn"), ("itin", "itin")),
        "en_GB": (("ssn (NINO)", "ssn"),),
        "it_IT": (("ssn (codice fiscale)", "ssn"),),
        "nl_NL": (("ssn (BSN)", "ssn"),),
        "pt_BR": (("cpf", "cpf"), ("ssn (CPF digits)", "ssn")),
        "fr_FR": (("ssn (NIR)", "ssn"),),
        "es_ES": (("nif (DNI)", "nif"), ("nie", "nie")),
        "en_IN": (("aadhaar_id", "aadhaar_id"),),
    }
    built: dict[str, list[Source]] = {"en_AU": [("tfn (built here)", lambda: _tfn(rng))],
                                      "ja_JP": [("my_number (built here)", lambda: _my_number(rng))]}
    return [(name, getattr(local, method)) for name, method in methods.get(locale, ())] + built.get(locale, [])


def _card_numbers(fake: Faker, locale: str) -> list[Source]:
    local = fake[locale]
    card_types = list(local.provider("faker.providers.credit_card").credit_card_types)

    def maker(card_type: str) -> Callable[[], str]:
        return lambda: str(local.credit_card_number(card_type=card_type))

    return [(f"credit_card_number({t})", maker(t)) for t in card_types]


def _sources(fake: Faker, locale: str, rng: random.Random) -> dict[str, list[Source]]:
    local = fake[locale]
    phones: list[Source] = [("phone_number", local.phone_number), ("msisdn", local.msisdn)]
    for method in ("cellphone_number", "basic_phone_number"):
        if hasattr(local, method):
            phones.append((method, getattr(local, method)))
    return {
        "EMAIL": [(m, getattr(local, m)) for m in ("email", "free_email", "company_email", "safe_email", "ascii_email",
                                                  "ascii_free_email", "ascii_company_email", "ascii_safe_email")],
        "PHONE": phones,
        "CARD": _card_numbers(fake, locale),
        "IBAN": [("iban", local.iban)],
        "IP": [("ipv4", local.ipv4), ("ipv4(network=True)", lambda: local.ipv4(network=True)),
               ("ipv4_private", local.ipv4_private), ("ipv4_public", local.ipv4_public),
               ("ipv6", local.ipv6), ("ipv6(network=True)", lambda: local.ipv6(network=True))],
        "NATIONAL_ID": _national_ids(fake, locale, rng),
    }


# Values per (locale, source): phones draw many times because a phone method picks one of up to
# 558 formats per call.
PER_SOURCE: Final = {"EMAIL": 4, "PHONE": 40, "CARD": 4, "IBAN": 12, "IP": 6, "NATIONAL_ID": 30}


def _present(kind: str, value: str, rng: random.Random) -> tuple[str, str]:
    """(value as written, the same with the personal part replaced by its placeholder).

    Network forms keep their prefix length (`/24` is not personal data). A card or IBAN is written
    as Faker gives it or, half the time, in the groups people type.
    """
    placeholder = f"[{kind}]"
    if kind == "IP" and "/" in value:
        address, prefix = value.split("/")
        return value, f"{placeholder}/{prefix}"
    if kind == "IBAN" and rng.random() < 0.5:
        value = " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    if kind == "CARD" and rng.random() < 0.5:
        sizes = {15: (4, 6, 5), 14: (4, 6, 4)}.get(len(value), (4,) * 5)
        parts, start = [], 0
        for size in sizes:
            parts.append(value[start:start + size])
            start += size
        value = " ".join(p for p in parts if p)
    return value, placeholder


def _mention(locale: str, kind: str, rng: random.Random, named: bool) -> str:
    if not named:
        return "{}"
    if kind == "NATIONAL_ID":
        return rng.choice(ID_MENTIONS[locale])
    return rng.choice(MENTIONS[LANGUAGE[locale]][kind])


def positive_rows(fake: Faker, rng: random.Random, named: bool = True) -> list[Row]:
    """Every source's values in sentences; named=False drops the words that name the value."""
    rows: list[Row] = []
    for locale in LOCALES:
        for kind, sources in _sources(fake, locale, rng).items():
            for source, make in sources:
                for i in range(PER_SOURCE[kind]):
                    value, replaced = _present(kind, str(make()), rng)
                    mention = _mention(locale, kind, rng, named)
                    field_no = rng.randrange(3)
                    frame = FRAMES[LANGUAGE[locale]][field_no]
                    text = frame.format(mention.format(value))
                    expected = frame.format(mention.format(replaced))
                    rows.append(Row(f"{locale}/{kind}/{source}/{i:02d}/{FIELDS[field_no]}", locale, kind, source,
                                    text, expected))
    return rows


# ---------------------------------------------------------------------------------------------
# Look-alikes: must come out unchanged
# ---------------------------------------------------------------------------------------------

LOOKALIKE_MENTIONS: Final[dict[str, tuple[str, ...]]] = {
    "version": ("please upgrade to version {}", "running v{} since Monday", "Version {} fixes it"),
    "version_four_part": ("please upgrade to version {}", "build {} crashes", "firmware {} is installed"),
    "parcel_tracking": ("tracking number {}", "your parcel {} is on its way", "Sendungsnummer {}"),
    "order_number": ("order {} has shipped", "Bestellnummer {}", "commande n° {}", "pedido {}"),
    "uuid": ("request id {}", "conversation {} failed", "trace {}"),
    "timestamp": ("at {}", "since {}", "logged {}", "the job ran on {}"),
    "price": ("it costs {}", "total {}", "Preis {}", "prix {}"),
    "amount": ("we processed {} requests", "{} tokens used", "budget of {} units", "score {}"),
}


def _lookalike_makers(fake: Faker, locale: str, rng: random.Random) -> dict[str, Callable[[], str]]:
    local = fake[locale]
    return {
        "version": lambda: f"{rng.randint(0, 20)}.{rng.randint(0, 30)}.{rng.randint(0, 50)}",
        "version_four_part": lambda: (f"{rng.randint(1, 20)}.{rng.randint(0, 20)}.{rng.randint(0, 50)}."
                                      f"{rng.randint(0, 9999)}"),
        "parcel_tracking": lambda: rng.choice((local.numerify("94" + "#" * 20),
                                               local.numerify("94## #### #### #### #### ##"))),
        "order_number": lambda: local.bothify(rng.choice(("ORD-########", "#########", "??-######-##", "#######",
                                                          "#######-##", "##########"))).upper(),
        "uuid": lambda: str(local.uuid4()),
        "timestamp": lambda: rng.choice((local.iso8601(), str(local.date_time()), str(local.unix_time()).split(".")[0],
                                         str(int(local.unix_time() * 1000)), local.date(pattern="%d.%m.%Y"),
                                         local.date(pattern="%d/%m/%Y"), local.time())),
        "price": lambda: local.pricetag(),
        "amount": lambda: rng.choice((f"{local.pyint(1000, 99_999_999):,}", str(local.pyint(0, 99_999_999)),
                                      f"{local.pyfloat(left_digits=5, right_digits=2, positive=True)}",
                                      f"{local.pyint(1000, 9_999_999):,}".replace(",", "."))),
    }


LOOKALIKES_PER_LOCALE_AND_KIND: Final = 30


def lookalike_rows(fake: Faker, rng: random.Random) -> list[Row]:
    rows: list[Row] = []
    for locale in LOCALES:
        for kind, make in _lookalike_makers(fake, locale, rng).items():
            for i in range(LOOKALIKES_PER_LOCALE_AND_KIND):
                field_no = rng.randrange(3)
                frame = FRAMES[LANGUAGE[locale]][field_no]
                text = frame.format(rng.choice(LOOKALIKE_MENTIONS[kind]).format(make()))
                rows.append(Row(f"{locale}/LOOKALIKE/{kind}/{i:02d}/{FIELDS[field_no]}", locale, "LOOKALIKE", kind,
                                text, text))
    return rows


def generate(seed: int = SEED) -> list[Row]:
    """The whole corpus, the same for a seed and a Faker version."""
    fake = Faker(list(LOCALES))
    fake.seed_instance(seed)
    rng = random.Random(seed)
    return positive_rows(fake, rng) + lookalike_rows(fake, rng)


def generate_unnamed(seed: int = SEED + 1) -> list[Row]:
    """The same sources with no word naming the value ("Done: I saved it (4155550132)."): what the
    rules find from the format alone. Reported, not held to the goals (docs/PRIVACY.md)."""
    fake = Faker(list(LOCALES))
    fake.seed_instance(seed)
    return positive_rows(fake, random.Random(seed), named=False)
