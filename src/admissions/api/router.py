"""The public API under /api/v1; each area adds its own router here."""

from ninja import NinjaAPI

from admissions.api import applications, eligibility, errors, profile, tokens, webhooks

api = NinjaAPI(title="Admissions API", version="1", urls_namespace="api")
errors.install(api)

api.add_router("/eligibility", eligibility.router)
api.add_router("/me/profile", profile.router)
api.add_router("/applications", applications.router)
api.add_router("/applications", "admissions.api.file_parts.router")
api.add_router("/documents", "admissions.api.documents.router")
api.add_router("/payments", "admissions.api.payments.router")
api.add_router("/me/tokens", tokens.router)
api.add_router("/webhooks", webhooks.router)
api.add_router("/catalogue", "admissions.api.catalogue.router")
api.add_router("/staff", "admissions.api.staff.router")
