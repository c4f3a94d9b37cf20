# The public lottery without private facts: pseudonymous tickets per run, and the commitment to the
# instance, recorded before the seed is drawn (the seed is empty until then).

from django.db import migrations, models


def tickets_for_earlier_runs(apps, schema_editor):
    """Runs recorded before tickets get theirs now, so their lottery shows and each vendor sees their
    own. Their commitment stays empty: it was not recorded before their seed was drawn."""
    from booths.allocation.tickets import new_tickets

    AllocationRun = apps.get_model("booths", "AllocationRun")
    for pk in list(AllocationRun.objects.values_list("pk", flat=True)):
        lottery = AllocationRun.objects.filter(pk=pk).values_list("lottery", flat=True).get()
        if lottery:  # one run at a time: a large site's lottery holds 20,000 ids
            AllocationRun.objects.filter(pk=pk).update(tickets=new_tickets(list(lottery)))


class Migration(migrations.Migration):
    dependencies = [
        ("booths", "0004_allocation_run"),
    ]

    operations = [
        migrations.AlterField(
            model_name="allocationrun",
            name="seed",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="lottery seed"),
        ),
        migrations.AddField(
            model_name="allocationrun",
            name="seed_drawn",
            field=models.BooleanField(
                default=False,
                help_text="False when a person gave the seed.",
                verbose_name="seed drawn by the system",
            ),
        ),
        migrations.AddField(
            model_name="allocationrun",
            name="commitment",
            field=models.CharField(blank=True, max_length=64, verbose_name="commitment"),
        ),
        migrations.AddField(
            model_name="allocationrun",
            name="tickets",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(tickets_for_earlier_runs, migrations.RunPython.noop),
    ]
