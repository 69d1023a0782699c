"""The demo data generator: determinism, sizes, planted defects, PII and effects.

Every check re-derives its numbers from the generated frames with code written
here (JSON parsing, Luhn, IBAN mod 97, ticket windows), never with the
generator's own helpers, and compares them with the truths file.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from ai_ops_tools.generator import MODELS, UNPRICED_MODEL, GenConfig, GeneratedData, generate
from ai_ops_tools.raw_schema import RAW_TABLES, column_names

EVENT_NAMES = {"ai_user_prompt_created", "ai_llm_response_received", "ai_user_action"}
LATEST_STATE = {"users": "loaded_at", "support_tickets": "updated_at", "crm_opportunities": "updated_at",
                "controls": "loaded_at"}
KEYS = {
    "users": "user_id", "support_tickets": "ticket_id", "crm_outcomes": "outcome_id",
    "crm_opportunities": "opportunity_id", "agent_runs": "run_id", "agent_steps": "span_id",
    "agent_decisions": "decision_id", "incidents": "incident_id", "deployments": "change_id",
    "connector_checks": "check_id", "model_evaluations": "evaluation_id", "controls": "control_id",
    "ai_initiatives": "initiative_id", "cost_ledger": "entry_id",
}


def _num(value: Any) -> float | None:
    """A JSON number or numeric string as float; anything else is unknown."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    if value is True or value == "true":
        return True
    if value is False or value == "false":
        return False
    return None


def classify_event(row: dict[str, Any]) -> str | None:
    """The CONTRACT section 4 reason a raw ai_events row is invalid, or None."""
    if row["event_id"] is None:
        return "missing_event_id"
    if row["conversation_id"] is None:
        return "missing_conversation_id"
    if row["occurred_at"] is None:
        return "missing_occurred_at"
    if row["event_name"] not in EVENT_NAMES:
        return "unknown_event_name"
    if row["properties"] is None:
        return "properties_null"
    try:
        obj = json.loads(row["properties"])
    except json.JSONDecodeError:
        return "properties_invalid_json"
    if obj is None:
        return "properties_json_null"
    if isinstance(obj, list):
        return "properties_array"
    if not isinstance(obj, dict):
        return "properties_scalar"
    lat = _num(obj.get("latency_ms"))
    if lat is not None and lat < 0:
        return "negative_latency_ms"
    if any((_num(obj.get(k)) or 0) < 0 for k in ("input_tokens", "output_tokens")):
        return "negative_token_count"
    cost = _num(obj.get("cost_usd"))
    if cost is not None and cost < 0:
        return "negative_cost_usd"
    if row["occurred_at"] - row["loaded_at"] > timedelta(days=1):
        return "occurred_after_loaded"
    return None


@pytest.fixture(scope="module")
def event_rows(generated: GeneratedData) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = generated.tables["ai_events"].to_pylist()
    return rows


@pytest.fixture(scope="module")
def valid_events(event_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Valid, deduplicated (earliest loaded_at wins) events with parsed properties."""
    best: dict[str, dict[str, Any]] = {}
    for row in event_rows:
        if classify_event(row) is None:
            kept = best.get(row["event_id"])
            if kept is None or row["loaded_at"] < kept["loaded_at"]:
                best[row["event_id"]] = row
    out = []
    for row in best.values():
        out.append({**row, "p": json.loads(row["properties"])})
    return out


@pytest.fixture(scope="module")
def valid_tickets(generated: GeneratedData) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for row in generated.tables["support_tickets"].to_pylist():
        if row["ticket_id"] is None:
            continue
        kept = latest.get(row["ticket_id"])
        if kept is None or row["updated_at"] > kept["updated_at"]:
            latest[row["ticket_id"]] = row
    return list(latest.values())


# --- determinism and sizes --------------------------------------------------------------------


def test_same_seed_same_data(generated: GeneratedData, test_config: GenConfig) -> None:
    again = generate(test_config)
    for name in RAW_TABLES:
        assert again.tables[name].equals(generated.tables[name]), name
    assert json.dumps(again.truths, default=str) == json.dumps(generated.truths, default=str)


def test_other_seed_other_data(generated: GeneratedData) -> None:
    other = generate(GenConfig(seed=7, conversations=400, progress=False))
    assert not other.tables["ai_events"].equals(generated.tables["ai_events"])


def test_all_fifteen_tables_with_contract_columns(generated: GeneratedData) -> None:
    assert set(generated.tables) == set(RAW_TABLES)
    for name, table in generated.tables.items():
        assert table.column_names == column_names(name), name
        assert table.num_rows > 0, name


def test_conversation_count_is_exact(valid_events: list[dict[str, Any]], truths: dict[str, Any]) -> None:
    assert truths["config"]["conversations"] == 400
    assert len({e["conversation_id"] for e in valid_events}) == 400


def test_events_option_gives_exact_row_count() -> None:
    data = generate(GenConfig(seed=3, events=5000, progress=False))
    assert data.tables["ai_events"].num_rows == 5000
    assert data.truths["tables"]["ai_events"]["raw_rows"] == 5000


def test_row_counts_reconcile_in_truths(generated: GeneratedData, truths: dict[str, Any]) -> None:
    for name in RAW_TABLES:
        t = truths["tables"][name]
        assert t["raw_rows"] == generated.tables[name].num_rows, name
        assert t["raw_rows"] == t["valid_rows"] + t["planted_duplicates"] + sum(t["invalid_by_reason"].values()), name


# --- planted bad rows -----------------------------------------------------------------------------


def test_every_bad_event_kind_is_planted_as_stated(event_rows: list[dict[str, Any]], truths: dict[str, Any]) -> None:
    reasons = Counter(r for r in (classify_event(row) for row in event_rows) if r is not None)
    stated = truths["tables"]["ai_events"]["invalid_by_reason"]
    assert len(stated) == 13
    assert all(n >= 2 for n in stated.values())
    assert dict(reasons) == stated


def test_event_duplicates_are_exact_copies_loaded_later(event_rows: list[dict[str, Any]],
                                                         truths: dict[str, Any]) -> None:
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in event_rows:
        if classify_event(row) is None:
            by_id[row["event_id"]].append(row)
    dup_groups = [rows for rows in by_id.values() if len(rows) > 1]
    assert sum(len(rows) - 1 for rows in dup_groups) == truths["tables"]["ai_events"]["planted_duplicates"]
    for rows in dup_groups:
        first, second = sorted(rows, key=lambda r: r["loaded_at"])
        assert {k: v for k, v in first.items() if k != "loaded_at"} == {
            k: v for k, v in second.items() if k != "loaded_at"}
        assert second["loaded_at"] > first["loaded_at"]


def test_late_rows_are_valid_and_counted(valid_events: list[dict[str, Any]], truths: dict[str, Any]) -> None:
    late = [e for e in valid_events if e["loaded_at"] - e["occurred_at"] > timedelta(days=7)]
    assert len(late) == truths["tables"]["ai_events"]["late_rows"] >= 5
    assert all(e["loaded_at"] >= e["occurred_at"] for e in valid_events)


def test_text_in_numeric_field(valid_events: list[dict[str, Any]], truths: dict[str, Any]) -> None:
    fast = sorted(e["event_id"] for e in valid_events if e["p"].get("latency_ms") == "fast")
    assert fast == truths["tables"]["ai_events"]["text_in_numeric_event_ids"]


def test_encodings_vary(valid_events: list[dict[str, Any]]) -> None:
    responses = [e["p"] for e in valid_events if e["event_name"] == "ai_llm_response_received"]
    assert any(isinstance(p.get("latency_ms"), str) and p["latency_ms"] != "fast" for p in responses)
    assert any(isinstance(p.get("latency_ms"), int) for p in responses)
    consent = [e["p"].get("consent_analytics", "missing") for e in valid_events]
    assert {True, False, "true", "false", "missing"} <= set(consent)
    assert any("cost_usd" not in p for p in responses)


@pytest.mark.parametrize("table", sorted(KEYS))
def test_other_tables_have_duplicates_and_missing_keys(generated: GeneratedData, truths: dict[str, Any],
                                                       table: str) -> None:
    key = KEYS[table]
    rows = generated.tables[table].to_pylist()
    keyed = [r for r in rows if r[key] is not None]
    missing = len(rows) - len(keyed)
    duplicates = len(keyed) - len({r[key] for r in keyed})
    stated = truths["tables"][table]
    assert missing == stated["invalid_by_reason"]["missing_key"] >= 1
    assert duplicates == stated["planted_duplicates"] >= 1
    if table in LATEST_STATE:
        # the version that must win carries the later updated_at / loaded_at
        order = LATEST_STATE[table]
        versions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in keyed:
            versions[r[key]].append(r)
        multi = [v for v in versions.values() if len(v) > 1]
        assert all(len({r[order] for r in v}) == len(v) for v in multi)
        assert all(len({r["loaded_at"] for r in v}) == len(v) for v in multi)


# --- personal data ------------------------------------------------------------------------------------


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "")
    lengths = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24}
    if lengths.get(s[:2]) != len(s):
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(ord(c) - 55) if c.isalpha() else c for c in moved)) % 97 == 1


def test_planted_pii_is_in_the_raw_free_text(valid_events: list[dict[str, Any]], truths: dict[str, Any]) -> None:
    planted = truths["pii"]["planted_pii"]
    kinds = Counter(p["kind"] for p in planted)
    assert set(kinds) == {"email", "phone", "card", "iban", "ip", "national_id"}
    texts: dict[str, list[str]] = defaultdict(list)
    for e in valid_events:
        for field in ("prompt_text", "response_text", "feedback"):
            if isinstance(e["p"].get(field), str):
                texts[field].append(e["p"][field])
    for p in planted:
        assert any(p["value"] in t for t in texts[p["field"]]), p
    assert truths["pii"]["planted_pii_values"] == [p["value"] for p in planted]


def test_pii_values_never_leave_the_free_text_fields(event_rows: list[dict[str, Any]], generated: GeneratedData,
                                                    truths: dict[str, Any]) -> None:
    values = truths["pii"]["planted_pii_values"]
    for name, table in generated.tables.items():
        for col, typ in RAW_TABLES[name]:
            if typ != "text" or (name, col) == ("ai_events", "properties"):
                continue
            column = [v for v in table.column(col).to_pylist() if v is not None]
            assert not any(v in s for s in column for v in values), (name, col)


def test_card_numbers_pass_luhn_and_ibans_mod97(truths: dict[str, Any]) -> None:
    planted = truths["pii"]["planted_pii"]
    cards = [p["value"] for p in planted if p["kind"] == "card"]
    ibans = [p["value"] for p in planted if p["kind"] == "iban"]
    assert len(cards) >= 3 and len(ibans) >= 3
    assert all(luhn_ok(c) for c in cards), cards
    assert all(iban_ok(i) for i in ibans), ibans
    assert any(" " in c for c in cards) and any("-" in c for c in cards) and any(c.isdigit() for c in cards)
    assert {i.replace(" ", "")[:2] for i in ibans} >= {"DE", "GB", "FR"}
    # sanity of the checkers themselves, on published test numbers
    assert luhn_ok("4111 1111 1111 1111") and not luhn_ok("4111 1111 1111 1112")
    assert iban_ok("DE89 3704 0044 0532 0130 00") and not iban_ok("DE88 3704 0044 0532 0130 00")


def test_phone_formats_and_lookalikes(truths: dict[str, Any], valid_events: list[dict[str, Any]]) -> None:
    phones = [p["value"] for p in truths["pii"]["planted_pii"] if p["kind"] == "phone"]
    assert any(p.startswith("+1 ") for p in phones) and any(p.startswith("(") for p in phones)
    assert any(p.startswith("+44") for p in phones) and any(p.startswith("+49") for p in phones)
    assert any(p.startswith("06 ") for p in phones)
    raw = " ".join(e["properties"] for e in valid_events)
    assert sum(look in raw for look in truths["pii"]["non_pii_lookalikes"]) >= 5


def test_opted_out_users(generated: GeneratedData, truths: dict[str, Any]) -> None:
    users = {r["user_id"]: r for r in generated.tables["users"].to_pylist() if r["user_id"]}
    opted_out = truths["users"]["opted_out_user_ids"]
    assert len(opted_out) >= 3
    assert all(users[u]["consent_analytics"] is False for u in opted_out)
    assert {u for u, r in users.items() if r["consent_analytics"] is False} == set(opted_out)


# --- planted effects --------------------------------------------------------------------------------------


def _conversations(valid_events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    convs: dict[str, dict[str, Any]] = {}
    for e in sorted(valid_events, key=lambda e: e["occurred_at"]):
        c = convs.setdefault(e["conversation_id"], {"start": e["occurred_at"], "user": e["user_id"],
                                                    "arm": e["p"].get("feature_flag_state"),
                                                    "workflow": e["p"].get("workflow"),
                                                    "completed": False, "escalated": False})
        if e["event_name"] == "ai_user_action":
            c["completed"] |= e["p"].get("action_type") == "accepted" or _bool(e["p"].get("conversion_flag")) is True
            c["escalated"] |= e["p"].get("action_type") == "escalated"
    return convs


def test_treatment_completes_more(valid_events: list[dict[str, Any]], truths: dict[str, Any]) -> None:
    launch = datetime.fromisoformat(truths["config"]["launch_date"])
    convs = [c for c in _conversations(valid_events).values() if c["start"] >= launch]
    stated = truths["effects"]["control_vs_treatment"]
    rates = {}
    for arm in ("control", "treatment"):
        sel = [c for c in convs if c["arm"] == arm]
        rates[arm] = sum(c["completed"] for c in sel) / len(sel)
        assert len(sel) == stated[arm]["conversations"]
        assert rates[arm] == pytest.approx(stated[arm]["completion_rate"], abs=1e-12)
        esc = sum(c["escalated"] for c in sel) / len(sel)
        assert esc == pytest.approx(stated[arm]["escalation_rate"], abs=1e-12)
    assert rates["treatment"] > rates["control"]


def test_treatment_deflects_more(valid_events: list[dict[str, Any]], valid_tickets: list[dict[str, Any]],
                                 truths: dict[str, Any]) -> None:
    launch = datetime.fromisoformat(truths["config"]["launch_date"])
    stated = truths["effects"]["control_vs_treatment"]["deflection"]
    rates = {}
    for arm in ("control", "treatment"):
        sel = [(cid, c) for cid, c in _conversations(valid_events).items()
               if c["start"] >= launch and c["arm"] == arm and c["workflow"] == "support_automation"]
        deflected = 0
        for cid, c in sel:
            end = c["start"] + timedelta(days=7)
            hit = any((t["conversation_id"] == cid or t["user_id"] == c["user"])
                      and c["start"] <= t["created_at"] <= end
                      for t in valid_tickets)
            deflected += not hit
        rates[arm] = deflected / len(sel)
        assert len(sel) == stated[arm]["support_conversations"]
        assert rates[arm] == pytest.approx(stated[arm]["deflection_rate"], abs=1e-12)
    assert rates["treatment"] > rates["control"]


def test_fewer_tickets_and_shorter_handling_after_launch(valid_tickets: list[dict[str, Any]],
                                                        truths: dict[str, Any]) -> None:
    launch = date.fromisoformat(truths["config"]["launch_date"])
    days = Counter(t["created_at"].date() for t in valid_tickets)
    first, last = min(days), max(days)
    all_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    pre = [days.get(d, 0) for d in all_days if d < launch]
    post = [days.get(d, 0) for d in all_days if d >= launch]
    stated = truths["effects"]["pre_vs_post_tickets"]
    assert stated["first_ticket_day"] == first.isoformat() and stated["last_ticket_day"] == last.isoformat()
    assert np.mean(pre) == pytest.approx(stated["tickets_per_day"]["baseline"]["mean"])
    assert np.mean(post) == pytest.approx(stated["tickets_per_day"]["treatment"]["mean"])
    assert np.var(pre, ddof=1) == pytest.approx(stated["tickets_per_day"]["baseline"]["sample_variance"])
    assert np.mean(post) < 0.8 * np.mean(pre)
    h_pre = [t["handle_minutes"] for t in valid_tickets if t["created_at"].date() < launch]
    h_post = [t["handle_minutes"] for t in valid_tickets if t["created_at"].date() >= launch]
    assert np.mean(h_pre) == pytest.approx(stated["mean_handle_minutes"]["baseline"]["mean"])
    assert np.mean(h_post) == pytest.approx(stated["mean_handle_minutes"]["treatment"]["mean"])
    assert np.mean(h_post) < np.mean(h_pre)
    assert any(t["ai_handled"] and t["handle_minutes"] == 0 for t in valid_tickets)
    assert any(t["conversation_id"] for t in valid_tickets)


def test_slow_model_version_has_higher_p95(valid_events: list[dict[str, Any]], truths: dict[str, Any]) -> None:
    lat: dict[str, list[float]] = defaultdict(list)
    for e in valid_events:
        if e["event_name"] == "ai_llm_response_received":
            value = _num(e["p"].get("latency_ms"))
            if value is not None and "model_version" in e["p"]:
                lat[e["p"]["model_version"]].append(value)
    p95 = {mv: float(np.percentile(v, 95)) for mv, v in lat.items()}
    stated = truths["effects"]["latency_by_model_version"]
    assert set(p95) == set(stated)
    for mv, value in p95.items():
        assert value == pytest.approx(stated[mv]["p95_latency_ms"]), mv
        assert len(lat[mv]) == stated[mv]["responses"], mv
    slow = truths["effects"]["slow_model_version"]
    assert all(p95[slow] > 1.5 * v for mv, v in p95.items() if mv != slow)
    assert slow in truths["effects"]["latency_by_model_version"]


def test_costs_missing_and_unpriceable(valid_events: list[dict[str, Any]], truths: dict[str, Any]) -> None:
    responses = [e["p"] for e in valid_events if e["event_name"] == "ai_llm_response_received"]
    missing = [p for p in responses if p.get("cost_usd") is None]
    stated = truths["effects"]["cost"]
    assert len(responses) == stated["responses"]
    assert len(missing) == stated["responses_without_cost_usd"]
    assert 0.05 < len(missing) / len(responses) < 0.4
    unpriceable = [p for p in missing if p.get("model_used") == UNPRICED_MODEL]
    assert len(unpriceable) == stated["unpriceable_responses"] >= 1
    assert {p.get("model_used") for p in responses} <= set(MODELS) | {UNPRICED_MODEL, None}


def test_ai_events_mostly_after_launch(valid_events: list[dict[str, Any]], truths: dict[str, Any]) -> None:
    launch = datetime.fromisoformat(truths["config"]["launch_date"])
    pre = sum(e["occurred_at"] < launch for e in valid_events)
    assert 0 < pre < 0.15 * len(valid_events)


def test_end_at_moves_newest_loaded_at() -> None:
    end_at = datetime(2026, 11, 22, 6, 0, 0)
    data = generate(GenConfig(seed=5, conversations=100, end_at=end_at, progress=False))
    newest = max(max(v for v in t.column("loaded_at").to_pylist() if v is not None) for t in data.tables.values())
    assert newest == end_at
    assert data.truths["time_shift_seconds"] > 0
