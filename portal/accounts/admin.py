from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((None, {"fields": ("phone", "display_name")}),)
    list_display = ("username", "display_name", "masked_phone", "is_staff")
    search_fields = ("username", "display_name")
