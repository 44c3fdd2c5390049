"""The search columns of a clarification, derived from its text (see models.Clarification)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from moderation.clarifications.matching import stems, terms
from moderation.models import Clarification

# The caption side (suggestions.py) builds its lexemes with the same configuration.
TEXT_SEARCH_CONFIG = "indonesian"
SEARCH_FIELDS = ["search_vector", "search_text", "search_phrases"]

_UPDATE = """
UPDATE {table} SET
    search_vector = setweight(to_tsvector('indonesian', %(weight_a)s), 'A')
                 || setweight(to_tsvector('indonesian', %(weight_b)s), 'B')
                 || setweight(to_tsvector('english', %(english)s), 'D'),
    search_text = %(text)s,
    search_phrases = ARRAY(
        SELECT array_to_string(tsvector_to_array(to_tsvector('indonesian', phrase)), ' ')
        FROM unnest(%(phrases)s::text[]) WITH ORDINALITY AS p(phrase, n)
        ORDER BY n
    )
WHERE id = %(id)s
"""


@dataclass(frozen=True, slots=True)
class SearchDocument:
    weight_a: str  # roots of the claim, title and keywords
    weight_b: str  # roots of the body
    english: str  # the English title and body, as written
    text: str  # the normalised content words of the Indonesian text, each once
    phrases: list[str]  # roots of the claim, the title and each keyword


def search_document(
    *,
    claim: str,
    title: str,
    keywords: Sequence[str],
    body: str,
    title_en: str = "",
    body_en: str = "",
) -> SearchDocument:
    headline = [claim, title, *keywords]
    words: dict[str, None] = {}
    for part in [*headline, body]:
        for term in terms(part):
            words.setdefault(term.word, None)
    return SearchDocument(
        weight_a=" ".join(stems(part) for part in headline),
        weight_b=stems(body),
        english=f"{title_en}\n{body_en}".strip(),
        text=" ".join(words),
        phrases=[stems(part) for part in headline],
    )


def write_search_columns(cursor: Any, *, table: str, pk: int, document: SearchDocument) -> None:
    """One UPDATE; shared with the migration that fills the columns of existing rows."""
    cursor.execute(
        _UPDATE.format(table=connection.ops.quote_name(table)),
        {
            "id": pk,
            "weight_a": document.weight_a,
            "weight_b": document.weight_b,
            "english": document.english,
            "text": document.text,
            "phrases": document.phrases,
        },
    )


def clarification_search_refresh(*, clarification: Clarification) -> None:
    """Recompute the search columns of one clarification from its current text.

    The publish service calls it inside its transaction, so the published text and what
    suggestions match on change together. Touches only the search columns (not updated_at);
    a full ``save()`` of an instance loaded before the refresh would write the old ones back.
    """
    document = search_document(
        claim=clarification.claim,
        title=clarification.title,
        keywords=clarification.keywords,
        body=clarification.body,
        title_en=clarification.title_en,
        body_en=clarification.body_en,
    )
    with connection.cursor() as cursor:
        write_search_columns(
            cursor, table=Clarification._meta.db_table, pk=clarification.pk, document=document
        )
    # A later full save() of this instance must write these values back, not stale ones.
    clarification.refresh_from_db(fields=SEARCH_FIELDS)
