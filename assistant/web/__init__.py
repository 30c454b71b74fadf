"""The web chat (Gradio): `build_app` makes the page, `serve` starts it on 127.0.0.1."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

from assistant.web.app import build_app, serve  # noqa: E402

__all__ = ["build_app", "serve"]
