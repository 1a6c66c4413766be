# Topic moves from circles down to members (a profile's "can help with" and
# "looking for" are topics, and members builds on no other app). Only Django's
# picture of the models changes: the table keeps its name, circles_topic, and
# the two profile tables and circles_circle_topics keep their rows and keys, so
# no data moves. The content type (and with it the permissions and the admin's
# log entries about topics) is relabelled circles -> members.

from django.db import migrations, models


def relabel(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=new, model="topic").exists():
        types.filter(app_label=old, model="topic").update(app_label=new)
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, "circles", "members")


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, "members", "circles")


class Migration(migrations.Migration):

    dependencies = [
        ("circles", "0002_invitation"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0002_profile_and_suspension"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Topic",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=60, unique=True)),
                        ("slug", models.SlugField(max_length=60, unique=True)),
                    ],
                    options={"ordering": ["name"], "db_table": "circles_topic"},
                ),
                migrations.AlterField(
                    model_name="profile",
                    name="can_help_with",
                    field=models.ManyToManyField(blank=True, related_name="helper_profiles", to="members.topic"),
                ),
                migrations.AlterField(
                    model_name="profile",
                    name="looking_for",
                    field=models.ManyToManyField(blank=True, related_name="seeker_profiles", to="members.topic"),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
