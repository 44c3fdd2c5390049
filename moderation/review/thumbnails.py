"""Video thumbnails through our own proxy: the moderator's browser never loads the platform's
URL itself (no referrer, cookie or IP leaves for the platform's CDN, no unbounded image).

``thumbnail_fetch`` gets the image server-side with httpx, within a size cap and a short
timeout, accepts only JPEG, PNG or WebP (the declared type and the first bytes must agree),
and keeps the result in the cache (Redis) for a few hours; a failure is remembered for a
minute so a broken URL is not fetched on every page view.
"""

import hashlib
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from moderation.errors import NotFound, UpstreamUnavailable
from moderation.models import Video

ALLOWED_TYPES = {"image/jpeg", "image/png", "image/webp"}
FAILURE_CACHE_SECONDS = 60


@dataclass(frozen=True)
class Thumbnail:
    content: bytes
    content_type: str


def _sniff(content: bytes) -> str | None:
    """The image type the bytes themselves say."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _require_public_host(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UpstreamUnavailable(_("Alamat gambar mini tidak valid."))
    if settings.SARING["THUMBNAIL_ALLOW_PRIVATE_HOSTS"]:
        return
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, None)}
    except OSError as exc:
        raise UpstreamUnavailable(_("Server gambar mini tidak ditemukan.")) from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise UpstreamUnavailable(_("Alamat gambar mini tidak diizinkan."))


def _download(url: str) -> Thumbnail:
    limit = settings.SARING["THUMBNAIL_MAX_BYTES"]
    timeout = settings.SARING["THUMBNAIL_TIMEOUT_SECONDS"]
    _require_public_host(url)
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("GET", url, headers={"Accept": ", ".join(sorted(ALLOWED_TYPES))}) as r,
        ):
            if r.status_code != 200:
                raise UpstreamUnavailable(
                    _("Platform menjawab HTTP %(status)s untuk gambar mini.")
                    % {"status": r.status_code}
                )
            declared = r.headers.get("content-type", "").split(";")[0].strip().lower()
            if declared not in ALLOWED_TYPES:
                raise UpstreamUnavailable(_("Gambar mini bukan JPEG, PNG atau WebP."))
            if int(r.headers.get("content-length") or 0) > limit:
                raise UpstreamUnavailable(_("Gambar mini terlalu besar."))
            chunks: list[bytes] = []
            size = 0
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise UpstreamUnavailable(_("Gambar mini terlalu besar."))
                chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise UpstreamUnavailable(_("Platform tidak mengirim gambar mini tepat waktu.")) from exc
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(_("Gambar mini tidak dapat diambil dari platform.")) from exc
    content = b"".join(chunks)
    if _sniff(content) != declared:
        raise UpstreamUnavailable(_("Gambar mini bukan JPEG, PNG atau WebP."))
    return Thumbnail(content=content, content_type=declared)


# The platform's own player for one video, opened in a new tab (never framed in our pages).
EMBED_URLS = {"tiktok": "https://www.tiktok.com/embed/v2/{id}"}


def video_embed_url(video: Video) -> str:
    """The platform's embeddable player for the video, when we know its form; else ''."""
    template = EMBED_URLS.get(video.platform.slug)
    return template.format(id=video.platform_video_id) if template else ""


def thumbnail_fetch(video: Video) -> Thumbnail:
    """The video's thumbnail, from the cache or the platform. NotFound when the platform sent
    none; UpstreamUnavailable (502) when it cannot be had or is not an image we accept."""
    url = video.thumbnail_url
    if not url:
        raise NotFound(_("Platform tidak mengirim gambar mini untuk video ini."))
    key = "thumbnail:v1:" + hashlib.sha256(url.encode()).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, Thumbnail):
        return cached
    if isinstance(cached, str):  # a recent failure
        raise UpstreamUnavailable(cached)
    try:
        thumbnail = _download(url)
    except UpstreamUnavailable as exc:
        cache.set(key, exc.detail, timeout=FAILURE_CACHE_SECONDS)
        raise
    cache.set(key, thumbnail, timeout=settings.SARING["THUMBNAIL_CACHE_SECONDS"])
    return thumbnail
