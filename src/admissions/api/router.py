"""The public API under /api/v1; each area adds its own router here."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from admissions.api import applications, eligibility, errors, profile, tokens, webhooks

DESCRIPTION = """\
Admissions to Mastères Spécialisés: the public catalogue, the candidate's own files and the
staff's work on them. Sign in with the site's session (browsers; unsafe methods need the
CSRF token) or send a personal API token as `Authorization: Bearer <token>`. Writes accept
an `Idempotency-Key` header. Every error is `{code, message, details}`, in the language of
`Accept-Language`. See docs/api.md.
"""


class AdmissionsAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        errors.with_common_errors(schema)
        errors.with_links(schema)
        return schema


api = AdmissionsAPI(
    title="Admissions API", version="1", urls_namespace="api", description=DESCRIPTION
)
errors.install(api)

api.add_router("/eligibility", eligibility.router)
api.add_router("/me/profile", profile.router)
api.add_router("/applications", applications.router)
api.add_router("/applications", "admissions.api.file_parts.router")
api.add_router("/applications", "admissions.api.offer.router")
api.add_router("/applications", "admissions.api.file_payments.router")
api.add_router("/applications", "admissions.api.document_import.router")
api.add_router("/documents", "admissions.api.documents.router")
api.add_router("/payments", "admissions.api.payments.router")
api.add_router("/me/tokens", tokens.router)
api.add_router("/me/data", "admissions.api.privacy.router")
api.add_router("/webhooks", webhooks.router)
api.add_router("/catalogue", "admissions.api.catalogue.router")
api.add_router("/staff", "admissions.api.staff.router")
api.add_router("/staff", "admissions.api.review.router")
api.add_router("/staff/jury", "admissions.api.jury.router")
api.add_router("/staff", "admissions.api.places.router")
api.add_router("/staff/exports", "admissions.api.exports.router")
api.add_router("/staff", "admissions.api.bulk.router")
api.add_router("/staff", "admissions.api.reports.router")
api.add_router("/staff", "admissions.api.fees.router")
api.add_router("/staff", "admissions.api.outbox.router")
api.add_router("/staff", "admissions.api.finance.router")
api.add_router("/staff", "admissions.api.statements.router")
api.add_router("/staff", "admissions.api.sepa.router")
api.add_router("/staff", "admissions.api.confirmations.router")
api.add_router("/staff", "admissions.api.email_templates.router")
api.add_router("/staff", "admissions.api.catalogue_admin.router")
api.add_router("/staff", "admissions.api.new_file.router")
