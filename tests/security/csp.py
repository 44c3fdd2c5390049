"""What a page must look like under the Content-Security-Policy (issue 12, point 4): the header is
there, and every inline <script> or <style> carries this response's nonce; no inline event
handler, no style attribute, no javascript: URL (none of which a nonce can allow)."""

import re

_NONCE = re.compile(r"'nonce-([^']+)'")
_INLINE = re.compile(r"<(script|style)\b(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)
_DATA_BLOCK = re.compile(r'type="application/(?:ld\+)?json"', re.IGNORECASE)
_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
_STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


def csp_problems(response, *, allow_style_attributes: bool = False) -> list[str]:
    """Why this HTML response breaks the policy; [] if it keeps it."""
    policy = response.get("Content-Security-Policy")
    if not policy:
        return ["no Content-Security-Policy header"]
    problems = []
    if "default-src 'self'" not in policy:
        problems.append(f"default-src is not 'self': {policy}")
    if "'unsafe-eval'" in policy:
        problems.append("'unsafe-eval' allowed")
    script_src = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
    if "'unsafe-inline'" in script_src:
        problems.append("inline script allowed without a nonce")
    if not response.get("Content-Type", "").startswith("text/html"):
        return problems
    body = response.content.decode(errors="replace")
    nonces = set(_NONCE.findall(policy))
    for tag, attrs in _INLINE.findall(body):
        if tag.lower() == "script" and _DATA_BLOCK.search(attrs):
            continue  # a data block (JSON-LD): the browser never runs it, CSP does not apply
        nonce = re.search(r'nonce="([^"]*)"', attrs)
        if nonce is None or nonce.group(1) not in nonces:
            problems.append(f"inline <{tag}{attrs}> without this response's nonce")
    if _HANDLER.search(body):
        problems.append(f"inline event handler: {_HANDLER.search(body).group(0)[:80]}")
    if "javascript:" in body.lower():
        problems.append("javascript: URL")
    if not allow_style_attributes and (match := _STYLE_ATTR.search(body)):
        problems.append(f"style attribute: {match.group(0)[:80]}")
    return problems
