"""The production WSGI application with one more route, the bare view, for `load.py`.

The bare view answers a constant string through the same server, middleware and URL
resolver as every other page: what it reaches is the most any page can reach on the
machine, and the other figures are given as shares of it. The memory view, last among the
routes, answers what the worker's allocators hold (`allocators.py`, for
`worker_memory.py --allocators`).
"""

from __future__ import annotations

import importlib

from allocators import MEMORY_PATH, allocators
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import clear_url_caches, path

from admissions.wsgi import application

BARE_PATH = "bench/bare"


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def memory(request: HttpRequest) -> JsonResponse:
    return JsonResponse(allocators())


# Read once Django is set up: the project's URLs import models.
urlpatterns = importlib.import_module(settings.ROOT_URLCONF).urlpatterns
urlpatterns.insert(0, path(BARE_PATH, bare))
urlpatterns.append(path(MEMORY_PATH, memory))
clear_url_caches()

__all__ = ["application"]
