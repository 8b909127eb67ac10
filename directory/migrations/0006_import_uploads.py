import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_background_task_progress"),
        ("directory", "0005_name_indexes_for_staff_lists"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportUpload",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("file_name", models.CharField(max_length=255)),
                ("content", models.BinaryField(help_text="The file, gzip-compressed")),
                (
                    "size",
                    models.PositiveBigIntegerField(
                        help_text="The file's size in bytes, uncompressed"
                    ),
                ),
                ("dialect", models.CharField(default="auto", max_length=10)),
                ("source_name", models.CharField(blank=True, max_length=255)),
                ("skip_invalid", models.BooleanField(default=False)),
                ("report", models.JSONField(blank=True, null=True)),
                (
                    "task",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.backgroundtask",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
    ]
