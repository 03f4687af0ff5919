"""Settings an admin changes while the studio runs, in the Django admin (one row): things that are policy for
the team rather than configuration of the deployment."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

DEFAULT_MAX_TAKES = 4
MAX_TAKES_CEILING = 12


class StudioSettings(models.Model):
    """The one row of studio-wide settings (pk 1, a constraint); `current()` reads it, or the defaults."""

    max_takes = models.PositiveSmallIntegerField(
        "most takes at once",
        default=DEFAULT_MAX_TAKES,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TAKES_CEILING)],
        help_text=f"How many takes of one composition a creative may submit at once (1-{MAX_TAKES_CEILING}; "
        "1 switches takes off). Each take is a job with its own reservation.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "studio settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="studio_settings_single_row"),
            models.CheckConstraint(
                condition=Q(max_takes__gte=1, max_takes__lte=MAX_TAKES_CEILING), name="max_takes_1_to_12"
            ),
        ]

    def __str__(self) -> str:
        return "Studio settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> StudioSettings:
        """The row, or the defaults while no admin has saved it (one query, never a write on a page view)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
