"""Agenda topic details and meeting notes keep their sanitized HTML next to the markdown.

The data step renders the rows written before this migration, in batches, with
the same function save() uses (config.text.render_markdown).
"""

from django.db import migrations, models

from config.text import render_markdown

BATCH = 500


def render_existing(apps, schema_editor):
    for model_name, field, html_field in (
        ("AgendaTopic", "details", "details_html"),
        ("Meeting", "notes", "notes_html"),
    ):
        model = apps.get_model("meetings", model_name)
        rows = model.objects.exclude(**{field: ""}).only("pk", field).order_by("pk")
        batch = []
        for row in rows.iterator(chunk_size=BATCH):
            setattr(row, html_field, str(render_markdown(getattr(row, field))))
            batch.append(row)
            if len(batch) == BATCH:
                model.objects.bulk_update(batch, [html_field])
                batch = []
        if batch:
            model.objects.bulk_update(batch, [html_field])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_i18n_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendatopic",
            name="details_html",
            field=models.TextField(blank=True, editable=False, verbose_name="details as HTML"),
        ),
        migrations.AddField(
            model_name="meeting",
            name="notes_html",
            field=models.TextField(blank=True, editable=False, verbose_name="notes as HTML"),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop, elidable=True),
    ]
