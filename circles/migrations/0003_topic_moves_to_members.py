# Topic now belongs to members (members/migrations/0003_topic.py made it there,
# on the same table): circles' topics point at it, and circles forgets its own.
# Nothing changes in the database.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("circles", "0002_invitation"),
        ("members", "0003_topic"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="circle",
                    name="topics",
                    field=models.ManyToManyField(blank=True, related_name="circles", to="members.topic"),
                ),
                migrations.DeleteModel(name="Topic"),
            ],
        ),
    ]
