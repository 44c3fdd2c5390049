from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_reference_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="view_count",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="jumlah tayangan"),
        ),
    ]
