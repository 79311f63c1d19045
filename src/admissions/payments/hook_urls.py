from django.urls import path

from admissions.payments import hooks

app_name = "payment_hooks"
urlpatterns = [path("<slug:provider>/", hooks.provider_hook, name="provider")]
