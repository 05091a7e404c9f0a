"""`supplier_engagement:detail`: where `Task.get_absolute_url` sends an engagement (queues, search,
notifications) — the engaged record's page, at the engagement in its supplier panel."""

from django.urls import path

from suppliers.views import panel

app_name = "supplier_engagement"
urlpatterns = [path("<int:pk>/", panel.engagement_detail, name="detail")]
