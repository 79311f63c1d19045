from django.urls import include, path

from admissions.office import views

app_name = "office"
urlpatterns = [
    path("", views.home, name="home"),
    path("finance/", include("admissions.office.finance.urls")),
]
