"""Template filters that write things as people write them."""

from django import template

from apps.core.numbers import day_range

register = template.Library()


@register.simple_tag
def days(low, high) -> str:
    """{% days channel.transit_days_min channel.transit_days_max %} → "3 days" or "3–5 days"."""
    return day_range(low, high)
