from django.contrib import admin

from .models import GeneratedUpc, Product, ProductMeasurement


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "customer", "upc", "is_active", "created_at"]
    list_filter = ["is_active", "currency"]
    search_fields = ["sku", "name", "upc", "customer__code"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]


@admin.register(ProductMeasurement)
class ProductMeasurementAdmin(admin.ModelAdmin):
    list_display = ["product", "actor", "created_at"]
    list_select_related = ["product", "actor"]
    readonly_fields = ["customer", "product", "actor", "old", "new", "created_at"]


@admin.register(GeneratedUpc)
class GeneratedUpcAdmin(admin.ModelAdmin):
    list_display = ["upc", "customer", "created_at"]
    search_fields = ["upc"]
    list_select_related = ["customer"]
