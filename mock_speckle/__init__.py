"""An offline Speckle server for tests and local development.

It speaks two dialects of Speckle's sign-in: the documented OAuth2 PKCE flow
(``POST /oauth/token`` with a code verifier) and what deployed servers run
(``POST /auth/token`` with an app secret and the raw challenge), plus a real
GraphQL schema subset, CORS, and switchable faults.

    from mock_speckle import MockSpeckle, App
    mock = MockSpeckle().start()
    mock.register_app(App(id="demo-app", secret="demo-secret", name="Demo",
                          redirect_url="http://127.0.0.1:8000/callback.html"))
"""

from .core import MockSpeckle
from .models import App, Model, Project, RequestRecord, TokenRecord, User, Version

__all__ = [
    "App", "MockSpeckle", "Model", "Project", "RequestRecord", "TokenRecord", "User", "Version",
]
