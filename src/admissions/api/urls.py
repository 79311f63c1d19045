from django.urls import path

from admissions.api.router import api

urlpatterns = [path("", api.urls)]
