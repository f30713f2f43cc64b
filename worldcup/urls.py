from django.contrib import admin
from django.urls import include, path

from results import api

admin.site.site_header = "World Cup results"
admin.site.site_title = "World Cup results"
admin.site.index_title = "Seasons, events, races and results"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls()),
    path("", include("results.urls")),
]

handler400 = "results.views.bad_request"
handler404 = "results.views.not_found"
