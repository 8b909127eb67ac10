import django.core.serializers.json
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_background_tasks"),
    ]

    operations = [
        migrations.AddField(
            model_name="backgroundtask",
            name="progress",
            field=models.JSONField(
                blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True
            ),
        ),
    ]
