"""redact_pii on personal data nobody here wrote: the seeded Faker corpus (tests_py/pii_faker_corpus.py).

Goals (issue 11): recall >= 99 % for e-mails, phones, cards, IBANs and IPs, >= 95 % for national
ids, in every locale; at most 1 % of the look-alikes changed; the placeholder names the right type
(an instance counts as recalled only when its own placeholder stands where it was); the same output
on DuckDB and Postgres. Prints recall per type and locale and the false-positive rate.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest

import pii_eval
from pii_faker_corpus import LOCALES, PII_TYPES, Row, generate, generate_unnamed
from test_pii_redaction import TARGET_PARAMS, _require_target

MIN_RECALL: dict[str, float] = {"EMAIL": 0.99, "PHONE": 0.99, "CARD": 0.99, "IBAN": 0.99, "IP": 0.99,
                                "NATIONAL_ID": 0.95}
MAX_FP_RATE = 0.01


@dataclass
class Score:
    outputs: dict[str, str | None]
    seconds: float
    cells: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    lookalikes: int = 0
    lookalikes_changed: list[tuple[str, str, str | None]] = field(default_factory=list)
    misses: list[tuple[str, str, str | None]] = field(default_factory=list)

    def recall(self, kind: str, locale: str | None = None) -> float | None:
        hits = [v for (k, loc), v in self.cells.items() if k == kind and locale in (None, loc)]
        total = sum(n for n, _ in hits)
        return sum(ok for _, ok in hits) / total if total else None

    @property
    def fp_rate(self) -> float:
        return len(self.lookalikes_changed) / self.lookalikes if self.lookalikes else 0.0

    def table(self) -> str:
        def cell(value: float | None) -> str:
            return f"{100 * value:6.1f}" if value is not None else "     -"

        lines = ["recall % by type and locale", f"{'type':<12}" + "".join(f"{loc:>7}" for loc in LOCALES) + "    all"]
        for kind in PII_TYPES:
            lines.append(f"{kind:<12}" + "".join(f" {cell(self.recall(kind, loc))}" for loc in LOCALES)
                         + f" {cell(self.recall(kind))}")
        lines.append(f"instances: {sum(n for n, _ in self.cells.values())}; look-alikes changed: "
                     f"{len(self.lookalikes_changed)}/{self.lookalikes} = {100 * self.fp_rate:.2f} %")
        lines += [f"  changed {i}: {t!r} -> {o!r}" for i, t, o in self.lookalikes_changed[:30]]
        lines += [f"  missed {i}: want {e!r} got {o!r}" for i, e, o in self.misses[:60]]
        return "\n".join(lines)


def score(rows: list[Row], outputs: dict[str, str | None], seconds: float) -> Score:
    result = Score(outputs=outputs, seconds=seconds)
    for row in rows:
        output = outputs[row.id]
        if row.kind == "LOOKALIKE":
            result.lookalikes += 1
            if output != row.text:
                result.lookalikes_changed.append((row.id, row.text, output))
            continue
        for kind, ok in pii_eval.align_instances(row.expected, output or ""):
            counts = result.cells[(kind, row.locale)]
            counts[0] += 1
            counts[1] += ok
        if output != row.expected:
            result.misses.append((row.id, row.expected, output))
    return result


@pytest.fixture(scope="module")
def corpus() -> list[Row]:
    return generate()


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    return {}


def _score(target: str, corpus: list[Row], scores: dict[str, Score]) -> Score:
    _require_target(target)
    if target not in scores:
        expression = pii_eval.render_redaction_sql(target)
        started = time.perf_counter()
        outputs = pii_eval.run_redaction(target, {row.id: row.text for row in corpus}, expression)
        scores[target] = score(corpus, outputs, time.perf_counter() - started)
    return scores[target]


def test_corpus_covers_every_locale_type_and_lookalike(corpus: list[Row]) -> None:
    kinds = {(row.locale, row.kind) for row in corpus}
    for locale in LOCALES:
        for kind in (*PII_TYPES, "LOOKALIKE"):
            if kind == "NATIONAL_ID" and locale == "de_DE":
                continue  # the issue names no German national id
            assert (locale, kind) in kinds, (locale, kind)
    sources = {row.source for row in corpus}
    assert {"credit_card_number(maestro)", "credit_card_number(visa19)", "msisdn", "ipv6(network=True)",
            "version_four_part", "parcel_tracking"} <= sources
    assert len({row.id for row in corpus}) == len(corpus)
    assert sum(row.kind == "LOOKALIKE" for row in corpus) >= 2000
    card_numbers = [re.search(r"\d[\d ]{10,22}\d", row.text) for row in corpus if row.kind == "CARD"]
    assert card_numbers and all(card_numbers)
    for number in card_numbers:
        assert number is not None
        digits = number.group().replace(" ", "")
        assert 12 <= len(digits) <= 19 and pii_eval.is_luhn_valid(digits), digits
    assert {len(n.group().replace(" ", "")) for n in card_numbers if n} >= {12, 13, 14, 15, 16, 19}


@pytest.mark.parametrize("target", TARGET_PARAMS)
def test_recall_per_type_and_locale_and_false_positives(target: str, corpus: list[Row],
                                                       scores: dict[str, Score]) -> None:
    result = _score(target, corpus, scores)
    print(f"\nredact_pii on {target}, Faker corpus of {len(corpus)} texts ({result.seconds:.2f} s)")
    print(result.table())
    low = [(kind, locale, result.recall(kind, locale)) for kind in PII_TYPES for locale in LOCALES
           if (result.recall(kind, locale) or 1.0) < MIN_RECALL[kind]]
    assert not low, f"{low}\n{result.table()}"
    assert result.fp_rate <= MAX_FP_RATE, result.table()


@pytest.mark.postgres
def test_duckdb_and_postgres_agree_on_the_faker_corpus(corpus: list[Row], scores: dict[str, Score]) -> None:
    duck = _score("duckdb", corpus, scores).outputs
    pg = _score("postgres", corpus, scores).outputs
    differing = [(row.text, duck[row.id], pg[row.id]) for row in corpus if duck[row.id] != pg[row.id]]
    assert not differing, "\n".join(f"{t!r}: duckdb {d!r} / postgres {p!r}" for t, d, p in differing[:20])


@pytest.mark.parametrize("target", TARGET_PARAMS)
def test_values_without_a_naming_word_are_reported(target: str) -> None:
    """The same sources with no word naming the value: printed for docs/PRIVACY.md. Formats that
    need a context word (bare digits) are missed here by design; the rest must still be found."""
    _require_target(target)
    rows = generate_unnamed()
    result = score(rows, pii_eval.run_redaction(target, {row.id: row.text for row in rows},
                                                pii_eval.render_redaction_sql(target)), 0.0)
    print(f"\nwithout naming words, {target}:\n" + result.table().split("\ninstances")[0])
    for kind in ("EMAIL", "IBAN", "CARD"):
        assert (result.recall(kind) or 0.0) >= MIN_RECALL[kind], result.table()


@pytest.mark.parametrize("target", TARGET_PARAMS)
def test_no_rule_matches_a_redacted_text(target: str, corpus: list[Row], scores: dict[str, Score]) -> None:
    """The staging test assert_stg_telemetry__ai_events_text_is_fully_redacted holds on this corpus:
    has_pii is false on every output (a placeholder such as [PHONE] is no context word)."""
    outputs = _score(target, corpus, scores).outputs
    flags = pii_eval.run_redaction(target, outputs, pii_eval.render_redaction_sql(target, macro="has_pii"))
    left = [(key, outputs[key]) for key, flag in flags.items() if flag]
    assert not left, "\n".join(f"{key}: {text!r}" for key, text in left[:20])
    assert len(flags) == len(corpus)
