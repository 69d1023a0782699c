"""OTLP/JSON trace files flattened into rows of ``raw.otel_spans`` (CONTRACT.md v2).

Two file shapes are read, both an ``ExportTraceServiceRequest`` in the OTLP/JSON encoding
(``resourceSpans`` -> ``scopeSpans`` -> ``spans``):

- one request per line, as the OpenTelemetry Collector's file exporter writes them;
- one request as a whole document, pretty-printed or not (an SDK dump, a test fixture).

Trace and span ids may be hex (what the OTLP/JSON spec says) or base64 (what protobuf's
``json_format`` writes); keys may be lowerCamelCase or the proto's snake_case. Attribute values
are ``AnyValue`` objects and land as plain JSON values in the JSON-text columns.

A record that cannot be flattened (invalid JSON, a wrong structure, a value of the wrong type) is
reported as a :class:`Rejected` with its file, line and path inside the request; the other spans
of the file still load. A span that is well-formed but breaks the data rules (no span id, no start,
a negative duration) is *not* rejected here: it lands as it is and dbt quarantines it with its
reason, so the raw table reconciles with the quarantine.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import itertools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Final

# CONTRACT.md section 1, raw.otel_spans (v2): the columns in order with their portable SQL types.
OTEL_SPANS_TABLE: Final = "otel_spans"
OTEL_SPANS_COLUMNS: Final[list[tuple[str, str]]] = [
    ("trace_id", "text"),
    ("span_id", "text"),
    ("parent_span_id", "text"),
    ("span_name", "text"),
    ("span_kind", "text"),
    ("service_name", "text"),
    ("started_at", "timestamp"),
    ("duration_ns", "bigint"),
    ("status_code", "text"),
    ("status_message", "text"),
    ("span_attributes", "text"),
    ("resource_attributes", "text"),
    ("events", "text"),
    ("scope_name", "text"),
    ("scope_version", "text"),
    ("loaded_at", "timestamp"),
]

# opentelemetry-proto trace.proto: Span.SpanKind and Status.StatusCode.
SPAN_KINDS: Final = ("UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER")
STATUS_CODES: Final = ("UNSET", "OK", "ERROR")

_HEX: Final = re.compile(r"[0-9a-fA-F]+")
_EPOCH: Final = datetime(1970, 1, 1)

Row = dict[str, Any]


class MalformedRecord(ValueError):
    """A part of a request that cannot be flattened; ``path`` says where inside the request."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class Rejected:
    """A record left out of the load, with enough to find and fix it."""

    file: str
    line: int
    error: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.error}"


@dataclass
class ParseResult:
    """The rows of one or more files and what could not be read."""

    rows: list[Row] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    records: int = 0  # requests read (lines of a JSON-lines file, 1 for a whole document)


# --- values --------------------------------------------------------------------------------------------


def _get(obj: dict[str, Any], camel: str, snake: str | None = None) -> Any:
    """A field by its OTLP/JSON name (lowerCamelCase) or its proto name (snake_case)."""
    if camel in obj:
        return obj[camel]
    snake = snake or re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel)
    return obj.get(snake)


def _list(obj: dict[str, Any], camel: str, path: str) -> list[Any]:
    value = _get(obj, camel)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedRecord(path, f"{camel} must be a JSON array, got {type(value).__name__}")
    return value


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedRecord(path, f"expected a JSON object, got {type(value).__name__}")
    return value


def any_value(value: Any, path: str) -> Any:
    """An OTLP ``AnyValue`` as a plain JSON value (string, int, float, bool, list, object or None)."""
    value = _object(value, path)
    if not value:
        return None
    kind, inner = next(iter(value.items()))
    if len(value) > 1:
        raise MalformedRecord(path, f"an AnyValue holds exactly one of its fields, got {sorted(value)}")
    if kind in ("stringValue", "string_value"):
        return _typed(inner, str, path, kind)
    if kind in ("boolValue", "bool_value"):
        return _typed(inner, bool, path, kind)
    if kind in ("intValue", "int_value"):
        return _integer(inner, path, kind)
    if kind in ("doubleValue", "double_value"):
        return _double(inner, path)
    if kind in ("bytesValue", "bytes_value"):
        return _typed(inner, str, path, kind)  # base64 text, kept as sent
    if kind in ("arrayValue", "array_value"):
        items = _list(_object(inner, path), "values", path)
        return [any_value(item, f"{path}[{i}]") for i, item in enumerate(items)]
    if kind in ("kvlistValue", "kvlist_value"):
        return key_values(_list(_object(inner, path), "values", path), path)
    raise MalformedRecord(path, f"unknown AnyValue field {kind!r}")


def _typed(value: Any, kind: type, path: str, name: str) -> Any:
    if not isinstance(value, kind):
        raise MalformedRecord(path, f"{name} must be a {kind.__name__}, got {value!r}")
    return value


def _integer(value: Any, path: str, name: str) -> int:
    """An int64 as OTLP/JSON writes it: a decimal string (or a JSON number)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise MalformedRecord(path, f"{name} must be an integer or a string of digits, got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise MalformedRecord(path, f"{name} must be an integer or a string of digits, got {value!r}") from None


def _double(value: Any, path: str) -> float | str:
    """A double; NaN and the infinities (strings in proto JSON) stay strings: JSON has no such numbers."""
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise MalformedRecord(path, f"doubleValue must be a number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise MalformedRecord(path, f"doubleValue must be a number, got {value!r}") from None
    return number if math.isfinite(number) else str(value)


def key_values(items: list[Any], path: str) -> dict[str, Any]:
    """A list of OTLP ``KeyValue`` as a dict (a repeated key: the last one wins)."""
    out: dict[str, Any] = {}
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        item = _object(item, where)
        key = item.get("key")
        if not isinstance(key, str):
            raise MalformedRecord(where, f"an attribute needs a string key, got {key!r}")
        out[key] = any_value(item.get("value") or {}, f"{where}.{key}")
    return out


def otlp_id(value: Any, n_bytes: int, path: str, name: str) -> str | None:
    """A trace id (16 bytes) or span id (8 bytes) as lowercase hex; hex or base64 in; '' or absent -> None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedRecord(path, f"{name} must be a string, got {value!r}")
    if len(value) == 2 * n_bytes and _HEX.fullmatch(value):
        return value.lower()
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != n_bytes:
        raise MalformedRecord(
            path, f"{name} {value!r} is neither {2 * n_bytes} hex digits nor base64 of {n_bytes} bytes"
        )
    return raw.hex()


def _enum_name(value: Any, names: tuple[str, ...], prefix: str, path: str, name: str) -> str | None:
    """SpanKind / StatusCode: an integer or a name (with or without its prefix) -> the bare name."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    if isinstance(value, str) and value.upper().removeprefix(prefix) in names:
        return value.upper().removeprefix(prefix)
    raise MalformedRecord(path, f"{name} {value!r} is not one of {', '.join(names)} (or 0..{len(names) - 1})")


def nanos_to_timestamp(nanos: int) -> datetime:
    """Unix nanoseconds -> naive UTC timestamp (microseconds: what both warehouses keep)."""
    return _EPOCH + timedelta(microseconds=nanos // 1000)


def _nanos(obj: dict[str, Any], camel: str, path: str) -> int | None:
    value = _get(obj, camel)
    if value is None or value in ("", "0", 0):
        return None
    return _integer(value, path, camel)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# --- spans ---------------------------------------------------------------------------------------------


def _events(span: dict[str, Any], path: str) -> str | None:
    events = []
    for i, event in enumerate(_list(span, "events", path)):
        where = f"{path}.events[{i}]"
        event = _object(event, where)
        nanos = _nanos(event, "timeUnixNano", where)
        events.append({
            "name": _get(event, "name"),
            "timestamp": nanos_to_timestamp(nanos).isoformat(sep=" ") if nanos is not None else None,
            "attributes": key_values(_list(event, "attributes", where), f"{where}.attributes"),
        })
    return _json_text(events) if events else None


def flatten_span(span: Any, resource: dict[str, Any], scope: dict[str, Any], path: str,
                 loaded_at: datetime) -> Row:
    """One OTLP span with its resource and scope -> one row of raw.otel_spans."""
    span = _object(span, path)
    status = _object(_get(span, "status") or {}, f"{path}.status")
    start = _nanos(span, "startTimeUnixNano", path)
    end = _nanos(span, "endTimeUnixNano", path)
    resource_attributes = key_values(_list(resource, "attributes", f"{path}/resource"), f"{path}/resource")
    service = resource_attributes.get("service.name")
    return {
        "trace_id": otlp_id(_get(span, "traceId"), 16, path, "traceId"),
        "span_id": otlp_id(_get(span, "spanId"), 8, path, "spanId"),
        "parent_span_id": otlp_id(_get(span, "parentSpanId"), 8, path, "parentSpanId"),
        "span_name": _get(span, "name"),
        "span_kind": _enum_name(_get(span, "kind"), SPAN_KINDS, "SPAN_KIND_", path, "kind"),
        "service_name": service if isinstance(service, str) else None,
        "started_at": nanos_to_timestamp(start) if start is not None else None,
        "duration_ns": end - start if start is not None and end is not None else None,
        "status_code": _enum_name(_get(status, "code") or 0, STATUS_CODES, "STATUS_CODE_", path, "status.code"),
        "status_message": _get(status, "message") or None,
        "span_attributes": _json_text(key_values(_list(span, "attributes", path), f"{path}.attributes")),
        "resource_attributes": _json_text(resource_attributes),
        "events": _events(span, path),
        "scope_name": _get(scope, "name") or None,
        "scope_version": _get(scope, "version") or None,
        "loaded_at": loaded_at,
    }


def flatten_request(request: Any, loaded_at: datetime) -> Iterator[Row | MalformedRecord]:
    """The rows of one ExportTraceServiceRequest; a span that cannot be flattened yields its error instead.

    A broken resource or scope (not an object, bad attributes) fails all of its spans at once.
    """
    try:
        request = _object(request, "request")
        resource_spans_list = _list(request, "resourceSpans", "request")
    except MalformedRecord as exc:
        yield exc
        return
    for r, resource_spans in enumerate(resource_spans_list):
        rpath = f"resourceSpans[{r}]"
        try:
            resource_spans = _object(resource_spans, rpath)
            resource = _object(_get(resource_spans, "resource") or {}, f"{rpath}.resource")
            scope_spans_list = _list(resource_spans, "scopeSpans", rpath)
            # instrumentationLibrarySpans: the name before OTLP 0.19, still written by old exporters
            scope_spans_list += _list(resource_spans, "instrumentationLibrarySpans", rpath)
        except MalformedRecord as exc:
            yield exc
            continue
        for s, scope_spans in enumerate(scope_spans_list):
            yield from _scope_rows(scope_spans, resource, f"{rpath}.scopeSpans[{s}]", loaded_at)


def _scope_rows(scope_spans: Any, resource: dict[str, Any], spath: str,
                loaded_at: datetime) -> Iterator[Row | MalformedRecord]:
    try:
        scope_spans = _object(scope_spans, spath)
        scope = _object(_get(scope_spans, "scope") or _get(scope_spans, "instrumentationLibrary") or {},
                        f"{spath}.scope")
        spans = _list(scope_spans, "spans", spath)
    except MalformedRecord as exc:
        yield exc
        return
    for i, span in enumerate(spans):
        try:
            yield flatten_span(span, resource, scope, f"{spath}.spans[{i}]", loaded_at)
        except MalformedRecord as exc:
            yield exc


# --- files ---------------------------------------------------------------------------------------------


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_records(path: Path) -> Iterator[tuple[int, Any | json.JSONDecodeError, int]]:
    """(line, parsed request or its JSON error, bytes read) per request of a file.

    A file whose first non-blank line is a JSON object by itself is read as JSON lines (the
    collector's file exporter), one line at a time; any other file as one JSON document (line 1
    stands for it).
    """
    with _open_text(path) as handle:
        head: list[str] = []
        for line in handle:
            head.append(line)
            if line.strip():
                break
        if not head or not head[-1].strip():
            return
        if not _is_json_object(head[-1]):
            text = "".join(head) + handle.read()
            yield 1, _loads(text), len(text.encode("utf-8"))
            return
        for number, line in enumerate(itertools.chain(head, handle), start=1):
            if line.strip():
                # without its line break, so that an error inside the line is reported on it
                yield number, _loads(line.rstrip("\r\n")), len(line.encode("utf-8"))


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except json.JSONDecodeError:
        return False


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return exc


@dataclass(frozen=True)
class _Progress:
    """A marker that carries only the bytes of a finished record."""


def parse_file(path: Path, loaded_at: datetime) -> Iterator[tuple[Row | Rejected | _Progress, int]]:
    """Rows and rejections of one file; a _Progress after each request carries its bytes (progress bar)."""
    for line, record, size in read_records(path):
        if isinstance(record, json.JSONDecodeError):
            # one line of JSON lines (lineno 1), or the line inside a whole document (line 1)
            at = line + record.lineno - 1
            yield Rejected(str(path), at, f"not valid JSON: {record.msg} at column {record.colno}"), size
            continue
        for item in flatten_request(record, loaded_at):
            yield (Rejected(str(path), line, str(item)) if isinstance(item, MalformedRecord) else item), 0
        yield _Progress(), size


def parse_files(paths: list[Path], loaded_at: datetime | None = None) -> ParseResult:
    """Every row and rejection of the files, in memory (the loader streams instead: see load_otlp)."""
    loaded_at = loaded_at or utc_now()
    result = ParseResult()
    for path in paths:
        for item, _size in parse_file(path, loaded_at):
            if isinstance(item, Rejected):
                result.rejected.append(item)
            elif isinstance(item, _Progress):
                result.records += 1
            else:
                result.rows.append(item)
    return result


def utc_now() -> datetime:
    """Now as a naive UTC timestamp (the contract's timestamps carry no zone), to the microsecond."""
    return datetime.now(UTC).replace(tzinfo=None)


def input_files(paths: list[Path]) -> list[Path]:
    """Files to read: each file given, and the *.json / *.jsonl / *.json.gz files of each directory given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _is_trace_file(p))
            if not found:
                raise FileNotFoundError(f"{path} holds no .json, .jsonl or .json.gz file")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path} does not exist: give OTLP/JSON files or folders that hold them")
    return files


def _is_trace_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz"))
