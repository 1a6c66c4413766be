"""Posts, replies and thanks keep their text as HTML, rendered when written (RenderedText).

The data step renders every existing row through config.text, the one sanitizer, in
batches, so a thread page never renders markdown when it is read.
"""

from django.db import migrations, models

from config.text import render_markdown

BATCH = 2_000
FIELDS = (
    ("Post", "body", "body_html"),
    ("Reply", "body", "body_html"),
    ("Thanks", "note", "note_html"),
)


def render_existing(apps, schema_editor):
    for model_name, source, target in FIELDS:
        model = apps.get_model("conversations", model_name)
        batch = []
        for row in model.objects.only("pk", source).order_by("pk").iterator(chunk_size=BATCH):
            setattr(row, target, str(render_markdown(getattr(row, source))))
            batch.append(row)
            if len(batch) >= BATCH:
                model.objects.bulk_update(batch, [target])
                batch = []
        if batch:
            model.objects.bulk_update(batch, [target])


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0004_i18n_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="body_html",
            field=models.TextField(blank=True, editable=False, verbose_name="body as HTML"),
        ),
        migrations.AddField(
            model_name="reply",
            name="body_html",
            field=models.TextField(blank=True, editable=False, verbose_name="body as HTML"),
        ),
        migrations.AddField(
            model_name="thanks",
            name="note_html",
            field=models.TextField(blank=True, editable=False, verbose_name="note as HTML"),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop, elidable=True),
    ]
