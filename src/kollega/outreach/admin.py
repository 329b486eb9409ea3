"""The operators' view of outreach (Django admin). Coordinators work in Kollega's own pages."""

from django.contrib import admin

from kollega.outreach.models import Channel, ProgrammePage


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("__str__", "programme", "key", "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("key", "programme__slug")
    # The tag is in links already shared: changing it here would break them silently.
    readonly_fields = ("key",)


@admin.register(ProgrammePage)
class ProgrammePageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "published_at", "updated_at")
    list_filter = ("published_at",)
    readonly_fields = ("published_at",)
