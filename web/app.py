"""The web application (DESIGN §10): `create_app(services)` wires the pages, the applicant's lookup and the JSON API
onto the services of one `bootstrap.App`. `ogi web` and `ogi up` serve it with uvicorn."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bootstrap import App
from engine.errors import OgiError
from web import (
    admin,
    api,
    attachment_pages,
    document_pages,
    lookup,
    oversight,
    pages,
    portal_applicant,
    portal_apply,
    queue_pages,
    registration_pages,
    released_pages,
    reports,
    request_pages,
)
from web.errors import LastResort, http_error_handler, input_error_handler, ogi_error_handler, refuse_input
from web.inputs import InputBoundary

STATIC = Path(__file__).parent / "static"


def create_app(services: App) -> FastAPI:
    app = FastAPI(title="ogi", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = services
    app.add_exception_handler(OgiError, ogi_error_handler)
    app.add_exception_handler(RequestValidationError, input_error_handler)  # pages: the Chinese error page
    app.add_exception_handler(StarletteHTTPException, http_error_handler)  # no route (404), wrong method (405)
    # innermost first: InputBoundary refuses hostile input before routing; LastResort catches what no handler took
    # (the boundary's own failures too); the security headers (added last, so outermost) go on every answer
    app.add_middleware(InputBoundary, refuse=refuse_input)
    app.add_middleware(LastResort)

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
        if request.url.path not in ("/healthz",) and not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")  # pages hold personal data
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        problem = services.database_problem()
        if problem:
            return JSONResponse({"status": "error", "database": problem}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(queue_pages.router)
    app.include_router(registration_pages.router)  # /requests/new before /requests/{request_id}
    app.include_router(attachment_pages.router)
    app.include_router(released_pages.router)  # 提供的信息文件 (issue 20)
    app.include_router(request_pages.router)
    app.include_router(document_pages.router)
    app.include_router(lookup.router)
    app.include_router(portal_apply.router)  # /apply: the online application (issue 20)
    app.include_router(portal_applicant.router)  # /my: the applicant's own page
    app.include_router(reports.router)
    app.include_router(oversight.router)
    app.include_router(admin.router)
    app.mount("/api/v1", api.create_api(services))
    return app
