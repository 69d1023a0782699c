"""The increment: new, late and duplicate raw events appended after the first build."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ai_ops_tools.bench.config import DAY_US, DEFAULT_LATE_WEEKS, US, WEEK_US
from ai_ops_tools.bench.warehouse import Warehouse

_TS = pa.timestamp("us")


@dataclass
class _Source:
    """The raw events with 64-bit string offsets, and what every part of the increment draws from."""

    events: pa.Table
    rng: np.random.Generator
    occurred: np.ndarray  # occurred_at as int64 microseconds
    loaded: np.ndarray  # loaded_at as int64 microseconds
    max_loaded: int
    idx_usable: np.ndarray  # rows with an event id, a conversation id, occurred_at and loaded_at

    @classmethod
    def of(cls, events: pa.Table, rng: np.random.Generator) -> _Source:
        # take() concatenates the chunks it picks from: past 2 GB of text (about 7 M events) 32-bit
        # string offsets overflow, so pick from 64-bit-offset columns and cast the few rows back
        events = events.cast(pa.schema([
            f.with_type(pa.large_string()) if pa.types.is_string(f.type) else f for f in events.schema]))
        occurred = pc.cast(events["occurred_at"], pa.int64())
        loaded = pc.cast(events["loaded_at"], pa.int64())
        usable = pc.and_(pc.and_(pc.is_valid(events["event_id"]), pc.is_valid(events["conversation_id"])),
                         pc.and_(pc.is_valid(occurred), pc.is_valid(loaded)))
        return cls(events, rng, occurred.to_numpy(), loaded.to_numpy(), int(pc.max(loaded).as_py()),
                   np.flatnonzero(usable.to_numpy(zero_copy_only=False)))

    def load_times(self, k: int) -> np.ndarray:
        """k load times within a day after the newest load."""
        return self.max_loaded + self.rng.integers(60 * US, DAY_US, size=k)

    def sample(self, index: np.ndarray, k: int) -> pa.Table:
        """k rows drawn without replacement from the rows at ``index`` (fewer if there are fewer)."""
        return self.events.take(pa.array(self.rng.choice(index, size=min(k, len(index)), replace=False)))


def _timestamps(micros: np.ndarray) -> pa.Array:
    return pa.array(micros.astype("datetime64[us]"), type=_TS)


def _prefixed(col: pa.ChunkedArray, prefix: str) -> pa.Array:
    return pc.binary_join_element_wise(pa.scalar(prefix, col.type), col, pa.scalar("", col.type))


def _new_conversations(src: _Source, n_fresh: int) -> pa.Table:
    """Whole conversations copied under ``inc-`` ids, moved to start within three days of the newest load."""
    cand = src.events.take(pa.array(src.idx_usable))
    conv_ids = pc.unique(cand["conversation_id"])
    mean_len = cand.num_rows / max(1, len(conv_ids))
    k = min(len(conv_ids), int(math.ceil(n_fresh / mean_len * 1.2)) + 1)
    chosen = conv_ids.take(pa.array(src.rng.permutation(len(conv_ids))[:k]))
    block = cand.filter(pc.is_in(cand["conversation_id"], value_set=chosen)).slice(0, n_fresh)
    b_occ = pc.cast(block["occurred_at"], pa.int64()).to_numpy()
    b_load = pc.cast(block["loaded_at"], pa.int64()).to_numpy()
    conv_codes, conv_index = np.unique(block["conversation_id"].to_numpy(zero_copy_only=False), return_inverse=True)
    starts = np.full(len(conv_codes), np.iinfo(np.int64).max)
    np.minimum.at(starts, conv_index, b_occ)
    shift = (src.max_loaded - starts - src.rng.integers(0, 3 * DAY_US, size=len(conv_codes)))[conv_index]
    return pa.table({
        "event_id": _prefixed(block["event_id"], "inc-"),
        "event_name": block["event_name"],
        "occurred_at": _timestamps(b_occ + shift),
        "loaded_at": _timestamps(np.maximum(b_load + shift, src.load_times(block.num_rows))),
        "conversation_id": _prefixed(block["conversation_id"], "inc-"),
        "user_id": block["user_id"],
        "session_id": _prefixed(block["session_id"], "inc-"),
        "properties": block["properties"],
    })


def _late_candidates(src: _Source, late_weeks: tuple[int, int] | None) -> np.ndarray:
    """Rows the late events copy: a to b weeks before the end of the on-time history, or (None) any old row."""
    usable_occurred = src.occurred[src.idx_usable]
    if late_weeks is None:
        in_window = usable_occurred <= src.max_loaded - 14 * DAY_US
        return np.asarray(src.idx_usable[in_window])
    # weeks before the end of the on-time history (events loaded within a day), not before
    # the newest load: a few planted late loads can put that weeks after the last event
    on_time = src.loaded[src.idx_usable] - usable_occurred <= DAY_US
    end = int(usable_occurred[on_time].max()) if on_time.any() else src.max_loaded
    newest, oldest = late_weeks
    in_window = ((usable_occurred <= end - newest * WEEK_US)
                 & (usable_occurred >= end - oldest * WEEK_US))
    return np.asarray(src.idx_usable[in_window])


def _late_events(src: _Source, n_late: int, late_weeks: tuple[int, int] | None) -> pa.Table:
    """Existing events of old conversations under ``late-`` ids, loaded at least two weeks after they occurred."""
    late_src = src.sample(_late_candidates(src, late_weeks), n_late)
    late_load = np.maximum(src.load_times(late_src.num_rows),
                           pc.cast(late_src["occurred_at"], pa.int64()).to_numpy() + 14 * DAY_US)
    return late_src.set_column(0, "event_id", _prefixed(late_src["event_id"], "late-")).set_column(
        3, "loaded_at", _timestamps(late_load))


def _duplicates(src: _Source, n_dup: int) -> pa.Table:
    """Existing rows re-sent unchanged but for a later loaded_at."""
    dup_src = src.sample(src.idx_usable, n_dup)
    return dup_src.set_column(3, "loaded_at", _timestamps(src.load_times(dup_src.num_rows)))


def _at_or_before_watermark(src: _Source, n: int, prefix: str, loaded_at: int) -> pa.Table:
    """Existing events under new ids (``prefix``), loaded at ``loaded_at``; they occurred an hour or more before."""
    candidates = src.idx_usable[src.occurred[src.idx_usable] <= loaded_at - 3600 * US]
    rows = src.sample(candidates, n)
    return rows.set_column(0, "event_id", _prefixed(rows["event_id"], prefix)).set_column(
        3, "loaded_at", _timestamps(np.full(rows.num_rows, loaded_at, dtype=np.int64)))


def make_increment(events: pa.Table, rng: np.random.Generator, new_fraction: float = 0.01,
                   late_fraction: float = 0.001, duplicate_fraction: float = 0.005,
                   late_weeks: tuple[int, int] | None = DEFAULT_LATE_WEEKS,
                   watermark_cases: int = 0) -> tuple[pa.Table, dict[str, int]]:
    """Rows to append to raw ai_events, loaded after the newest loaded_at there (but the watermark cases).

    - new: whole conversations copied under new ids (``inc-`` prefix), moved so they start
      within three days of the newest load (occurred and loaded shift together);
    - late: copies of existing events under new event ids, keeping their conversation and
      occurred_at: new events of old conversations. With ``late_weeks=(a, b)`` (the default,
      2 to 6) they are drawn from the events that occurred a to b weeks before the end of the
      on-time history (the newest occurred_at of an event loaded within a day), so they arrive
      weeks late, as the issue's scenario says, and touch the last few weeks and months; with
      ``None`` from every event at least two weeks before the newest load, spread over the
      whole history: they then touch nearly every week and month, the worst case for the
      period refresh of int_metrics__ai_events;
    - duplicates: existing rows re-sent unchanged except a later loaded_at (the dedupe must
      keep the original).
    - with ``watermark_cases=k`` (issue 11's loads that a ``loaded_at > watermark`` filter
      misses), also k *ties*: existing events copied under ``tie-`` ids and loaded at exactly
      the newest ``loaded_at`` already in raw, and k *backfills*: copies under ``backfill-`` ids
      loaded ten days before it (events that occurred before that).
    Counts: new rows = new_fraction of the table; late = late_fraction and duplicates =
    duplicate_fraction of the new rows (at least 5 each).
    """
    schema = events.schema
    n_new = max(10, round(events.num_rows * new_fraction))
    n_late = max(5, round(n_new * late_fraction))
    n_dup = max(5, round(n_new * duplicate_fraction))
    src = _Source.of(events, rng)
    fresh = _new_conversations(src, n_new - n_late)
    late = _late_events(src, n_late, late_weeks)
    dups = _duplicates(src, n_dup)
    parts = [fresh, late, dups]
    counts = {"new": fresh.num_rows, "late": late.num_rows, "duplicates": dups.num_rows}
    if watermark_cases:
        ties = _at_or_before_watermark(src, watermark_cases, "tie-", src.max_loaded)
        backfills = _at_or_before_watermark(src, watermark_cases, "backfill-", src.max_loaded - 10 * DAY_US)
        parts += [ties, backfills]
        counts |= {"ties": ties.num_rows, "backfills": backfills.num_rows}
    out = pa.concat_tables([part.cast(schema) for part in parts])
    return out, counts | {"total": out.num_rows}


def append_events(wh: Warehouse, rows: pa.Table) -> dict[str, Any] | None:
    """Append ``rows`` to the warehouse's raw ai_events; on Spark, the figures of the subprocess that did it."""
    from ai_ops_tools.raw_schema import column_names

    if wh.target == "spark":
        from ai_ops_tools.bench.spark import append_raw

        return append_raw(wh, rows)
    cols = ", ".join(f'"{c}"' for c in column_names("ai_events"))
    if wh.target == "duckdb":
        import duckdb

        con = duckdb.connect(str(wh.duckdb_path))
        try:
            con.register("increment_rows", rows)
            con.execute(f'insert into "{wh.raw_schema}"."ai_events" ({cols}) select {cols} from increment_rows')
        finally:
            con.close()
        return None
    import io

    from ai_ops_tools.loader import PostgresSettings, _csv_batches

    conn = PostgresSettings.from_env().connect()
    try:
        with conn, conn.cursor() as cur:
            sql = f'copy "{wh.raw_schema}"."ai_events" ({cols}) from stdin with (format csv)'
            for _, payload in _csv_batches(rows.select(column_names("ai_events")), 200_000):
                cur.copy_expert(sql, io.BytesIO(payload))
    finally:
        conn.close()
    return None


# --- marts: incremental result vs full refresh ------------------------------------------------------
