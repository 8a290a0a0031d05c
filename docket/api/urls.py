"""/api/: the items, register, approvals and exports routers on one django-ninja API, each route
declared for the authorization matrix (docket/api/base.py)."""

from docket.api import approvals, exports, items, register
from docket.api.base import api, declared_patterns

api.add_router("", items.router)
api.add_router("", register.router)
api.add_router("", approvals.router)
api.add_router("", exports.router)

app_name = "api"
urlpatterns = declared_patterns(api.urls[0])
