from django.contrib import admin

from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path

from .models import News

register_org_path("news.News", "organisation")


@admin.register(News)
class NewsAdmin(OrgScopedAdmin):
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("title", "published_on", "pinned", "is_published")
    list_filter = ("pinned", "is_published")
    list_editable = ("pinned",)
    search_fields = ("title", "body")
    date_hierarchy = "published_on"
    fields = ("organisation", "title", "body", "published_on", "pinned", "is_published")
