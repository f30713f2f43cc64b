from django.contrib import admin
from django.urls import path

admin.site.site_header = "World Cup results"
admin.site.site_title = "World Cup results"
admin.site.index_title = "Seasons, events, races and results"

urlpatterns = [
    path("admin/", admin.site.urls),
]
