from ninja import Router, Schema

from lingjun.core import permissions
from lingjun.core.middleware import client_ip
from lingjun.core.schemas import ERRORS, Int
from lingjun.reference.models import Region

from . import services
from .models import User

router = Router(tags=["身份与账户"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    role: str
    region: str | None
    institution: int | None
    expires_in: int


@router.post("/auth/token", auth=None, response={200: TokenOut, **ERRORS}, summary="用户名密码换取访问令牌")
def obtain_token(request, payload: TokenIn):
    from django.conf import settings

    ip = client_ip(request)
    user = services.sign_in(payload.username, payload.password, ip, request)
    token = services.issue_token(user, ip)
    return {
        "token": token,
        "role": user.role,
        "region": user.region_id,
        "institution": user.institution_id,
        "expires_in": settings.API_TOKEN_TTL_HOURS * 3600,
    }


@router.delete("/auth/token", response={204: None, **ERRORS}, summary="撤销当前访问令牌")
def revoke_token(request):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.revoke_token(header[7:].strip())
    return 204, None


class UserIn(Schema):
    username: str
    password: str
    role: str
    region: str | None = None
    institution: Int | None = None
    display_name: str | None = None


class UserOut(Schema):
    id: int
    username: str
    role: str
    region: str | None
    institution: int | None
    display_name: str

    @staticmethod
    def resolve_region(obj):
        return obj.region_id

    @staticmethod
    def resolve_institution(obj):
        return obj.institution_id


@router.post("/users", response={201: UserOut, **ERRORS}, summary="创建用户（中小企业局、人才交流中心）")
def create_user(request, payload: UserIn):
    user = services.create_user(
        request.auth,
        username=payload.username,
        password=payload.password,
        role=payload.role,
        region=payload.region,
        institution=payload.institution,
        display_name=payload.display_name or "",
    )
    return 201, user


class UserPage(Schema):
    items: list[UserOut]
    count: int


@router.get("/users", response={200: UserPage, **ERRORS}, summary="用户列表")
def list_users(request, role: str | None = None, limit: int = 100, offset: int = 0):
    permissions.check(request.auth, "user.list")
    qs = User.objects.order_by("username")
    if role:
        qs = qs.filter(role=role)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get("/users/me", response={200: UserOut, **ERRORS}, summary="当前用户")
def me(request):
    return request.auth


class RegionOut(Schema):
    code: str
    name: str
    kind: str
    short_name: str
    parent: str | None

    @staticmethod
    def resolve_parent(obj):
        return obj.parent_id


class RegionPage(Schema):
    items: list[RegionOut]
    count: int


@router.get("/regions", response={200: RegionPage, **ERRORS}, summary="37个名额单位")
def regions(request):
    permissions.check(request.auth, "region.view")
    items = list(Region.objects.order_by("code"))
    return {"items": items, "count": len(items)}
