"""The operators' view of the core (Django admin). Staff work in Kollega's own pages."""

from django.contrib import admin

from kollega.core import models


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "support_email")
    search_fields = ("name", "slug")


@admin.register(models.StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role")
    list_filter = ("role", "organisation")
    search_fields = ("user__email", "user__full_name")


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "slug", "registration_opens_at", "registration_closes_at")
    list_filter = ("organisation",)


@admin.register(models.Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("user", "programme", "status", "registered_at")
    list_filter = ("status", "programme")
    search_fields = ("user__email", "user__full_name", "company_name")
    readonly_fields = ("status", "status_changed_at")


@admin.register(models.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "subject", "actor", "organisation")
    list_filter = ("action",)
    search_fields = ("subject", "action")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
