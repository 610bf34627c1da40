"""Signing organizers in and out: session cookies, CSRF tokens on every form, safe headers."""

import hmac
import secrets
from collections.abc import Awaitable, Callable
from ipaddress import ip_address

from aiohttp import hdrs, web

from storage.organizers import OrganizerRecord, Organizers

SESSION_COOKIE = "hocso_admin"
LOGIN_COOKIE = "hocso_login"  # the sign-in form's CSRF token, before there is a session
ORGANIZERS_KEY = web.AppKey("organizers", Organizers)
ORGANIZER_KEY = web.RequestKey("organizer", OrganizerRecord)  # who is signed in
CSRF_KEY = web.RequestKey("csrf", str)  # the session's CSRF token, for its forms
Render = Callable[..., web.Response]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def set_cookie(response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    """An HTTP-only, same-site, Secure cookie for /admin. Browsers keep Secure cookies on
    http://localhost and 127.0.0.1 too, so trying it out on one machine still works."""
    response.set_cookie(name, value, max_age=max_age, path="/admin", httponly=True,
                        samesite="Strict", secure=True)


def _this_machine(host: str) -> bool:
    """Whether a browser that opened this host name counts it as the machine itself
    (localhost, 127.x.x.x, ::1), where it keeps Secure cookies over plain http."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def needs_https(request: web.Request) -> bool:
    """Whether the browser opened the dashboard over plain http at an address other than the
    machine itself (a LAN address with HOCSO_HOST=0.0.0.0): it then drops the Secure cookies,
    and no sign-in can work. Behind a reverse proxy only its X-Forwarded-Proto can tell; a
    proxy that sends none is taken to serve https."""
    proto = request.headers.get("X-Forwarded-Proto", "")
    if proto:
        plain = proto.split(",")[-1].strip().lower() == "http"
    elif request.headers.get(hdrs.X_FORWARDED_FOR):
        return False
    else:
        plain = not request.secure
    return plain and not _this_machine(request.url.host or "")


def https_needed_message(request: web.Request) -> str:
    """What to do instead, in plain words, with the address that works on the server."""
    port = request.url.port
    here = f"http://127.0.0.1{f':{port}' if port and port != 80 else ''}/admin/"
    return ("Trang quản lý chỉ đăng nhập được qua kết nối bảo mật (https). Bạn đang mở trang "
            "bằng http thường, không bảo mật: mật khẩu gửi như vậy có thể bị người cùng mạng "
            "đọc được, nên trình duyệt không giữ phiên đăng nhập. Bạn hãy mở "
            f"trang ngay trên máy chủ, tại {here}, hoặc nhờ người quản trị cài https cho "
            "trang nhé.")


def same(a: str, b: str) -> bool:
    """Compare two tokens in constant time; empty never matches."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No caching, no framing, no scripts or styles from elsewhere: on errors too."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
        _protect(response)
        raise
    _protect(response)
    return response


def _protect(response: web.StreamResponse) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")


def signed_in(handler: Handler) -> Handler:
    """Let the handler run only with a live session; otherwise go to the sign-in page."""
    async def guarded(request: web.Request) -> web.StreamResponse:
        found = await request.app[ORGANIZERS_KEY].session(
            request.cookies.get(SESSION_COOKIE, ""))
        if found is None:
            raise web.HTTPSeeOther("/admin/login")
        request[ORGANIZER_KEY], request[CSRF_KEY] = found
        return await handler(request)
    return guarded


def organizer(request: web.Request) -> OrganizerRecord:
    """The organizer signed in for this request (inside a `signed_in` handler)."""
    return request[ORGANIZER_KEY]


async def login_form(request: web.Request, render: Render, message: str = "",
                     status: int = 200) -> web.Response:
    """The sign-in page, with a fresh CSRF token in a cookie and in the form; over plain http
    from elsewhere, no form but what to do instead (the cookie could not come back)."""
    token = secrets.token_urlsafe(24)
    if needs_https(request):
        return render("login.html", status=403 if request.method == "POST" else 200, csrf="",
                      message=https_needed_message(request), needs_https=True)
    response = render("login.html", status=status, csrf=token, message=message,
                      needs_https=False)
    set_cookie(response, LOGIN_COOKIE, token, max_age=3600)
    return response


async def login(request: web.Request, render: Render) -> web.Response:
    """Check the form's CSRF token, then the password; start a session or say why not."""
    form = await request.post()
    if needs_https(request):  # the form's cookie never came back: say why, check nothing
        return await login_form(request, render)
    if not same(str(form.get("csrf", "")), request.cookies.get(LOGIN_COOKIE, "")):
        return await login_form(request, render, "Trang đăng nhập đã cũ. Bạn thử lại nhé.",
                                status=403)
    result = await request.app[ORGANIZERS_KEY].sign_in(
        str(form.get("login", ""))[:64].strip(), str(form.get("password", ""))[:256],
        address=request.remote or "")
    if result.busy:
        return await login_form(request, render, "Máy này đã thử đăng nhập quá nhiều lần. "
                                "Bạn chờ 15 phút rồi thử lại nhé.", status=429)
    if result.locked:
        return await login_form(request, render, "Bạn đã nhập sai mật khẩu nhiều lần, nên tên "
                                "đăng nhập này tạm bị khóa trên máy này. Bạn thử lại sau 15 "
                                "phút nhé.", status=429)
    if result.slowed:
        return await login_form(request, render, "Tên đăng nhập này đang bị thử đăng nhập rất "
                                "nhiều lần từ nơi khác. Bạn chờ khoảng một phút rồi thử lại "
                                "nhé.", status=429)
    if not result.token:
        return await login_form(request, render, "Sai tên đăng nhập hoặc mật khẩu.",
                                status=401)
    response = web.HTTPSeeOther("/admin/")
    set_cookie(response, SESSION_COOKIE, result.token, max_age=12 * 3600)
    response.del_cookie(LOGIN_COOKIE, path="/admin")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session (a POST with the session's CSRF token)."""
    form = await request.post()
    if not same(str(form.get("csrf", "")), request[CSRF_KEY]):
        raise web.HTTPForbidden(text="Yêu cầu không hợp lệ.")
    await request.app[ORGANIZERS_KEY].sign_out(request.cookies.get(SESSION_COOKIE, ""))
    response = web.HTTPSeeOther("/admin/login")
    response.del_cookie(SESSION_COOKIE, path="/admin")
    raise response
