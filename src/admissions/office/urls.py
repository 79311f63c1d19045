from django.urls import include, path

app_name = "office"
urlpatterns = [
    path("finance/", include("admissions.office.finance.urls")),
]
