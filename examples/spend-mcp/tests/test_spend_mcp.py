"""spend-mcp driven by a real MCP client (the Python SDK) over stdio, against a
demo store: every tool called with valid and invalid arguments, structured
output checked against each tool's declared output schema (the SDK validates
`structuredContent` on every call), write tools absent without --allow-writes.

Run by scripts/test.sh with the binaries built: SPEND_MCP_BIN and SPEND_BIN name them.
"""

from __future__ import annotations

import base64
import os
import subprocess
import tempfile
from contextlib import asynccontextmanager

import pytest
from mcp import ClientSession, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client

MCP_BIN = os.environ["SPEND_MCP_BIN"]
SPEND_BIN = os.environ["SPEND_BIN"]

READ_TOOLS = {
    "search_transactions", "search_orders", "search_receipts", "search_documents",
    "spending_summary", "report", "recurring_payments", "essential_vs_discretionary",
    "huququllah", "list_matches", "connections", "list_rules", "estimate_enrichment",
    "status", "what_changed", "explain_email", "jobs",
}
WRITE_TOOLS = {
    "run_matching", "confirm_match", "decline_match", "enrich", "set_category", "add_rule",
    "sync", "refresh", "import_files", "queue_work",
}


@pytest.fixture(scope="session")
def store_env() -> dict[str, str]:
    """A data folder with the demo person synced, matched and categorised."""
    data = tempfile.mkdtemp(prefix="spend-mcp-test-")
    env = {
        "SPEND_DATA_DIR": data,
        "SPEND_USER": "demo",
        "SPEND_CONFIG": os.path.join(data, "none.toml"),
        "PATH": os.environ.get("PATH", ""),
        "HOME": data,
    }
    done = subprocess.run([SPEND_BIN, "demo", "--json"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return env


@asynccontextmanager
async def session(env: dict[str, str], *args: str):
    params = StdioServerParameters(command=MCP_BIN, args=list(args), env=env)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as s:
            yield s


async def call(s: ClientSession, name: str, arguments: dict):
    """Calls a tool; the SDK checks structured content against the output schema."""
    result = await s.call_tool(name, arguments)
    return result


@pytest.mark.anyio
async def test_initialize_and_the_read_only_tool_list(store_env):
    async with session(store_env) as s:
        init = await s.initialize()
        assert init.server_info.name == "spend-mcp"
        assert init.capabilities.tools is not None
        assert init.capabilities.resources is not None
        assert init.capabilities.prompts is not None
        tools = (await s.list_tools()).tools
        names = {t.name for t in tools}
        assert names == READ_TOOLS, names ^ READ_TOOLS
        for t in tools:
            assert t.description, t.name
            assert t.input_schema.get("type") == "object", t.name
            assert t.output_schema and t.output_schema.get("type") == "object", t.name
            assert t.annotations.read_only_hint is True, t.name
            assert t.annotations.destructive_hint is False, t.name


@pytest.mark.anyio
async def test_write_tools_exist_only_when_allowed(store_env):
    async with session(store_env) as s:
        await s.initialize()
        with pytest.raises(MCPError):
            await s.call_tool("confirm_match", {"id": "abc"})
    async with session(store_env, "--allow-writes") as s:
        await s.initialize()
        tools = {t.name: t for t in (await s.list_tools()).tools}
        assert set(tools) == READ_TOOLS | WRITE_TOOLS
        for name in WRITE_TOOLS:
            assert tools[name].annotations.read_only_hint is False, name
        assert tools["decline_match"].annotations.destructive_hint is True
        assert tools["enrich"].annotations.open_world_hint is True


@pytest.mark.anyio
async def test_every_read_tool_answers_with_structured_content(store_env):
    async with session(store_env) as s:
        await s.initialize()
        page = await call(s, "search_transactions", {"text": "amazon", "limit": 5})
        assert not page.is_error, page.content
        items = page.structured_content["items"]
        assert len(items) == 5 and all("amazon" in (t["description"] + (t["merchant"] or "")).lower() for t in items)
        assert any(t["paid_for"] for t in items), "charges say what they paid for"
        nxt = await call(s, "search_transactions", {"text": "amazon", "limit": 5, "cursor": page.structured_content["next_cursor"]})
        assert {t["id"] for t in nxt.structured_content["items"]}.isdisjoint({t["id"] for t in items})
        out = await call(s, "search_transactions", {"min_amount": -20, "max_amount": -10, "from": "2020-01-01"})
        assert all(-20 <= float(t["amount"]) <= -10 for t in out.structured_content["items"])

        orders = await call(s, "search_orders", {"text": "cable", "limit": 3})
        assert orders.structured_content["total"] >= 1
        receipts = await call(s, "search_receipts", {"text": "uber", "limit": 2})
        assert receipts.structured_content["items"][0]["resource"].startswith("spend://emails/")
        docs = await call(s, "search_documents", {})
        assert not docs.is_error

        summary = await call(s, "spending_summary", {"group_by": ["category"], "outgoing_only": True})
        categories = {r["keys"][0] for r in summary.structured_content["rows"]}
        assert {"Groceries", "Shopping", "Bills"} <= categories, categories

        report = await call(s, "report", {"period": "last-12-months", "gold_price_per_gram": "105.00"})
        data = report.structured_content["data"]
        assert data["spending"] > 0 and data["huququllah"]["unit_value"] == 726495
        for name in ("recurring_payments", "essential_vs_discretionary"):
            r = await call(s, name, {})
            assert not r.is_error and r.structured_content["data"], name
        h = await call(s, "huququllah", {"gold_price_per_gram": "105.00", "exempt": "1000"})
        assert [l["label"] for l in h.structured_content["data"]["lines"]][0] == "Income"

        matches = await call(s, "list_matches", {"state": "automatic", "limit": 3})
        assert len(matches.structured_content["items"]) == 3
        assert matches.structured_content["items"][0]["explanation"]["parts"]
        for name in ("connections", "list_rules", "estimate_enrichment", "status", "jobs"):
            r = await call(s, name, {})
            assert not r.is_error, (name, r.content)
        status = (await call(s, "status", {})).structured_content["data"]
        assert status["transactions"] == 612 and status["store"] == "sqlite"
        changed = await call(s, "what_changed", {"since": "2020-01-01"})
        assert changed.structured_content["data"]["largest_outgoing"]

        message_id = receipts.structured_content["items"][0]["message_id"]
        why = await call(s, "explain_email", {"message_id": message_id})
        pipeline = why.structured_content["data"]["pipeline"]
        assert pipeline["kind"] and pipeline["reason"]


@pytest.mark.anyio
async def test_bad_arguments_are_tool_errors_with_reasons(store_env):
    async with session(store_env) as s:
        await s.initialize()
        cases = [
            ("search_transactions", {"limit": 0}, "limit must be 1 to 200"),
            ("search_transactions", {"from": "yesterday"}, "YYYY-MM-DD"),
            ("search_transactions", {"colour": "red"}, "colour"),
            ("search_transactions", {"limit": "many"}, "invalid type"),
            ("spending_summary", {"group_by": ["weather"]}, "not one of"),
            ("spending_summary", {}, "group_by"),
            ("report", {"period": "soon"}, "not a period"),
            ("huququllah", {}, "gold_price_per_gram is needed"),
            ("huququllah", {"gold_price_per_gram": "1.005"}, "decimals"),
            ("list_matches", {"state": "maybe"}, "state must be"),
            ("list_matches", {"cursor": "x"}, "not a cursor"),
            ("explain_email", {"message_id": "<nothing@example.org>"}, "no stored message"),
            ("what_changed", {"since": "2026-13-45"}, "YYYY-MM-DD"),
        ]
        for name, arguments, says in cases:
            r = await s.call_tool(name, arguments)
            assert r.is_error, (name, arguments)
            text = " ".join(c.text for c in r.content if c.type == "text")
            assert says in text, (name, arguments, text)
        with pytest.raises(MCPError):
            await s.call_tool("no_such_tool", {})


@pytest.mark.anyio
async def test_resources_and_prompts(store_env):
    async with session(store_env) as s:
        await s.initialize()
        templates = (await s.list_resource_templates()).resource_templates
        assert {t.name for t in templates} == {"raw-email", "document"}
        receipts = await s.call_tool("search_receipts", {"limit": 1})
        uri = receipts.structured_content["items"][0]["resource"]
        contents = (await s.read_resource(uri)).contents
        raw = base64.b64decode(contents[0].blob)
        assert b"Message-ID" in raw or b"Message-Id" in raw
        with pytest.raises(MCPError):
            await s.read_resource("spend://emails/nowhere/nothing")
        prompts = (await s.list_prompts()).prompts
        assert [p.name for p in prompts] == ["monthly_review"]
        prompt = await s.get_prompt("monthly_review", {"month": "2026-11"})
        assert "2026-11" in prompt.messages[0].content.text


@pytest.mark.anyio
async def test_write_tools_change_the_store(store_env):
    async with session(store_env, "--allow-writes") as s:
        await s.initialize()
        dry = await s.call_tool("run_matching", {"dry_run": True})
        assert not dry.is_error and dry.structured_content["data"]["automatic"] > 0
        suggested = (await s.call_tool("list_matches", {"state": "suggested", "limit": 1})).structured_content["items"]
        confirmed = await s.call_tool("confirm_match", {"id": suggested[0]["id"]})
        assert confirmed.structured_content["data"]["state"] == "confirmed"
        bad = await s.call_tool("confirm_match", {"id": "zzzz"})
        assert bad.is_error
        rule = await s.call_tool("add_rule", {"name": "coffee", "when": 'merchant="Pret A Manger"', "then": "category=Coffee"})
        assert not rule.is_error, rule.content
        bad_rule = await s.call_tool("add_rule", {"name": "x", "when": "colour=red", "then": "category=X"})
        assert bad_rule.is_error
        enriched = await s.call_tool("enrich", {"budget_usd": "0"})
        assert enriched.structured_content["data"]["by_rule"] > 0
        tx = (await s.call_tool("search_transactions", {"text": "tesco", "limit": 1})).structured_content["items"][0]
        saved = await s.call_tool("set_category", {"transaction_id": tx["id"], "category": "Treats", "essential": False})
        assert saved.structured_content["data"]["source"] == "user"
        again = (await s.call_tool("search_transactions", {"category": "Treats"})).structured_content["items"]
        assert [t["id"] for t in again] == [tx["id"]] and again[0]["categorised_by"] == "user"


def text_of(result) -> str:
    return " ".join(c.text for c in result.content if c.type == "text")


@pytest.mark.anyio
async def test_sync_without_provider_apps_says_what_to_set(store_env):
    async with session(store_env, "--allow-writes") as s:
        await s.initialize()
        r = await s.call_tool("sync", {})
        assert r.is_error
        says = text_of(r)
        assert "truelayer:demo-bank: set TRUELAYER_CLIENT_ID" in says, says
        assert "gmail:alex@example.org: set GOOGLE_CLIENT_ID" in says, says
        nothing = await s.call_tool("sync", {"sources": ["dropbox"]})
        assert nothing.is_error and "no connection is called dropbox" in text_of(nothing)
        bad = await s.call_tool("sync", {"since": "last week"})
        assert bad.is_error and "YYYY-MM-DD" in text_of(bad)


@pytest.mark.anyio
async def test_sync_and_refresh_against_the_simulated_providers(store_env):
    async with session(store_env, "--allow-writes", "--demo") as s:
        await s.initialize()
        bank = await s.call_tool("sync", {"sources": ["truelayer"], "since": "2020-01-01"})
        assert not bank.is_error, text_of(bank)
        synced = bank.structured_content["data"]["synced"]
        assert [x["source"] for x in synced] == ["truelayer:demo-bank"]
        outcome = synced[0]["outcome"]
        assert synced[0]["status"] == "ok" and outcome["calls"]["requests"] > 0
        tx = outcome["written"]["transactions"]
        # The same bank history again: nothing new, nothing doubled.
        assert tx["inserted"] == 0 and tx["unchanged"] > 0, tx

        everything = await s.call_tool("refresh", {"budget_usd": "1"})
        assert not everything.is_error, text_of(everything)
        data = everything.structured_content["data"]
        statuses = {x["source"]: x["status"] for x in data["syncs"]}
        assert statuses == {"truelayer:demo-bank": "ok", "gmail:alex@example.org": "ok", "sp-api:A2SIMULATEDSELLER": "ok"}, data["syncs"]
        assert data["not_run"] == []
        assert data["matched"]["automatic"] > 0 and "proposals" not in data["matched"]
        assert data["enriched"]["transactions"] == 612, data["enriched"]
        status = (await s.call_tool("status", {})).structured_content["data"]
        assert status["transactions"] == 612 and status["last_sync"]["status"] == "ok"
        runs = (await s.call_tool("connections", {})).structured_content["data"]["last_runs"]
        assert len(runs) >= 4


HISTORY = os.path.join(os.path.dirname(__file__), "..", "..", "..", "crates", "spend-core", "tests", "fixtures", "history")


@pytest.mark.anyio
async def test_import_files_recognises_each_and_reports_the_broken_one(store_env):
    async with session(store_env, "--allow-writes") as s:
        await s.initialize()
        paths = [os.path.abspath(os.path.join(HISTORY, f)) for f in ("Retail.OrderHistory.1.csv", "lloyds-missing-column.csv")]
        r = await s.call_tool("import_files", {"paths": paths})
        assert not r.is_error, text_of(r)
        files = r.structured_content["data"]
        assert files[0]["format"] == "amazon-order-history" and files[0]["outcome"]["written"]["orders"]["inserted"] == 4
        assert "missing column(s) Credit Amount" in files[1]["error"]
        orders = await s.call_tool("search_orders", {"text": "Laptop Stand"})
        assert orders.structured_content["total"] == 1
        none = await s.call_tool("import_files", {"paths": ["/no/such/file.ofx"]})
        assert none.is_error and "nothing imported" in text_of(none)
        bad_map = await s.call_tool("import_files", {"paths": paths, "map": "date=Posted"})
        assert bad_map.is_error and "map:" in text_of(bad_map)


@pytest.mark.anyio
async def test_queued_work_is_run_by_a_worker_and_shown_by_jobs(store_env):
    digital = os.path.abspath(os.path.join(HISTORY, "Digital Items.csv"))
    async with session(store_env, "--allow-writes") as s:
        await s.initialize()
        imported = await s.call_tool("queue_work", {"work": "import", "paths": [digital]})
        assert not imported.is_error, text_of(imported)
        matched = await s.call_tool("queue_work", {"work": "match"})
        assert not matched.is_error, text_of(matched)
        queued = imported.structured_content["data"]["queued"] + matched.structured_content["data"]["queued"]
        assert [q["target"] for q in queued] == [digital, "match"], queued
        ids = {q["job"] for q in queued}
        waiting = (await s.call_tool("jobs", {"state": "queued"})).structured_content["data"]["jobs"]
        assert ids <= {j["id"] for j in waiting}, waiting

        for args, says in [
            ({"work": "import"}, "needs paths"),
            ({"work": "match", "paths": [digital]}, "for work \"import\" only"),
            ({"work": "enrich", "sources": ["truelayer"]}, "for work \"sync\" only"),
            ({"work": "sync", "sources": ["dropbox"]}, "no connection matches dropbox"),
            ({"work": "import", "paths": ["/no/such/file.csv"]}, "/no/such/file.csv"),
            ({"work": "dance"}, "dance"),
        ]:
            r = await s.call_tool("queue_work", args)
            assert r.is_error and says in text_of(r), (args, text_of(r))
        bad_state = await s.call_tool("jobs", {"state": "lost"})
        assert bad_state.is_error and "state:" in text_of(bad_state)

    worker = subprocess.run([SPEND_BIN, "worker", "--until-idle"], env=store_env, capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0, worker.stderr

    async with session(store_env) as s:
        await s.initialize()
        jobs = {j["id"]: j for j in (await s.call_tool("jobs", {})).structured_content["data"]["jobs"]}
        for job in ids:
            assert jobs[job]["state"] == "done" and jobs[job]["attempts"] == 1, jobs[job]
        kindle = await s.call_tool("search_orders", {"text": "Kindle Book"})
        assert kindle.structured_content["total"] >= 1, "the worker imported the queued file"
