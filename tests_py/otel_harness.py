"""Test-only: spans from real OpenTelemetry GenAI instrumentation, written as OTLP/JSON.

An instrumented application in miniature: the OpenAI Python SDK, instrumented by a real
instrumentation library, talks to a mock OpenAI-compatible server on loopback
(:class:`MockOpenAI`) through a scripted set of conversations (:func:`build_script`: several
turns and models, some 429 and 500 answers, prompts holding personal data made by Faker). The
spans are caught by the SDK's ``InMemorySpanExporter`` and written with the OTLP protobuf encoder
and protobuf's JSON format, as an exporter would send them.

Instrumentations (``--instrumentation``):

- ``openai-v2``: ``opentelemetry-instrumentation-openai-v2`` with ``opentelemetry-util-genai``,
  the latest GenAI conventions, message content on the span (``span_only``).
- ``openai-v2-legacy``: the same package's older-convention path (``gen_ai.system``, content only
  in OTLP log records ``gen_ai.user.message`` / ``gen_ai.choice``, never on the span). With
  util-genai 1.0b0 the instrumentor always takes the new path (``is_experimental_mode()`` is
  always true, whatever ``OTEL_SEMCONV_STABILITY_OPT_IN`` says), so the harness turns it off
  the way an older release behaved; the wrapper that emits the spans is the library's own.
- ``openllmetry``: Traceloop's ``opentelemetry-instrumentation-openai`` (content capture on).

The application sets who and what on a parent span around each call (``chat_turn``): the
conversation, user and session ids, the workflow and the feature-flag arm, the documented way
to give GenAI spans business context without touching the instrumentation.

Run as a script in its own process (instrumentations patch the SDK globally and read their
settings from the environment once):
``python tests_py/otel_harness.py --instrumentation openai-v2 --out spans.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

INSTRUMENTATIONS = ("openai-v2", "openai-v2-legacy", "openllmetry")
SHAPES = ("document", "lines")

# The application's parent-span attributes (CONTRACT.md "OTel input": looked up on the span, then its
# ancestors, through the otel_attribute_map seed).
CONVERSATION_KEY = "gen_ai.conversation.id"
USER_KEY = "user.id"
SESSION_KEY = "session.id"
WORKFLOW_KEY = "ai_ops.workflow"
ARM_KEY = "feature_flag.result.variant"
# the last one has no price in seeds/model_pricing.csv: its cost counts 0
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-haiku", "o4-mini")
WORKFLOWS = ("support_automation", "sales_assistant")
SERVICE_NAME = "ai-ops-test-app"


@dataclass(frozen=True)
class Turn:
    model: str
    prompt: str
    status: int  # what the mock server answers: 200, 429 or 500
    delay_ms: int


@dataclass(frozen=True)
class Conversation:
    conversation_id: str | None  # None: the app sets no conversation id (the trace is the conversation)
    user_id: str
    session_id: str
    workflow: str
    arm: str
    turns: tuple[Turn, ...]


def build_script(seed: int = 7, conversations: int = 8) -> list[Conversation]:
    """A repeatable script: every third call after the first fails (429 or 500), prompts carry personal data."""
    import random

    from faker import Faker

    fake = Faker("en_US")
    Faker.seed(seed)
    rng = random.Random(seed)
    script = []
    call = 0
    for c in range(conversations):
        turns = []
        for t in range(2 + c % 3):
            call += 1
            status = (429, 500)[call % 2] if call % 3 == 0 else 200
            prompt = (
                f"Turn {t + 1}: I am {fake.name()}, mail me at {fake.email()} or call {fake.phone_number()}; "
                f"card {fake.credit_card_number(card_type='visa16')} was charged twice, IBAN {fake.iban()}."
            )
            turns.append(Turn(MODELS[(c + t) % len(MODELS)], prompt, status, rng.randint(5, 60)))
        script.append(Conversation(
            conversation_id=None if c % 4 == 3 else f"conv-{seed}-{c:03d}",
            user_id=f"user-{c % 5:03d}",
            session_id=f"session-{c:03d}",
            workflow=WORKFLOWS[c % len(WORKFLOWS)],
            arm=("control", "treatment")[c % 2],
            turns=tuple(turns),
        ))
    return script


def pii_values(script: list[Conversation]) -> list[str]:
    """The personal data in the script's prompts (names left out: the redaction rules do not cover them)."""
    import re

    values: list[str] = []
    for conversation in script:
        for turn in conversation.turns:
            values += re.findall(r"mail me at (\S+) or call (.+?); card (\d+) was charged twice, IBAN (\w+)\.",
                                 turn.prompt)[0]
    return values


# --- the mock OpenAI-compatible server -----------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _completion(body: dict[str, Any]) -> dict[str, Any]:
    """A chat completion echoing the last user message; tokens are word counts (prompt: every message)."""
    messages = body.get("messages") or []
    last = next((m.get("content") or "" for m in reversed(messages) if m.get("role") == "user"), "")
    reply = f"Thanks, I have noted: {last[:120]}"
    prompt_tokens = sum(_words(str(m.get("content") or "")) for m in messages)
    completion_tokens = _words(reply)
    return {
        "id": f"chatcmpl-{abs(hash(last)) % 10**12}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


_ERRORS = {
    429: {"message": "Rate limit reached for requests", "type": "requests", "code": "rate_limit_exceeded"},
    500: {"message": "The server had an error while processing your request.", "type": "server_error",
          "code": None},
}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        time.sleep(int(self.headers.get("x-mock-delay-ms") or 0) / 1000)
        status = int(self.headers.get("x-mock-status") or 200)
        if not self.path.endswith("/chat/completions"):
            status = 404
        payload = _completion(body) if status == 200 else {"error": _ERRORS.get(status, {"message": "not found"})}
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@contextmanager
def mock_openai() -> Iterator[str]:
    """A mock OpenAI-compatible server on 127.0.0.1 (a free port); yields its base URL (…/v1)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


# --- the instrumented application ------------------------------------------------------------------------


def _instrument(instrumentation: str, tracer_provider: Any, logger_provider: Any) -> Any:
    if instrumentation == "openllmetry":
        os.environ["TRACELOOP_TRACE_CONTENT"] = "true"
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor as TraceloopInstrumentor

        traceloop = TraceloopInstrumentor()
        traceloop.instrument(tracer_provider=tracer_provider)
        return traceloop
    import opentelemetry.instrumentation.openai_v2 as openai_v2

    if instrumentation == "openai-v2":
        os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"
        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "span_only"
    else:  # the older conventions: content capture on ("true"), which then goes to log records only
        os.environ.pop("OTEL_SEMCONV_STABILITY_OPT_IN", None)
        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"
        # what releases before util-genai 1.0 did by default
        setattr(openai_v2, "is_experimental_mode", lambda: False)  # noqa: B010
    instrumentor = openai_v2.OpenAIInstrumentor()  # type: ignore[no-untyped-call]
    instrumentor.instrument(tracer_provider=tracer_provider, logger_provider=logger_provider)
    return instrumentor


def _call(client: Any, turn: Turn, history: list[dict[str, str]]) -> str | None:
    import openai

    messages = [*history, {"role": "user", "content": turn.prompt}]
    try:
        response = client.chat.completions.create(
            model=turn.model, messages=messages,
            extra_headers={"x-mock-status": str(turn.status), "x-mock-delay-ms": str(turn.delay_ms)},
        )
    except (openai.RateLimitError, openai.InternalServerError):
        return None
    return str(response.choices[0].message.content)


def run_script(script: list[Conversation], instrumentation: str) -> tuple[list[Any], list[Any]]:
    """Run the conversations instrumented; (finished spans, emitted log records)."""
    import openai
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    resource = Resource.create({"service.name": SERVICE_NAME, "deployment.environment": "test"})
    spans, logs = InMemorySpanExporter(), InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    instrumentor = _instrument(instrumentation, tracer_provider, logger_provider)
    tracer = tracer_provider.get_tracer("ai_ops.test_app", "1.0")
    try:
        with mock_openai() as base_url:
            client = openai.OpenAI(base_url=base_url, api_key="test-key", max_retries=0)
            for conversation in script:
                history: list[dict[str, str]] = []
                for turn in conversation.turns:
                    with tracer.start_as_current_span("chat_turn", attributes=_context(conversation)):
                        reply = _call(client, turn, history)
                    if reply is not None:
                        history += [{"role": "user", "content": turn.prompt}, {"role": "assistant", "content": reply}]
    finally:
        instrumentor.uninstrument()
    return list(spans.get_finished_spans()), list(logs.get_finished_logs())


def _context(conversation: Conversation) -> dict[str, str]:
    attributes = {USER_KEY: conversation.user_id, SESSION_KEY: conversation.session_id,
                  WORKFLOW_KEY: conversation.workflow, ARM_KEY: conversation.arm}
    if conversation.conversation_id:
        attributes[CONVERSATION_KEY] = conversation.conversation_id
    return attributes


# --- OTLP/JSON -------------------------------------------------------------------------------------------


def otlp_request(spans: list[Any], shift_ns: int = 0) -> dict[str, Any]:
    """ExportTraceServiceRequest as protobuf's JSON format writes it (camelCase, base64 ids, enum names)."""
    from google.protobuf import json_format
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    request: dict[str, Any] = json_format.MessageToDict(encode_spans(spans))
    if shift_ns:
        _shift(request, shift_ns)
    return request


def _shift(node: Any, shift_ns: int) -> None:
    """Move every time of a request back by shift_ns (spans delivered late)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("startTimeUnixNano", "endTimeUnixNano", "timeUnixNano"):
                node[key] = str(int(value) - shift_ns)
            else:
                _shift(value, shift_ns)
    elif isinstance(node, list):
        for item in node:
            _shift(item, shift_ns)


def collector_lines(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The same spans as the collector's file exporter writes them: one request per resource and scope,
    hex ids, kinds and status codes as integers."""
    import base64

    kinds = {"SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3}
    codes = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}
    lines = []
    for resource_spans in request.get("resourceSpans", []):
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
                span["kind"] = kinds[span.get("kind", "SPAN_KIND_UNSPECIFIED")]
                status = span.setdefault("status", {})
                if "code" in status:
                    status["code"] = codes[status["code"]]
            lines.append({"resourceSpans": [{**resource_spans, "scopeSpans": [scope_spans]}]})
    return lines


def span_facts(spans: list[Any], shift_ns: int = 0) -> list[dict[str, Any]]:
    """What the test compares against, read straight off the SDK's span objects (not the OTLP encoding)."""
    facts = []
    for span in spans:
        parent = span.parent
        facts.append({
            "trace_id": f"{span.context.trace_id:032x}",
            "span_id": f"{span.context.span_id:016x}",
            "parent_span_id": f"{parent.span_id:016x}" if parent else None,
            "name": span.name,
            "scope": span.instrumentation_scope.name if span.instrumentation_scope else None,
            "start_ns": span.start_time - shift_ns,
            "end_ns": span.end_time - shift_ns,
            "status": span.status.status_code.name,
            "attributes": {k: list(v) if isinstance(v, tuple) else v for k, v in (span.attributes or {}).items()},
        })
    return facts


def write_otlp(spans: list[Any], out: Path, shape: str = "document", shift_ns: int = 0) -> None:
    request = otlp_request(spans, shift_ns)
    out.parent.mkdir(parents=True, exist_ok=True)
    if shape == "document":
        out.write_text(json.dumps(request, indent=2) + "\n", encoding="utf-8")
    else:
        out.write_text("".join(json.dumps(line) + "\n" for line in collector_lines(request)), encoding="utf-8")


def _log_summary(logs: list[Any]) -> list[dict[str, Any]]:
    """The emitted log records: event name, the span they belong to and whether they carry content."""
    summary = []
    for data in logs:
        record = data.log_record
        attributes = dict(record.attributes or {})
        summary.append({
            "event_name": getattr(record, "event_name", None) or attributes.get("event.name"),
            "span_id": f"{record.span_id:016x}" if record.span_id else None,
            "body": record.body if isinstance(record.body, (str, dict, list)) else None,
        })
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--instrumentation", choices=INSTRUMENTATIONS, required=True)
    parser.add_argument("--out", type=Path, required=True, help="OTLP/JSON file to write")
    parser.add_argument("--shape", choices=SHAPES, default="document",
                        help="document: one ExportTraceServiceRequest; lines: the collector file exporter's lines")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--shift-days", type=float, default=0.0, help="move every time back by this many days")
    parser.add_argument("--logs-out", type=Path, help="also write the emitted log records (summary JSON)")
    parser.add_argument("--facts-out", type=Path, help="also write the spans' facts read off the SDK objects (JSON)")
    args = parser.parse_args(argv)
    script = build_script(args.seed, args.conversations)
    spans, logs = run_script(script, args.instrumentation)
    shift_ns = int(args.shift_days * 86400 * 1e9)
    write_otlp(spans, args.out, args.shape, shift_ns)
    if args.facts_out:
        args.facts_out.write_text(json.dumps(span_facts(spans, shift_ns)) + "\n", encoding="utf-8")
    if args.logs_out:
        args.logs_out.write_text(json.dumps(_log_summary(logs), indent=2, default=str) + "\n", encoding="utf-8")
    print(json.dumps({"spans": len(spans), "logs": len(logs), "conversations": len(script)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
