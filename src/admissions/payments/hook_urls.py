from django.urls import URLPattern

app_name = "payment_hooks"
urlpatterns: list[URLPattern] = []
