from django.contrib import admin

from search.models import SearchEntry


@admin.register(SearchEntry)
class SearchEntryAdmin(admin.ModelAdmin):
    """The index, read-only: rows are written by the indexing path (``search/index.py``)."""

    list_display = ["title", "kind", "language", "config", "updated_at"]
    list_filter = ["kind", "language", "config"]
    search_fields = ["title"]
    readonly_fields = ["kind", "object_id", "language", "config", "title", "summary", "url", "themes", "countries"]
    exclude = ["vector", "body"]

    def has_add_permission(self, request):
        return False
