"""The public API under /api/v1; each area adds its own router here."""

import re
import threading
from collections.abc import Sequence
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, get_script_prefix
from django.urls.resolvers import RegexPattern, get_ns_resolver
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.openapi.urls import get_openapi_urls, get_root_url
from ninja.router import BoundRouter, Router

from admissions.api import errors
from admissions.core.namespaces import NamespaceOnUse

DESCRIPTION = """\
Admissions to Mastères Spécialisés: the public catalogue, the candidate's own files and the
staff's work on them. Sign in with the site's session (browsers; unsafe methods need the
CSRF token) or send a personal API token as `Authorization: Bearer <token>`. Writes accept
an `Idempotency-Key` header. Every error is `{code, message, details}`, in the language of
`Accept-Language`. See docs/api.md.
"""

# Each area's router, in the order their addresses are matched and documented.
AREAS = [
    ("/eligibility", "admissions.api.eligibility.router"),
    ("/me/profile", "admissions.api.profile.router"),
    ("/applications", "admissions.api.applications.router"),
    ("/applications", "admissions.api.file_parts.router"),
    ("/applications", "admissions.api.offer.router"),
    ("/applications", "admissions.api.file_payments.router"),
    ("/applications", "admissions.api.document_import.router"),
    ("/documents", "admissions.api.documents.router"),
    ("/payments", "admissions.api.payments.router"),
    ("/me/tokens", "admissions.api.tokens.router"),
    ("/me/data", "admissions.api.privacy.router"),
    ("/webhooks", "admissions.api.webhooks.router"),
    ("/catalogue", "admissions.api.catalogue.router"),
    ("/staff", "admissions.api.staff.router"),
    ("/staff", "admissions.api.review.router"),
    ("/staff/jury", "admissions.api.jury.router"),
    ("/staff", "admissions.api.places.router"),
    ("/staff/exports", "admissions.api.exports.router"),
    ("/staff", "admissions.api.bulk.router"),
    ("/staff", "admissions.api.reports.router"),
    ("/staff", "admissions.api.fees.router"),
    ("/staff", "admissions.api.outbox.router"),
    ("/staff", "admissions.api.finance.router"),
    ("/staff", "admissions.api.statements.router"),
    ("/staff", "admissions.api.sepa.router"),
    ("/staff", "admissions.api.confirmations.router"),
    ("/staff", "admissions.api.email_templates.router"),
    ("/staff", "admissions.api.catalogue_admin.router"),
    ("/staff", "admissions.api.new_file.router"),
]


class AdmissionsAPI(NinjaAPI):
    """The API whose areas are loaded when first used.

    An area's module builds the pydantic models of its operations when imported: all of them
    took about 20 MiB in each web worker. Each area is imported, and its router bound to the
    API as `add_router` would, by the first request that reaches it or by `reverse_in_area`
    of one of its names; all of them by a reverse() of an API name or by the OpenAPI
    document, which lists them in the order of `AREAS`. A request reaches the areas whose
    prefix starts its path, one after the other in the order of `AREAS`, until one has the
    address: `POST /applications` loads the first area under
    `/applications` only, `/staff/files` the first under `/staff`. The order in which the
    addresses are matched is the order of `AREAS`, as with routers added one by one.
    """

    def __init__(self, *, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.areas = areas
        self._bound_areas: dict[int, list[BoundRouter]] = {}
        self._binding = threading.Lock()

    def area(self, index: int) -> list[BoundRouter]:
        """The bound routers of one area, loaded and bound on first use."""
        bound = self._bound_areas.get(index)
        if bound is not None:
            return bound
        with self._binding:
            bound = self._bound_areas.get(index)
            if bound is None:
                prefix, name = self.areas[index]
                router = import_string(name)
                assert isinstance(router, Router)
                mounts = router.build_routers(prefix, self.default_router._decorators)
                bound = [BoundRouter(mount, self) for mount in mounts]
                for mount in mounts:
                    mount.template._freeze()
                self._bound_areas[index] = bound
        return bound

    def _get_bound_routers(self) -> list[BoundRouter]:
        routers = list(super()._get_bound_routers())
        for index in range(len(self.areas)):
            routers += self.area(index)
        return routers

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        result: list[URLResolver | URLPattern] = get_openapi_urls(self)
        for bound_router in super()._get_bound_routers():
            result.extend(bound_router.urls_paths(bound_router.prefix))
        result += [AreaResolver(self, index) for index in range(len(self.areas))]
        result.append(get_root_url(self))
        return result

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        errors.with_common_errors(schema)
        errors.with_links(schema)
        return schema


class AreaResolver(URLResolver):
    """The addresses of one area, made when a path under its prefix first reaches them.

    Its pattern consumes nothing (a lookahead on the prefix), so the area's addresses are
    ninja's own, whole, and reverse() composes them unchanged."""

    def __init__(self, api: AdmissionsAPI, index: int) -> None:
        prefix = api.areas[index][0].strip("/")
        pattern = RegexPattern(rf"^(?={re.escape(prefix)}(?:/|$))")
        super().__init__(pattern, [])
        self.api = api
        self.index = index

    @cached_property
    def urlconf_module(self) -> list[URLPattern]:
        patterns: list[URLPattern] = []
        for bound_router in self.api.area(self.index):
            patterns.extend(bound_router.urls_paths(bound_router.prefix))
        return patterns

    def __repr__(self) -> str:
        return f"<AreaResolver {self.pattern.describe()} {self.index}>"


class ApiNamespace(NamespaceOnUse):
    """The "api:" namespace, whose names are gathered only when a reverse() asks for one:
    gathering them loads every area of the API (`reverse_in_area` loads one)."""

    def __init__(self, api: AdmissionsAPI) -> None:
        super().__init__("", api.urls)


api = AdmissionsAPI(
    title="Admissions API",
    version="1",
    urls_namespace="api",
    description=DESCRIPTION,
    areas=AREAS,
)
errors.install(api)


def reverse_in_area(area: str, name: str, args: Sequence[Any] = ()) -> str:
    """`reverse("api:" + name, args=args)` for a name of the area whose router is `area` (its
    dotted path in `AREAS`), loading that area alone.

    Django's reverse() of a name of the "api:" namespace gathers every name of the namespace,
    which loads all the areas (about 17 MiB in a worker): an answer that links to itself, as
    the staff's list does, would make each worker that serves it hold the whole API. The
    address is composed as reverse() composes it: the namespace's prefix, then the area's
    own patterns, which are ninja's whole paths (the area's resolver consumes nothing)."""
    prefix, namespace = get_resolver().namespace_dict[api.urls_namespace]
    for pattern in namespace.url_patterns:
        if isinstance(pattern, AreaResolver) and pattern.api.areas[pattern.index][1] == area:
            break
    else:
        raise ValueError(f"no area of the API has the router {area}")
    resolver = get_ns_resolver(prefix, pattern, tuple(namespace.pattern.converters.items()))
    # What Django's reverse() calls on the resolver it makes; django-stubs leave it out.
    address = resolver._reverse_with_prefix(name, get_script_prefix(), *args)  # type: ignore[attr-defined]
    return str(address)
