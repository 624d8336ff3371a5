"""Delivery exceptions on pages of the apps below tracking (the customer's order page), without
those apps importing tracking: ``{% load tracking_tags %}{% order_delivery_exceptions order %}``."""

from django import template

from ..selectors import exceptions_of_order

register = template.Library()


@register.inclusion_tag("tracking/_order_exceptions.html")
def order_delivery_exceptions(order):
    return {"exceptions": exceptions_of_order(order=order) if order.shipped_at else [], "order": order}
