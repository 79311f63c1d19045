"""The public API under /api/v1; each area adds its own router here."""

from ninja import NinjaAPI

api = NinjaAPI(title="Admissions API", version="1", urls_namespace="api")
