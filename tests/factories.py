"""factory_boy factories for every model tests need. Personas live in conftest.py."""

import base64
import secrets
from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from moderation.choices import (
    Action,
    ClarificationRating,
    ClarificationStatus,
    FlagSource,
    Ground,
    OrganisationKind,
    Reason,
)
from moderation.models import (
    Case,
    Clarification,
    Decision,
    Flag,
    Organisation,
    Platform,
    PlatformSecret,
    User,
    Video,
)

DEFAULT_PASSWORD = "correct-horse-battery-staple"


def whsec() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.upper())
    kind = OrganisationKind.OTHER


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = "tiktok"
    name = "TikTok"
    organisation = factory.SubFactory(
        OrganisationFactory, slug=factory.SelfAttribute("..slug"), kind=OrganisationKind.PLATFORM
    )
    callback_url = "http://127.0.0.1:9/callbacks"
    callback_secret = factory.LazyFunction(whsec)

    @factory.post_generation
    def inbound_secret(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            PlatformSecret.objects.create(platform=self, secret=extracted or whsec())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            self.save()
            for role in extracted or []:
                self.groups.add(Group.objects.get(name=role))


class VideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Video

    platform = factory.SubFactory(PlatformFactory)
    platform_video_id = factory.Sequence(lambda n: f"73{n:017d}")
    url = factory.LazyAttribute(
        lambda o: f"https://www.tiktok.com/@akun/video/{o.platform_video_id}"
    )
    author_id = factory.Sequence(lambda n: f"68{n:017d}")
    author_handle = factory.Sequence(lambda n: f"@akun{n}")
    caption = "Katanya TPS tutup jam 10 pagi, benarkah?"
    language = "id"
    region = "ID"
    view_count = 12_000
    view_count_updated_at = factory.LazyFunction(timezone.now)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    video = factory.SubFactory(VideoFactory)
    platform = factory.SelfAttribute("video.platform")
    reasons = factory.LazyFunction(lambda: [Reason.HOAX])
    flag_count = 1
    priority = 50
    language = "id"
    opened_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=8))


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    case = factory.SubFactory(CaseFactory)
    video = factory.SelfAttribute("case.video")
    platform = factory.SelfAttribute("case.platform")
    platform_flag_id = factory.Sequence(lambda n: f"flg_{n:010d}")
    reason = Reason.HOAX
    source = FlagSource.USER_REPORT
    flagged_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyFunction(timezone.now)


class ClarificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clarification

    claim = "Pemilih tanpa undangan C6 tidak boleh mencoblos."
    rating = ClarificationRating.FALSE
    title = "Pemilih cukup membawa KTP-el"
    body = "Pemilih yang terdaftar di DPT dapat memilih dengan menunjukkan KTP-el."
    sources = factory.LazyFunction(lambda: ["https://www.kpu.go.id/berita/baca/12345"])
    author = factory.SubFactory(UserFactory)
    status = ClarificationStatus.DRAFT


class PublishedClarificationFactory(ClarificationFactory):
    status = ClarificationStatus.PUBLISHED
    version = 1
    published_at = factory.LazyFunction(timezone.now)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    case = factory.SubFactory(CaseFactory, status="decided")
    action = Action.NO_ACTION
    ground = Ground.COMMUNITY_GUIDELINES
    category = Reason.HOAX
    statement_of_reasons = "Tidak melanggar pedoman komunitas."
    decided_by = factory.SubFactory(UserFactory)
    decided_at = factory.LazyFunction(timezone.now)
    case_version = 1


class IndexedClarificationFactory(PublishedClarificationFactory):
    """A published clarification whose search columns are filled, as publishing does."""

    class Meta:
        skip_postgeneration_save = True

    keywords = factory.LazyFunction(list)
    reasons = factory.LazyFunction(lambda: [Reason.HOAX])

    @factory.post_generation
    def search_columns(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            from moderation.clarifications.search import clarification_search_refresh

            clarification_search_refresh(clarification=self)
