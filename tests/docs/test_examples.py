"""The scripts in examples/ run offline against pyllm.testing and do what they say.

Each script is run as a user would run it, as a subprocess with OPENROUTER_BASE_URL pointing at
a FakeOpenRouter; the FastAPI app is driven by its TestClient. The tests assert on what the
scripts print and on what the fake server received.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import pyllm
from pyllm.testing import (
    FakeOpenRouter,
    RecordedRequest,
    Reply,
    error,
    stream_error,
    text,
    tool_call,
)
from pyllm.testing._media import fake_vector

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(
    name: str, *args: str, server: FakeOpenRouter, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "OPENAI_"))
    }
    environment.update(OPENROUTER_API_KEY="sk-or-examples", OPENROUTER_BASE_URL=server.url)
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=cwd,
        check=False,
    )


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{Path(name).stem}", EXAMPLES / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def usage(prompt: int, completion: int, cost: float) -> dict[str, float]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "cost": cost}


def chats(server: FakeOpenRouter) -> list[RecordedRequest]:
    return [r for r in server.requests if r.path.endswith("/chat/completions")]


# ---- chatbot.py ------------------------------------------------------------------------------


def test_chatbot_streams_each_answer_with_tokens_and_cost(server: FakeOpenRouter) -> None:
    server.reply(
        text("Hello there!", chunks=3, usage=usage(5, 3, 0.0001)),
        error(400, "This request is invalid"),
        text("Goodbye!", usage=usage(12, 2, 0.0002)),
    )
    result = run_example(
        "chatbot.py", "--system", "Be kind.", server=server, stdin="Hi\n\nWhat?\nBye\n"
    )

    assert result.returncode == 0, result.stderr
    assert "Hello there!\n[openai/gpt-4.1-mini · 5 in / 3 out · $0.000100]" in result.stdout
    assert "Goodbye!\n[openai/gpt-4.1-mini · 12 in / 2 out · $0.000200]" in result.stdout
    assert "error: 400 BadRequestError" in result.stderr  # the failed turn is reported...
    assert result.stdout.rstrip().endswith("session: 5 messages, 22 tokens, $0.000300")
    requests = chats(server)
    assert len(requests) == 3 and all(r.json["stream"] for r in requests)
    history = [(m["role"], m["content"]) for m in requests[-1].json["messages"]]
    assert history == [  # ...and left out of the history that later turns send
        ("system", "Be kind."),
        ("user", "Hi"),
        ("assistant", "Hello there!"),
        ("user", "Bye"),
    ]


# ---- agent.py --------------------------------------------------------------------------------


def test_agent_runs_the_tools_the_model_calls_and_reports_them(server: FakeOpenRouter) -> None:
    server.reply(
        tool_call("convert_currency", {"amount": 120, "source": "XYZ", "target": "EUR"}),
        tool_call("convert_currency", {"amount": 120, "source": "USD", "target": "EUR"}),
        tool_call("calculate", {"expression": "110.4 * 1.15"}),
        text("120 USD is 110.40 EUR; with a 15% tip, 126.96 EUR."),
    )
    result = run_example("agent.py", "120 USD in EUR plus 15% tip?", server=server)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "-> convert_currency({'amount': 120, 'source': 'XYZ', 'target': 'EUR'})",
        "<- Error: ValueError: unknown currency 'XYZ'; known: EUR, USD, GBP, JPY",
        "-> convert_currency({'amount': 120, 'source': 'USD', 'target': 'EUR'})",
        "<- 110.40 EUR",
        "-> calculate({'expression': '110.4 * 1.15'})",
        "<- 126.96",
    ]
    assert lines[6] == "120 USD is 110.40 EUR; with a 15% tip, 126.96 EUR."
    first = server.requests[0].json
    assert {t["function"]["name"] for t in first["tools"]} == {
        "calculate",
        "convert_currency",
        "search_handbook",
    }
    results = [m["content"] for m in server.requests[-1].json["messages"] if m["role"] == "tool"]
    assert results[1:] == ["110.40 EUR", "126.96"]


def test_the_agents_calculator_only_does_arithmetic() -> None:
    agent = load_example("agent.py")
    assert agent.calculate("(2 + 3) * 4 - 2 ** 3 / 4") == 18.0
    with pytest.raises(ValueError, match="not allowed"):
        agent.calculate("__import__('os').getcwd()")


# ---- extract.py ------------------------------------------------------------------------------

INVITATION = "Hi Ana and Ben, lunch at Casa Lisboa on 3 May 2025 at 12:30? - Carla"
EVENT = {
    "title": "Lunch",
    "date": "2025-05-03",
    "start_time": "12:30",
    "location": "Casa Lisboa",
    "attendees": ["Ana", "Ben", "Carla"],
}


def test_extract_prints_the_event_as_validated_json(server: FakeOpenRouter, tmp_path: Path) -> None:
    (tmp_path / "invitation.txt").write_text(INVITATION)
    server.reply(text(json.dumps(EVENT)))
    result = run_example("extract.py", "invitation.txt", server=server, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == EVENT
    sent = server.requests[-1].json
    assert sent["messages"][-1] == {"role": "user", "content": INVITATION}
    schema = sent["response_format"]["json_schema"]
    assert schema["name"] == "Event" and schema["strict"] is True
    assert set(schema["schema"]["required"]) == set(EVENT)
    assert sent["provider"] == {"require_parameters": True}


def test_extract_fails_clearly_when_the_answer_is_not_an_event(server: FakeOpenRouter) -> None:
    server.reply(text("I could not find an event in that text."))
    result = run_example("extract.py", server=server, stdin="Nothing planned.")
    assert result.returncode == 1
    assert result.stderr.strip() == "no event found in the answer" and result.stdout == ""


# ---- embed_batch.py --------------------------------------------------------------------------


def test_embed_batch_writes_one_vector_per_line_in_order(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    texts = [f"review {i}: the kite flew well" for i in range(1200)]
    (tmp_path / "reviews.txt").write_text("\n".join(texts[:600]) + "\n\n" + "\n".join(texts[600:]))
    result = run_example(
        "embed_batch.py", "reviews.txt", "-o", "out.jsonl", "--dimensions", "16",
        "--batch-size", "500", server=server, cwd=tmp_path,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [row["text"] for row in rows] == texts  # the blank line was skipped
    assert rows[0]["vector"] == fake_vector(texts[0], 16)
    assert rows[-1]["vector"] == fake_vector(texts[-1], 16)
    assert sorted(len(r.json["input"]) for r in server.requests) == [200, 500, 500]
    # the bar reached the total (not necessarily last: see the report on concurrent progress)
    assert "] 1,200/1,200" in result.stderr and result.stderr.count("embedding [") == 3
    assert result.stdout.startswith("1200 texts -> out.jsonl (")


# ---- fanout.py -------------------------------------------------------------------------------


def test_fanout_asks_every_model_at_once_and_sums_the_cost(server: FakeOpenRouter) -> None:
    def answer(request: RecordedRequest) -> Reply:
        model = request.json["model"]
        if model == "broken/model":
            return error(404, "No endpoints found for broken/model.")
        return text(f"{model} says recursion is recursion.", usage=usage(7, 5, 0.00025), delay=0.3)

    server.route("/chat/completions", answer)
    models = ["anthropic/claude-haiku-4.5", "broken/model", "openai/gpt-4.1-mini"]
    result = run_example("fanout.py", "What is recursion?", "--models", *models, server=server)

    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["model", "time", "tokens", "cost", "(USD)", "answer"]
    assert rows[1].startswith("anthropic/claude-haiku-4.5")
    assert rows[1].endswith(
        "12    0.000250  anthropic/claude-haiku-4.5 says recursion is recursion."
    )
    assert rows[2].startswith("broken/model") and "error: 404 NotFoundError" in rows[2]
    assert rows[3].startswith("openai/gpt-4.1-mini")
    assert rows[4] == "2 of 3 models answered; total cost $0.000500"
    assert sorted(r.json["model"] for r in server.requests) == sorted(models)
    assert server.peak_connections >= 2  # concurrent, not one after the other


# ---- fastapi_sse.py --------------------------------------------------------------------------


@pytest.fixture
def sse_app(server: FakeOpenRouter) -> Iterator[ModuleType]:
    """The example app, its default pyllm client pointed at the fake server."""
    pytest.importorskip("fastapi", reason="the FastAPI example needs the test extra (fastapi)")
    pyllm.configure(openrouter_api_key="sk-or-examples", openrouter_base_url=server.url)
    try:
        yield load_example("fastapi_sse.py")
    finally:
        pyllm.configure(openrouter_api_key=None, openrouter_base_url=None)


def parse_events(body: str) -> list[tuple[str, dict[str, object]]]:
    events = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields.get("event", "message"), json.loads(fields["data"])))
    return events


def test_fastapi_streams_the_answer_as_server_sent_events(
    server: FakeOpenRouter, sse_app: ModuleType
) -> None:
    from fastapi.testclient import TestClient

    server.reply(
        text("Why did the kite blush? It saw the wind.", chunks=3, usage=usage(9, 10, 4e-05))
    )
    with TestClient(sse_app.app) as client:
        response = client.get("/ask", params={"q": "Tell me a joke"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text)
    pieces = [data["text"] for kind, data in events if kind == "message"]
    assert len(pieces) == 3 and "".join(pieces) == "Why did the kite blush? It saw the wind."
    assert events[-1] == ("done", {"model": "openai/gpt-4.1-mini", "tokens": 19, "cost": 4e-05})
    sent = server.requests[-1].json
    assert sent["stream"] is True
    assert sent["messages"] == [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "Tell me a joke"},
    ]


def test_fastapi_reports_a_model_error_as_an_error_event(
    server: FakeOpenRouter, sse_app: ModuleType
) -> None:
    from fastapi.testclient import TestClient

    server.reply(stream_error(502, "Upstream went away", after=2))
    with TestClient(sse_app.app) as client:
        events = parse_events(client.get("/ask", params={"q": "Count to ten"}).text)
        missing = client.get("/ask")

    assert [kind for kind, _ in events] == ["message", "message", "error"]
    assert "ServiceUnavailableError" in str(events[-1][1]["error"])
    assert missing.status_code == 422  # q is required
