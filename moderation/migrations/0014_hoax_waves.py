# Hoax waves: a trigram index on video captions, so that the cases whose captions are
# near-identical to a decided one (pg_trgm's `%`) or carry the same hashtags (`~*`) are found
# through the index. Built CONCURRENTLY: the video table takes webhook inserts all day.

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("moderation", "0012_clarification_search"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="video",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("caption", name="gin_trgm_ops"),
                name="video_caption_trgm",
            ),
        ),
    ]
