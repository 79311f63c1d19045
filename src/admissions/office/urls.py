from django.urls import include, path

from admissions.office import confirm_views, views

app_name = "office"
urlpatterns = [
    path("", views.home, name="home"),
    path("rules-to-confirm/", confirm_views.values_page, name="to_confirm"),
    path("rules-to-confirm/<int:pk>/confirm/", confirm_views.confirm, name="confirm_value"),
    path("finance/", include("admissions.office.finance.urls")),
]
