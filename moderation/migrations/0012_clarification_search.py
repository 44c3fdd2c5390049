# What clarification suggestions match on: keywords and reasons chosen by the author, and search
# columns derived from the text (PostgreSQL full text search, `indonesian` configuration, and
# pg_trgm), indexed for published clarifications only.

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


def fill_search_columns(apps, schema_editor):
    from moderation.clarifications.search import search_document, write_search_columns

    Clarification = apps.get_model("moderation", "Clarification")
    with schema_editor.connection.cursor() as cursor:
        for clarification in Clarification.objects.all().iterator():
            document = search_document(
                claim=clarification.claim,
                title=clarification.title,
                keywords=clarification.keywords,
                body=clarification.body,
                title_en=clarification.title_en,
                body_en=clarification.body_en,
            )
            write_search_columns(
                cursor, table=Clarification._meta.db_table, pk=clarification.pk, document=document
            )


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0011_audit_actions_for_policy_edits'),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name='clarification',
            name='keywords',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=100), blank=True, default=list, verbose_name='kata kunci'),
        ),
        migrations.AddField(
            model_name='clarification',
            name='reasons',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('hoax', 'Hoaks'), ('disinformation', 'Disinformasi'), ('defamation', 'Fitnah'), ('hate_speech', 'Ujaran kebencian'), ('sara', 'SARA'), ('incitement', 'Hasutan'), ('quiet_period_campaign', 'Kampanye di masa tenang'), ('official_impersonation', 'Peniruan pejabat/lembaga'), ('voter_suppression', 'Penghalangan pemilih'), ('civil_servant_partisanship', 'ASN tidak netral'), ('other', 'Lainnya')], max_length=40), blank=True, default=list, verbose_name='alasan terkait'),
        ),
        migrations.AddField(
            model_name='clarification',
            name='search_phrases',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='clarification',
            name='search_text',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='clarification',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='clarification',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('status', 'published')), fields=['search_vector'], name='clarification_search_vector'),
        ),
        migrations.AddIndex(
            model_name='clarification',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass('search_text', name='gin_trgm_ops'), condition=models.Q(('status', 'published')), name='clarification_search_trgm'),
        ),
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop),
    ]
