"""A platform stand-in for the benchmark: a small asyncio HTTP/1.1 server that answers every
POST with 200 at once and records (webhook-id, arrival time). Keep-alive, no signature check
(the tests check signatures; here the sink must never be the bottleneck).

    python bench/callbacks/sink.py --port 8765

    GET /stats  -> {"count": n}
    GET /dump   -> [[webhook_id, unix_time], ...]
    GET /reset  -> forget everything received so far
"""

import argparse
import asyncio
import json
import time

received: list[tuple[str, float]] = []


def _response(status: str, body: bytes, content_type: str = "text/plain") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            arrived = time.time()
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    key, value = line.split(":", 1)
                    headers[key.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if length:
                await reader.readexactly(length)
            if method == "POST":
                received.append((headers.get("webhook-id", ""), arrived))
                writer.write(_response("200 OK", b"ok"))
            elif path == "/stats":
                body = json.dumps({"count": len(received)}).encode()
                writer.write(_response("200 OK", body, "application/json"))
            elif path == "/dump":
                writer.write(_response("200 OK", json.dumps(received).encode(), "application/json"))
            elif path == "/reset":
                received.clear()
                writer.write(_response("200 OK", b"ok"))
            else:
                writer.write(_response("404 Not Found", b""))
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError):
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
    asyncio.run(main(parser.parse_args().port))
