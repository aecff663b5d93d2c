"""Interactive API documentation that works offline.

FastAPI's default /docs and /redoc pages load Swagger UI and ReDoc from a public CDN, so behind a
strict proxy or without a network they are blank. Here both pages load the same assets from the
API itself, taken from the ``fastapi-offline`` package (installed with the API's requirements).
"""
from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSET_PACKAGE = "fastapi_offline"
ASSETS_PATH = "/docs-assets"


def install_offline_docs(app: FastAPI) -> None:
    """Serve /docs (Swagger UI) and /redoc (ReDoc) with every script, style and icon from this server."""
    app.mount(ASSETS_PATH, StaticFiles(directory=str(files(ASSET_PACKAGE) / "static")), name="docs-assets")
    title = f"{app.title} - documentation"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title=title,
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js", swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url, title=title, redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png", with_google_fonts=False,
        )
