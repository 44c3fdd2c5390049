"""The platform's callback endpoint for a shift: a real HTTP/1.1 server (asyncio) that checks
each callback's Standard Webhooks signature and keeps its own ledger.

    python bench/shift/endpoint.py --port 8765 --secret whsec_...

Its behaviour can be switched while it runs (the faults use this):

    GET /control?mode=ok|500|429|timeout|slow
        ok       answer 200
        500      answer 500
        429      answer 429 with Retry-After: 10
        timeout  hold the request 20 s (over the sender's 15 s), then drop the connection
        slow     hold the request 3 s, then answer 200 (used to kill a worker mid-callback)
    GET /dump    the ledger: one row per request,
                 [arrived_at, webhook_id, type, decision_id, status_answered, signature_ok]
                 status_answered is 0 when the request was dropped without an answer
    GET /stats   {"count": n, "inflight": n, "mode": "..."}
"""

import argparse
import asyncio
import json
import time
from urllib.parse import parse_qs, urlsplit

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

ledger: list[list] = []
state = {"mode": "ok", "inflight": 0}
verifier: Webhook


def _response(status: str, body: bytes, extra: str = "", ctype: str = "text/plain") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {len(body)}\r\n{extra}\r\n"
    )
    return head.encode() + body


async def _callback(headers: dict[str, str], body: bytes, writer: asyncio.StreamWriter) -> bool:
    """Answer one callback; False when the connection was dropped."""
    arrived = time.time()
    try:
        verifier.verify(body, headers, json_parse=False)
        ok = True
    except WebhookVerificationError:
        ok = False
    kind, decision_id = "", None
    try:
        payload = json.loads(body)
        kind = payload.get("type", "")
        decision_id = (payload.get("data") or {}).get("decision_id")
    except ValueError:
        pass
    mode = state["mode"]
    row = [arrived, headers.get("webhook-id", ""), kind, decision_id, 0, ok]
    ledger.append(row)
    state["inflight"] += 1
    try:
        if not ok:
            row[4] = 401
            writer.write(_response("401 Unauthorized", b"bad signature"))
        elif mode == "500":
            row[4] = 500
            writer.write(_response("500 Internal Server Error", b"boom"))
        elif mode == "429":
            row[4] = 429
            writer.write(_response("429 Too Many Requests", b"slow down", "retry-after: 10\r\n"))
        elif mode == "timeout":
            await asyncio.sleep(20)
            return False
        else:
            if mode == "slow":
                await asyncio.sleep(3)
            row[4] = 200
            writer.write(_response("200 OK", b"ok"))
        return True
    finally:
        state["inflight"] -= 1


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    key, value = line.split(":", 1)
                    headers[key.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            body = await reader.readexactly(length) if length else b""
            url = urlsplit(target)
            if method == "POST":
                if not await _callback(headers, body, writer):
                    break
            elif url.path == "/control":
                state["mode"] = parse_qs(url.query).get("mode", ["ok"])[0]
                writer.write(_response("200 OK", state["mode"].encode()))
            elif url.path == "/dump":
                writer.write(
                    _response("200 OK", json.dumps(ledger).encode(), "", "application/json")
                )
            elif url.path == "/stats":
                stats = {"count": len(ledger), "inflight": state["inflight"], "mode": state["mode"]}
                writer.write(
                    _response("200 OK", json.dumps(stats).encode(), "", "application/json")
                )
            else:
                writer.write(_response("404 Not Found", b""))
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    verifier = Webhook(args.secret)
    asyncio.run(main(args.port))
