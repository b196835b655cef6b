"""HTTP API v1 (API.md): one NinjaAPI, routers mounted from each capability."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from lingjun.accounts.services import user_for_token
from lingjun.core import api_errors


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)  # raises invalid_token / token_expired (401)
        request.user = user  # the row scope (core.scoping) is resolved from request.user
        return user


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese left readable (no \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="领军人才培训管理平台 API",
    version="1",
    description="中小企业经营管理领军人才培训管理平台的 HTTP 接口。错误体：{code, detail, errors[]}。",
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api_errors.install(api)

from lingjun.accounts.api import router as accounts_router  # noqa: E402
from lingjun.alumni.api import router as alumni_router  # noqa: E402
from lingjun.attendance.api import router as attendance_router  # noqa: E402
from lingjun.certificates.api import router as certificates_router  # noqa: E402
from lingjun.classes.api import router as classes_router  # noqa: E402
from lingjun.core.api import router as core_router  # noqa: E402
from lingjun.evaluations.api import router as evaluations_router  # noqa: E402
from lingjun.institutions.api import router as institutions_router  # noqa: E402
from lingjun.programmes.api import router as programmes_router  # noqa: E402
from lingjun.reference.api import router as reference_router  # noqa: E402
from lingjun.registrations.api import router as registrations_router  # noqa: E402

api.add_router("", accounts_router)
api.add_router("", core_router)
api.add_router("", programmes_router)
api.add_router("", institutions_router)
api.add_router("", registrations_router)
api.add_router("", classes_router)
api.add_router("", reference_router)
api.add_router("", attendance_router)
api.add_router("", certificates_router)
api.add_router("", evaluations_router)
api.add_router("", alumni_router)
