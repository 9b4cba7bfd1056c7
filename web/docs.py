"""/docs: Swagger UI served from the ``swagger-ui-bundle-v2`` package, so it works without internet."""

from __future__ import annotations

from flask import Blueprint, Flask, send_from_directory

ASSETS = "/docs/assets"


def _asset_dir() -> str:
    import swagger_ui_bundle

    return str(swagger_ui_bundle.swagger_ui_path)


def config() -> dict:
    """APIFlask settings that point its Swagger UI page at our own copies of the assets."""
    return {
        "SWAGGER_UI_CSS": f"{ASSETS}/swagger-ui.css",
        "SWAGGER_UI_BUNDLE_JS": f"{ASSETS}/swagger-ui-bundle.js",
        "SWAGGER_UI_STANDALONE_PRESET_JS": f"{ASSETS}/swagger-ui-standalone-preset.js",
        "DOCS_FAVICON": f"{ASSETS}/favicon-32x32.png",
        # no validator badge (it would call validator.swagger.io); keep the token across reloads
        "SWAGGER_UI_CONFIG": {"validatorUrl": None, "persistAuthorization": True},
    }


def install(app: Flask) -> None:
    bp = Blueprint("docs_assets", __name__)  # a plain blueprint: not part of the OpenAPI document
    directory = _asset_dir()

    @bp.get(f"{ASSETS}/<path:filename>")
    def asset(filename: str):
        return send_from_directory(directory, filename, max_age=86400)

    app.register_blueprint(bp)
