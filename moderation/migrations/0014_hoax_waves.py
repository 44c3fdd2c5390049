# Hoax waves and attaching by search: a GIN index on the words of video captions
# (to_tsvector('simple', caption)), so that the captions sharing a caption's longest words are
# found through the index and only those are compared with it (pg_trgm's similarity()).
# Built CONCURRENTLY: the video table takes webhook inserts all day.

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations

import moderation.models.content


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("moderation", "0012_clarification_search"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="video",
            index=django.contrib.postgres.indexes.GinIndex(
                moderation.models.content.CaptionWords("caption"), name="video_caption_words"
            ),
        ),
    ]
